"""A committed call always keeps its audio: when queueing fails after the commit, the call waits as
`received` and a sweep queues it later."""

import pytest
from django_q.conf import Conf
from rest_framework.test import APIClient

from recordings.models import Call
from recordings.transcription import calls_queue_untranscribed, transcription_requeue_stale
from tests.factories import AdminFactory, AgentFactory, ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_down(monkeypatch, settings):
    """The Redis broker at a closed port: every enqueue raises, as when Redis is unreachable."""
    settings.TRANSCRIBE_ON_INGEST = True
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", "redis://127.0.0.1:1/0")


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(AdminFactory())
    ClientFactory(slug="acme")
    AgentFactory(external_id="AGT-1")
    return client


def upload(api, path, external_id="CALL-1"):
    with open(path, "rb") as audio:
        return api.post("/api/calls/", {
            "audio": audio, "client": "acme", "agent": "AGT-1", "external_id": external_id,
            "started_at": "2026-11-02T09:30:00Z",
        }, format="multipart")


def test_it_keeps_the_call_and_its_audio_when_queueing_fails_after_the_commit(api, broker_down, wav_file, stored_files):
    response = upload(api, wav_file())

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "received" and "waiting" in body["queue_note"]
    call = Call.objects.get()
    assert call.status == Call.Status.RECEIVED
    assert len(stored_files()) == 1  # the audio stayed

    # A retry is the same call, still with its audio, not a broken duplicate.
    again = upload(api, wav_file())
    assert again.status_code == 200 and again.json()["id"] == call.pk


def test_it_queues_a_waiting_call_once_the_broker_is_back(api, broker_down, wav_file, monkeypatch, settings):
    upload(api, wav_file())
    assert transcription_requeue_stale() == 0  # still down: nothing queued, nothing lost
    assert Call.objects.get().status == Call.Status.RECEIVED

    monkeypatch.setattr(Conf, "ORM", "default")
    settings.TRANSCRIBE_RECEIVED_AFTER = 0  # no need to wait in a test
    assert transcription_requeue_stale() == 1
    assert Call.objects.get().status == Call.Status.QUEUED
    assert calls_queue_untranscribed() == 0
