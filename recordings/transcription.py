"""Transcription of calls: queueing, claiming, running the engine and storing the result.

`call_transcribe` is what a worker runs for one call:
1. claim the call with a conditional update, so two workers never take the same one;
2. decode, split the channels and run the engine, outside any transaction;
3. store transcript, segments and analytics atomically, if the claim is still ours.

A worker beats on the call it holds (`heartbeat_at`, every TRANSCRIBE_HEARTBEAT_SECONDS). A
worker killed mid-call stops beating; once its claim has been silent for
TRANSCRIBE_HEARTBEAT_STALE seconds, `transcription_requeue_stale` (scheduled every minute)
queues the call again and the next worker takes it over: still stored once, since a result is
kept only while its claim holds. A queued call whose task was lost is queued again after
TRANSCRIBE_STALE_AFTER.
"""

from __future__ import annotations

import enum
import logging
import os
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from recordings import engines
from recordings.analytics import Analytics, call_analytics
from recordings.audio import AudioError, decode
from recordings.models import Call, CallAnalytics, Channel, Segment, Speaker, Transcript, recordings_storage
from recordings.redaction_store import transcript_redaction_store

logger = logging.getLogger(__name__)

TASK = "recordings.tasks.transcribe_call"


class TranscribeOutcome(enum.StrEnum):
    TRANSCRIBED = "transcribed"
    FAILED = "failed"
    REQUEUED = "requeued"  # a passing engine error: tried again later
    SKIPPED = "skipped"  # not ours to do: taken by another worker, done already, or out of attempts
    GONE = "gone"  # the call was deleted before its task ran


@dataclass(frozen=True)
class Claim:
    """A worker's hold on one call; its result is stored only while the hold is still its own."""

    call_id: int
    claimed_at: datetime


@dataclass(frozen=True)
class SpokenUtterance:
    speaker: str
    utterance: engines.Utterance


@dataclass(frozen=True)
class TranscriptionResult:
    language: str
    engine: str
    model_name: str
    audio_seconds: float
    processing_seconds: float
    utterances: list[SpokenUtterance]
    analytics: Analytics | None  # None for mono calls: no agent/customer split


def call_transcription_queue(*, call_id: int) -> None:
    """Hand a `received` call to the workers once the transaction commits.

    The call is marked `queued` only once the broker took the task. If the broker is down, the
    call stays `received` with its audio, and `transcription_requeue_stale` queues it later.
    """
    transaction.on_commit(lambda: _queue_received(call_id))


def call_retranscribe(*, call_id: int) -> Call:
    """Queue the call again; its transcript is replaced when the new one is stored.

    A worker still busy with the call loses its claim here, so its result is discarded.
    """
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call_id)
        call.status = Call.Status.RECEIVED
        call.failure_reason = ""
        call.claimed_at = None
        call.transcription_attempts = 0
        call.save(update_fields=["status", "failure_reason", "claimed_at", "transcription_attempts", "updated_at"])
        call_transcription_queue(call_id=call_id)
    call.refresh_from_db(fields=["status"])
    return call


def _queue_received(call_id: int) -> bool:
    if not _enqueue(call_id):
        return False
    # Conditional: a worker may already have claimed it.
    Call.objects.filter(pk=call_id, status=Call.Status.RECEIVED).update(status=Call.Status.QUEUED, updated_at=timezone.now())
    return True


