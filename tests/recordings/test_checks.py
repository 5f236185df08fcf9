from recordings.checks import check_recordings_settings


def ids(problems):
    return {p.id for p in problems}


def test_it_passes_a_sound_configuration(settings):
    assert check_recordings_settings(None) == []


def test_it_flags_a_queue_timeout_not_below_retry(settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 600, "retry": 600}

    assert "recordings.E004" in ids(check_recordings_settings(None))


def test_it_flags_an_unknown_engine_and_a_bad_upload_limit(settings):
    settings.WHISPER_ENGINE = "whisperish"
    settings.RECORDINGS_MAX_UPLOAD_BYTES = 0

    assert {"recordings.E001", "recordings.E005"} <= ids(check_recordings_settings(None))


def test_it_flags_audio_inside_the_public_static_folder(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.AUDIO_ROOT = tmp_path / "audio"

    assert "recordings.E003" in ids(check_recordings_settings(None))
