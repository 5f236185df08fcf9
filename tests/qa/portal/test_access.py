"""Who reaches which portal: client staff their own client only (another's is a 404 everywhere), QA staff all."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import CallFactory, ManagerFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


def pages(client_row, call) -> list[str]:
    return [
        reverse("portal:client", args=[client_row.slug]),
        reverse("portal:calls", args=[client_row.slug]),
        reverse("portal:call", args=[client_row.slug, call.pk]),
        reverse("portal:summary", args=[client_row.slug]),
    ]


def test_client_staff_land_on_their_clients_calls_after_logging_in(client, acme, acme_staff):
    response = client.post(reverse("login"), {"username": "acme-staff", "password": "pw-for-tests"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("portal:calls", args=["acme"])
    assert response.status_code == 200
    assert b"Acme Telecom" in response.content


def test_another_clients_pages_calls_summary_and_audio_are_a_404(client, acme, globex, acme_staff, sample_call):
    ours = CallFactory(client=acme)
    theirs = CallFactory(client=globex)
    client.force_login(acme_staff)

    for url in pages(acme, ours):
        assert client.get(url, follow=True).status_code == 200, url
    for url in pages(globex, theirs):
        assert client.get(url).status_code == 404, url
    # Their call under our slug is no better.
    assert client.get(reverse("portal:call", args=["acme", theirs.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(acme_staff)
    assert api.get("/api/clients/acme/summary/").status_code == 200
    assert api.get("/api/clients/globex/summary/").status_code == 404
    assert api.get(f"/api/calls/{theirs.pk}/").status_code == 404
    assert client.get(reverse("recordings:call-audio", args=[sample_call.pk])).status_code == 404


def test_qa_staff_open_every_clients_portal(client, acme, globex):
    call = CallFactory(client=globex)
    for user in (ReviewerFactory(), ManagerFactory()):
        client.force_login(user)
        for url in pages(globex, call):
            assert client.get(url, follow=True).status_code == 200, url


def test_anonymous_visitors_are_sent_to_log_in_and_strangers_get_nothing(client, acme):
    call = CallFactory(client=acme)
    for url in [reverse("portal:home"), *pages(acme, call)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    client.force_login(UserFactory())
    assert client.get(reverse("portal:home")).status_code == 404
    assert client.get(reverse("portal:calls", args=["acme"])).status_code == 404


def test_staff_of_two_clients_pick_one_and_the_portal_remembers_it(client, acme, globex, acme_staff):
    globex.users.add(acme_staff)
    client.force_login(acme_staff)

    choice = client.get(reverse("portal:home"))
    assert choice.status_code == 200
    assert [c.slug for c in choice.context["clients"]] == ["acme", "globex"]

    client.get(reverse("portal:calls", args=["globex"]))
    assert client.get(reverse("portal:home"))["Location"] == reverse("portal:calls", args=["globex"])
    # Switching is always possible, and each page says so.
    assert client.get(reverse("portal:home") + "?choose").status_code == 200
    assert b"Switch client" in client.get(reverse("portal:calls", args=["globex"])).content


def test_the_portal_only_reads(client, acme, acme_staff):
    client.force_login(acme_staff)
    assert client.post(reverse("portal:calls", args=["acme"])).status_code == 405
