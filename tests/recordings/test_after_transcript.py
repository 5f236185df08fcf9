"""Storing a transcript queues the tasks named in settings.AFTER_TRANSCRIPT_TASKS (how QA apps hook in)."""

import pytest
from django_q.models import OrmQ

from recordings.transcription import TranscribeOutcome, call_transcribe
from tests.recordings.helpers import ReplayEngine, corrupt_recording, queued

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_it_queues_each_after_transcript_task_once_the_transcript_is_committed(
    settings, ingest_sample, django_capture_on_commit_callbacks
):
    settings.AFTER_TRANSCRIPT_TASKS = ["tests.example.first", "tests.example.second"]
    call = queued(ingest_sample("card_payment"))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert call_transcribe(call_id=call.pk, engine=ReplayEngine("card_payment")) == TranscribeOutcome.TRANSCRIBED
    assert not OrmQ.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()

    # Besides the redacted audio copy, which recordings queues itself.
    tasks = [(t.task["func"], t.task["args"]) for t in OrmQ.objects.order_by("pk")]
    assert [t for t in tasks if t[0] != "recordings.tasks.redact_recording"] == [
        ("tests.example.first", (call.pk,)), ("tests.example.second", (call.pk,)),
    ]


def test_it_queues_nothing_when_the_transcription_fails(settings, ingest_sample, django_capture_on_commit_callbacks):
    settings.AFTER_TRANSCRIPT_TASKS = ["tests.example.first"]
    call = queued(ingest_sample("card_payment"))
    corrupt_recording(call)

    with django_capture_on_commit_callbacks(execute=True):
        assert call_transcribe(call_id=call.pk) == TranscribeOutcome.FAILED

    assert not OrmQ.objects.exists()


@pytest.mark.slow
def test_it_keeps_the_transcript_when_the_broker_cannot_take_the_follow_up(
    settings, monkeypatch, ingest_sample, django_capture_on_commit_callbacks, caplog
):
    from django_q.conf import Conf

    settings.AFTER_TRANSCRIPT_TASKS = ["tests.example.first"]
    call = queued(ingest_sample("card_payment"))
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", "redis://127.0.0.1:1/0")  # a closed port: every enqueue raises

    with django_capture_on_commit_callbacks(execute=True):
        assert call_transcribe(call_id=call.pk, engine=ReplayEngine("card_payment")) == TranscribeOutcome.TRANSCRIBED

    call.refresh_from_db()
    assert call.status == "transcribed" and call.transcript.segments.exists()
    assert "Could not queue tests.example.first for call" in caplog.text