def call_transcribe(*, call_id: int, engine: engines.Engine | None = None) -> TranscribeOutcome:
    """Transcribe one call: claim it, run the engine outside any transaction, store the result."""
    claim = transcription_claim(call_id=call_id)
    if claim is None:
        return TranscribeOutcome.SKIPPED
    call = Call.objects.select_related("client", "recording").get(pk=call_id)
    if not hasattr(call, "recording"):
        return _fail(claim, "The call has no recording to transcribe.")
    logger.info("Transcribing call %s in process %s (attempt %s)", call_id, os.getpid(), call.transcription_attempts)
    try:
        with _heartbeat(claim):
            result = transcribe_recording(call, engine=engine)
    except AudioError as exc:
        # Retrying cannot fix a file that does not decode.
        return _fail(claim, f"The recording could not be decoded: {exc}")
    except engines.EngineUnavailable as exc:
        return _fail(claim, f"The transcription engine is not available: {exc}")
    except Exception as exc:  # noqa: BLE001 - any engine error is reported on the call
        logger.exception("Transcribing call %s failed", call_id)
        reason = f"Transcription failed: {type(exc).__name__}: {exc}"[:1000]
        if call.transcription_attempts < settings.TRANSCRIBE_MAX_ATTEMPTS:
            return _requeue(claim, reason)
        return _fail(claim, f"{reason} (gave up after {call.transcription_attempts} attempts)")
    stored = transcript_store(claim=claim, result=result)
    return TranscribeOutcome.TRANSCRIBED if stored else TranscribeOutcome.SKIPPED


def transcribe_recording(call: Call, *, engine: engines.Engine | None = None) -> TranscriptionResult:
    """Decode the call's audio and run the engine per channel. Slow: never call it in a transaction."""
    engine = engine or engines.get_engine()
    started = time.perf_counter()
    with _local_copy(call.recording) as path:
        audio = decode(path, sample_rate=engines.SAMPLE_RATE)
    language = call.client.language or settings.WHISPER_LANGUAGE or None

    if audio.shape[0] == 2:
        agent_index = 0 if call.client.agent_channel == Channel.LEFT else 1
        sides = {Speaker.AGENT: audio[agent_index], Speaker.CUSTOMER: audio[1 - agent_index]}
    else:
        sides = {Speaker.UNKNOWN: audio[0]}
    channels = {speaker: engine.transcribe_channel(samples, language=language) for speaker, samples in sides.items()}

    utterances = sorted(
        (SpokenUtterance(str(speaker), u) for speaker, channel in channels.items() for u in channel.utterances),
        key=lambda s: (s.utterance.start, s.utterance.end, s.speaker),
    )
    analytics = None
    if Speaker.AGENT in channels:
        agent_words = sum(len(u.words) for u in channels[Speaker.AGENT].utterances)
        analytics = call_analytics(
            agent_speech=channels[Speaker.AGENT].speech,
            customer_speech=channels[Speaker.CUSTOMER].speech,
            agent_words=agent_words,
        )
    detected = next((c.language for c in channels.values() if c.language), "")
    return TranscriptionResult(
        language=language or detected or "",
        engine=engine.name,
        model_name=engine.model_name,
        audio_seconds=round(audio.shape[1] / engines.SAMPLE_RATE, 3),
        processing_seconds=round(time.perf_counter() - started, 3),
        utterances=utterances,
        analytics=analytics,
    )


