"""The transcript and analytics in GET /api/calls/{id}/, and re-transcription from the API and the admin."""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from recordings.models import Call, Transcript, recordings_storage
from recordings.transcription import call_transcribe
from tests.factories import AdminFactory, CallFactory, ReviewerFactory, UserFactory
from tests.recordings.conftest import sample_truth
from tests.recordings.helpers import corrupt_recording, queued, transcribed_sample_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_api():
    api = APIClient()
    api.force_authenticate(ReviewerFactory())
    return api


@pytest.fixture
def sync_cluster(monkeypatch):
    """django-q2 runs queued tasks inline: the real task, without a separate process."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.mark.slow
def test_it_shows_the_transcript_and_analytics_of_a_transcribed_call(reviewer_api):
    call = transcribed_sample_call("billing_double_charge")

    body = reviewer_api.get(f"/api/calls/{call.pk}/").json()

    assert body["status"] == "transcribed"
    transcript = body["transcript"]
    assert transcript["language"] == "en"
    assert transcript["engine"] == "faster-whisper"
    assert transcript["model"].startswith("tiny.en")
    segments = transcript["segments"]
    assert set(segments[0]) == {"speaker", "start", "end", "text"}
    assert {s["speaker"] for s in segments} == {"agent", "customer"}
    assert [s["start"] for s in segments] == sorted(s["start"] for s in segments)
    truth = sample_truth("billing_double_charge")["analytics"]
    assert set(body["analytics"]) == set(truth)
    assert body["analytics"]["interruptions"] == truth["interruptions"]


def test_it_shows_no_transcript_before_transcription(reviewer_api):
    call = CallFactory(status=Call.Status.QUEUED)

    body = reviewer_api.get(f"/api/calls/{call.pk}/").json()

    assert body["transcript"] is None
    assert body["analytics"] is None


@pytest.mark.slow
def test_it_retries_a_failed_call_from_the_api(reviewer_api, ingest_sample, sync_cluster, django_capture_on_commit_callbacks):
    call = queued(ingest_sample("card_payment"))
    stored = Path(recordings_storage().path(call.recording.file.name))
    good_bytes = stored.read_bytes()
    corrupt_recording(call)
    call_transcribe(call_id=call.pk)
    assert Call.objects.get(pk=call.pk).status == Call.Status.FAILED
    stored.write_bytes(good_bytes)  # e.g. the file was re-synced from the telephony system

    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_api.post(f"/api/calls/{call.pk}/retranscribe/")

    assert response.status_code == 202
    assert response.json()["status"] in ("received", "queued")  # queued once the test's commit callbacks run
    call.refresh_from_db()
    assert call.status == Call.Status.TRANSCRIBED
    assert call.failure_reason == ""
    assert "card number" in call.transcript.text.lower()


def test_it_refuses_retranscription_to_users_without_the_right():
    call = CallFactory(status=Call.Status.FAILED, failure_reason="broken")
    api = APIClient()
    api.force_authenticate(UserFactory())

    response = api.post(f"/api/calls/{call.pk}/retranscribe/")

    assert response.status_code in (403, 404)
    assert Call.objects.get(pk=call.pk).status == Call.Status.FAILED


@pytest.mark.slow
def test_it_retranscribes_from_the_admin_replacing_the_old_transcript(
    client, ingest_sample, sync_cluster, django_capture_on_commit_callbacks
):
    call = queued(ingest_sample("billing_double_charge"))
    call_transcribe(call_id=call.pk)
    old = Transcript.objects.get(call=call)
    client.force_login(AdminFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/recordings/call/", {"action": "retranscribe", "_selected_action": [call.pk]}, follow=True
        )

    assert response.status_code == 200
    call.refresh_from_db()
    assert call.status == Call.Status.TRANSCRIBED
    assert Transcript.objects.filter(call=call).count() == 1
    assert Transcript.objects.get(call=call).pk != old.pk


@pytest.mark.slow
def test_it_shows_the_transcript_on_the_calls_admin_page(client):
    call = transcribed_sample_call("billing_double_charge")
    client.force_login(AdminFactory())

    page = client.get(f"/admin/recordings/call/{call.pk}/change/")

    assert page.status_code == 200
    assert "refunded" in page.content.decode().lower()
