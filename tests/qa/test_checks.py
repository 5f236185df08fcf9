from qa.checks import check_secret_key


def test_it_warns_about_the_development_secret_key_outside_debug(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "dev-only-insecure-key-change-me"

    assert [p.id for p in check_secret_key(None)] == ["qa.W001"]


def test_it_accepts_a_real_secret_key(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-secret-of-fifty-characters-or-more-0123456789"

    assert check_secret_key(None) == []