def transcription_requeue_stale() -> int:
    """Queue again the calls whose worker died (stale claim) or whose task was lost. Returns how many.

    Each call is touched when re-queued, so a long backlog gets at most one extra task per
    `TRANSCRIBE_STALE_AFTER`, not one per sweep.
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.TRANSCRIBE_STALE_AFTER)
    stale = _dead_claim(now) | Q(status=Call.Status.QUEUED, updated_at__lt=stale_before)
    if settings.TRANSCRIBE_ON_INGEST:
        # Calls the broker could not take when they came in (it was down).
        waiting_before = now - timedelta(seconds=settings.TRANSCRIBE_RECEIVED_AFTER)
        stale |= Q(status=Call.Status.RECEIVED, updated_at__lt=waiting_before, recording__isnull=False)
    requeued = 0
    for call_id in Call.objects.filter(stale).values_list("pk", flat=True):
        # A duplicate task is harmless: only one of them wins the claim.
        if not _enqueue(call_id):
            break  # the broker is down: the next sweep tries again, nothing is lost
        # Conditional, so a worker that claims the call meanwhile keeps it.
        if Call.objects.filter(stale, pk=call_id).update(status=Call.Status.QUEUED, claimed_at=None, updated_at=now):
            requeued += 1
    return requeued


def calls_queue_untranscribed(*, include_failed: bool = False) -> int:
    """Queue every call that has not been transcribed yet (for `transcribe_pending`)."""
    statuses = [Call.Status.RECEIVED] + ([Call.Status.FAILED] if include_failed else [])
    count = 0
    for call_id in Call.objects.filter(status__in=statuses).values_list("pk", flat=True):
        call_retranscribe(call_id=call_id)
        count += 1
    return count + transcription_requeue_stale()


def _enqueue(call_id: int) -> bool:
    """Hand the task to the broker; False (logged) when the broker refused or could not be reached."""
    from django_q.tasks import async_task

    try:
        async_task(TASK, call_id, task_name=f"transcribe-call-{call_id}", group="transcription")
    except Exception as exc:  # noqa: BLE001 - any broker failure: the call waits for the sweep
        logger.warning("Could not queue call %s for transcription (%s: %s); it waits for the next sweep", call_id, type(exc).__name__, exc)
        return False
    return True


def _dead_claim(now: datetime) -> Q:
    """A transcribing call whose worker stopped beating: it died, so the call may be taken again."""
    silent_since = now - timedelta(seconds=settings.TRANSCRIBE_HEARTBEAT_STALE)
    return Q(status=Call.Status.TRANSCRIBING) & (
        Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True, claimed_at__lt=silent_since)
    )


def transcription_claim(*, call_id: int) -> Claim | None:
    """Take the call for this worker, with a conditional update: None if it is not ours to take."""
    now = timezone.now()
    claimable = Q(status__in=[Call.Status.RECEIVED, Call.Status.QUEUED]) | _dead_claim(now)
    max_attempts = settings.TRANSCRIBE_MAX_ATTEMPTS
    claimed = Call.objects.filter(claimable, pk=call_id, transcription_attempts__lt=max_attempts).update(
        status=Call.Status.TRANSCRIBING,
        claimed_at=now,
        heartbeat_at=now,
        transcription_attempts=F("transcription_attempts") + 1,
        failure_reason="",
        updated_at=now,
    )
    if claimed == 1:
        return Claim(call_id=call_id, claimed_at=now)
    # Claimable but out of attempts: each worker died on it, so stop trying.
    Call.objects.filter(claimable, pk=call_id, transcription_attempts__gte=max_attempts).update(
        status=Call.Status.FAILED,
        claimed_at=None,
        failure_reason=f"Transcription gave up after {max_attempts} attempts: the worker stopped mid-call each time.",
        updated_at=now,
    )
    return None


@contextmanager
def _heartbeat(claim: Claim):
    """While the engine runs, beat every TRANSCRIBE_HEARTBEAT_SECONDS: a claim that stops beating
    belongs to a dead worker and is taken again within minutes, not after the task timeout."""
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(settings.TRANSCRIBE_HEARTBEAT_SECONDS):
                _owned(claim).update(heartbeat_at=timezone.now())
        except Exception:  # noqa: BLE001 - a missed beat only risks a duplicate task, which loses its claim
            logger.exception("Heartbeat for call %s failed", claim.call_id)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-call-{claim.call_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _owned(claim: Claim):
    return Call.objects.filter(pk=claim.call_id, status=Call.Status.TRANSCRIBING, claimed_at=claim.claimed_at)


def _fail(claim: Claim, reason: str) -> TranscribeOutcome:
    updated = _owned(claim).update(
        status=Call.Status.FAILED, failure_reason=reason[:2000], claimed_at=None, updated_at=timezone.now()
    )
    return TranscribeOutcome.FAILED if updated else TranscribeOutcome.SKIPPED


def _requeue(claim: Claim, reason: str) -> TranscribeOutcome:
    call_id = claim.call_id
    with transaction.atomic():
        updated = _owned(claim).update(
            status=Call.Status.QUEUED, failure_reason="", claimed_at=None, updated_at=timezone.now()
        )
        if updated:
            logger.warning("Call %s queued again after: %s", call_id, reason)
            transaction.on_commit(lambda: _enqueue(call_id))  # if the broker is down, the stale sweep recovers it
    return TranscribeOutcome.REQUEUED if updated else TranscribeOutcome.SKIPPED


def transcript_store(*, claim: Claim, result: TranscriptionResult) -> bool:
    """Replace the call's transcript and analytics in one transaction, if the claim still holds."""
    call_id = claim.call_id
    with transaction.atomic():
        call = _owned(claim).select_for_update().first()
        if call is None:
            logger.info("Call %s was re-queued or taken over while transcribing; result discarded", call_id)
            return False
        Transcript.objects.filter(call=call).delete()
        CallAnalytics.objects.filter(call=call).delete()
        transcript = Transcript.objects.create(
            call=call,
            language=result.language[:8],
            engine=result.engine,
            model_name=result.model_name[:255],
            processing_seconds=result.processing_seconds,
            audio_seconds=result.audio_seconds,
            text="\n".join(s.utterance.text for s in result.utterances),
        )
        Segment.objects.bulk_create(
            Segment(
                transcript=transcript,
                index=index,
                speaker=spoken.speaker,
                start=spoken.utterance.start,
                end=spoken.utterance.end,
                text=spoken.utterance.text,
                words=[[w.start, w.end, w.text, w.probability] for w in spoken.utterance.words],
            )
            for index, spoken in enumerate(result.utterances)
        )
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchVector

            Transcript.objects.filter(pk=transcript.pk).update(search_vector=SearchVector("text", config="english"))
        # Redaction hook: what client staff and agents read (and, queued on commit, hear) is kept beside it.
        transcript_redaction_store(transcript=transcript, segments=result.utterances)
        if result.analytics is not None:
            CallAnalytics.objects.create(call=call, **result.analytics.as_dict())
        Call.objects.filter(pk=call_id).update(
            status=Call.Status.TRANSCRIBED, failure_reason="", claimed_at=None, updated_at=timezone.now()
        )
        transaction.on_commit(lambda: _enqueue_after_transcript(call_id))
    return True


