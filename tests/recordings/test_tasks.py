"""The transcription task, through real django-q2 clusters (ORM and Redis brokers) and a worker killed mid-call."""

from __future__ import annotations

import os
import signal
import socket
import time

import pytest

from recordings.tasks import requeue_stale_transcriptions, transcribe_call
from recordings.transcription import TranscribeOutcome
from tests.conftest import SAMPLES_DIR
from tests.recordings.cluster import ClusterDatabase

SAMPLE = SAMPLES_DIR / "billing_double_charge.flac"


@pytest.fixture
def cluster_db(tmp_path):
    created = []

    def make(**env: str) -> ClusterDatabase:
        database = ClusterDatabase(tmp_path, **env)
        created.append(database)
        return database

    yield make
    for database in created:
        database.close()


def _eventually(condition, timeout: float = 20.0) -> bool:
    # The broker acknowledges a task a moment after its result is saved.
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def _redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.django_db
def test_it_exits_cleanly_when_the_call_is_gone():
    assert transcribe_call(987654) == TranscribeOutcome.GONE


@pytest.mark.django_db
def test_it_requeues_only_stale_claims_from_the_scheduled_task(settings):
    from datetime import timedelta

    from django.utils import timezone

    from recordings.models import Call
    from tests.factories import CallFactory

    settings.TRANSCRIBE_HEARTBEAT_STALE = 60
    busy = CallFactory(status=Call.Status.TRANSCRIBING, claimed_at=timezone.now())
    CallFactory(status=Call.Status.TRANSCRIBED)
    assert requeue_stale_transcriptions() == 0

    Call.objects.filter(pk=busy.pk).update(claimed_at=timezone.now() - timedelta(seconds=90), heartbeat_at=None)
    assert requeue_stale_transcriptions() == 1
    assert Call.objects.get(pk=busy.pk).status == Call.Status.QUEUED


@pytest.mark.slow
def test_it_transcribes_an_ingested_call_on_a_cluster_with_the_orm_broker(cluster_db):
    database = cluster_db()
    call_id = database.ingest(SAMPLE)
    assert database.status(call_id) == "queued"
    assert database.queued_tasks() == 1

    database.start_cluster()
    state = database.wait_for_status(call_id, {"transcribed", "failed"}, timeout=120)

    assert state["status"] == "transcribed", state
    assert state["transcripts"] == 1
    assert state["segments"] > 5
    assert state["analytics"] is True
    assert state["attempts"] == 1
    assert _eventually(lambda: database.queued_tasks() == 0)


@pytest.mark.slow
@pytest.mark.skipif(not _redis_available(), reason="Redis is not running on 127.0.0.1:6379")
def test_it_transcribes_an_ingested_call_on_a_cluster_with_the_redis_broker(cluster_db):
    database = cluster_db(REDIS_URL="redis://127.0.0.1:6379/0")
    call_id = database.ingest(SAMPLE)
    assert database.queued_tasks() == 1
    assert database.status(call_id) == "queued"

    database.start_cluster()
    state = database.wait_for_status(call_id, {"transcribed", "failed"}, timeout=120)

    assert state["status"] == "transcribed", state
    assert state["transcripts"] == 1
    assert _eventually(lambda: database.queued_tasks() == 0)


@pytest.mark.slow
def test_it_finishes_a_call_whose_worker_was_killed_within_three_minutes_with_default_settings(cluster_db):
    # Default timeouts (Q_TIMEOUT=1800): the heartbeat goes silent, the minutely sweep queues the call again.
    database = cluster_db()
    call_id = database.ingest(SAMPLE)
    database.start_cluster()

    worker = database.wait_for_log(rf"Transcribing call {call_id} in process (\d+) \(attempt 1\)", timeout=90)
    time.sleep(1.0)  # let it get into the model
    killed_at = time.monotonic()
    os.kill(int(worker.group(1)), signal.SIGKILL)

    state = database.wait_for_status(call_id, {"transcribed", "failed"}, timeout=240)

    assert time.monotonic() - killed_at < 180, "took longer than 3 minutes"
    assert state["status"] == "transcribed", state
    assert (state["attempts"], state["transcripts"]) == (2, 1)


@pytest.mark.slow
def test_it_finishes_a_call_whose_worker_was_killed_mid_call(cluster_db):
    # A short timeout so the dead worker's claim goes stale quickly; the ORM broker
    # hands the unacknowledged task out again after `retry`.
    database = cluster_db(Q_TIMEOUT="15", Q_RETRY="20", TRANSCRIBE_HEARTBEAT_STALE="10")
    call_id = database.ingest(SAMPLE)
    database.start_cluster()

    worker = database.wait_for_log(rf"Transcribing call {call_id} in process (\d+) \(attempt 1\)", timeout=90)
    assert database.status(call_id) == "transcribing"
    time.sleep(1.0)  # let it get into the model
    os.kill(int(worker.group(1)), signal.SIGKILL)

    state = database.wait_for_status(call_id, {"transcribed", "failed"}, timeout=120)

    assert state["status"] == "transcribed", state
    assert state["attempts"] == 2
    assert state["transcripts"] == 1
    assert state["analytics"] is True
    second = database.wait_for_log(rf"Transcribing call {call_id} in process (\d+) \(attempt 2\)", timeout=5)
    assert second.group(1) != worker.group(1)


@pytest.mark.django_db
def test_it_queues_pending_calls_from_the_command(django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command
    from django_q.models import OrmQ

    from recordings.models import Call
    from tests.factories import CallFactory

    received = CallFactory(status=Call.Status.RECEIVED)
    failed = CallFactory(status=Call.Status.FAILED, failure_reason="broken")
    CallFactory(status=Call.Status.TRANSCRIBED)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("transcribe_pending", "--include-failed", stdout=out)

    assert "Queued 2 call(s)" in out.getvalue()
    assert sorted(t.task["args"][0] for t in OrmQ.objects.all()) == sorted([received.pk, failed.pk])
    assert Call.objects.get(pk=failed.pk).status == Call.Status.QUEUED


@pytest.mark.slow
@pytest.mark.skipif(not _redis_available(), reason="Redis is not running on 127.0.0.1:6379")
def test_it_recovers_a_call_whose_worker_was_killed_on_the_redis_broker(cluster_db):
    # Redis hands a task out once: the scheduled sweep (migration 0003, every minute) re-queues the stale claim.
    database = cluster_db(REDIS_URL="redis://127.0.0.1:6379/0", Q_TIMEOUT="10", Q_RETRY="15", TRANSCRIBE_HEARTBEAT_STALE="10")
    call_id = database.ingest(SAMPLE)
    database.start_cluster()

    worker = database.wait_for_log(rf"Transcribing call {call_id} in process (\d+) \(attempt 1\)", timeout=90)
    time.sleep(1.0)
    os.kill(int(worker.group(1)), signal.SIGKILL)

    state = database.wait_for_status(call_id, {"transcribed", "failed"}, timeout=180)

    assert state["status"] == "transcribed", state
    assert state["attempts"] == 2
    assert state["transcripts"] == 1
