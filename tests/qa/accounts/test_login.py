"""The login page for people outside the admin, the landing by role, one-time passwords, password reset."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from qa.accounts.services import one_time_password_issue
from tests.factories import AgentFactory, ClientFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_lets_an_agent_log_in_at_the_shared_login_page(client):
    agent_user = UserFactory(username="sarah")
    AgentFactory(user=agent_user)

    response = client.post(reverse("login"), {"username": "sarah", "password": "pw-for-tests"})

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code in (200, 302)


def test_it_refuses_a_wrong_password_with_a_message_and_no_session(client):
    UserFactory(username="sarah")
    response = client.post(reverse("login"), {"username": "sarah", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode().lower()
    assert "_auth_user_id" not in client.session


def test_it_sends_qa_staff_to_the_admin_and_strangers_to_a_page_that_says_why(client):
    client.force_login(ReviewerFactory())
    assert client.get(reverse("home"))["Location"] == reverse("admin:index")
    client.force_login(UserFactory())
    page = client.get(reverse("home"))
    assert page.status_code == 200 and "No access yet" in page.content.decode()


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_it_makes_a_one_time_password_be_replaced_before_anything_else(client):
    user = UserFactory(username="newbie")
    ClientFactory().users.add(user)
    password = one_time_password_issue(user=user)
    assert client.post(reverse("login"), {"username": "newbie", "password": password}).status_code == 302

    assert client.get(reverse("home"))["Location"] == reverse("password_change")
    response = client.post(reverse("password_change"), {
        "old_password": password, "new_password1": "a-much-better-secret", "new_password2": "a-much-better-secret",
    })
    assert response.status_code == 302
    assert client.get(reverse("home")).get("Location") != reverse("password_change")


def test_it_resets_a_forgotten_password_by_e_mail(client):
    UserFactory(username="sarah", email="sarah@example.com")

    client.post(reverse("password_reset"), {"email": "sarah@example.com"})

    (message,) = mail.outbox
    link = re.search(r"http://testserver(/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": "brand-new-secret-1", "new_password2": "brand-new-secret-1"})
    assert done.status_code == 302
    assert client.post(reverse("login"), {"username": "sarah", "password": "brand-new-secret-1"}).status_code == 302


def test_it_uses_the_one_base_layout_without_anything_from_outside(client):
    html = client.get(reverse("login")).content.decode()
    assert "vendor/pico-2.1.1.min.css" in html and "site.css" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    assert "<style" not in html and "style=" not in html


def test_it_locks_a_username_and_address_after_repeated_wrong_passwords(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    UserFactory(username="sarah")
    wrong = [client.post(reverse("login"), {"username": "sarah", "password": "guess"}).status_code for _ in range(5)]
    assert wrong == [200, 200, 200, 200, 429]  # the fifth wrong password locks

    locked = client.post(reverse("login"), {"username": "sarah", "password": "pw-for-tests"})  # even the right one

    assert locked.status_code == 429 and "Too many attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out of the same username.
    other = client.post(reverse("login"), {"username": "sarah", "password": "pw-for-tests"}, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302


def test_it_locks_the_admin_login_too(client, settings):
    from tests.factories import AdminFactory

    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    AdminFactory(username="root")
    for _ in range(30):
        client.post(reverse("admin:login"), {"username": "root", "password": "guess"})
    right = client.post(reverse("admin:login"), {"username": "root", "password": "pw-for-tests"})
    assert right.status_code == 429


def test_it_throttles_api_token_guessing_per_address(settings):
    from django.core.cache import cache
    from rest_framework.test import APIClient

    cache.clear()
    settings.API_TOKEN_FAILURE_LIMIT = 4
    api = APIClient()
    codes = [api.get("/api/calls/", HTTP_AUTHORIZATION=f"Token wrong{n}").status_code for n in range(6)]
    assert codes[:4] == [401] * 4 and codes[4:] == [429, 429]
    assert APIClient().get("/api/calls/", HTTP_AUTHORIZATION="Token wrong", REMOTE_ADDR="10.1.2.3").status_code == 401
    cache.clear()