def _enqueue_after_transcript(call_id: int) -> None:
    """Queue the settings' AFTER_TRANSCRIPT_TASKS for the call (auto-QA): QA apps hook in by name.

    The transcript is stored whatever happens here: a broker that is down only costs the follow-up
    (logged; auto-QA's recompute covers it).
    """
    from django_q.tasks import async_task

    for task in getattr(settings, "AFTER_TRANSCRIPT_TASKS", ()):
        try:
            async_task(task, call_id, task_name=f"{task.rsplit('.', 1)[-1]}-{call_id}", group="after-transcript")
        except Exception as exc:  # noqa: BLE001 - any broker failure
            logger.warning("Could not queue %s for call %s (%s: %s)", task, call_id, type(exc).__name__, exc)


@contextmanager
def _local_copy(recording):
    """A filesystem path to the recording, copying it out of non-local storage if needed."""
    # The storage is looked up now, as the ingest service does (the field's own is bound at import).
    storage = recordings_storage()
    try:
        local_path = Path(storage.path(recording.file.name))
    except NotImplementedError:
        local_path = None
    if local_path is not None:
        yield local_path
        return
    fd, name = tempfile.mkstemp(prefix="transcribe-")
    try:
        with os.fdopen(fd, "wb") as out, storage.open(recording.file.name, "rb") as src:
            shutil.copyfileobj(src, out)
        yield Path(name)
    finally:
        os.unlink(name)
