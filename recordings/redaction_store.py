"""Redaction kept beside the original: computed once when a transcript is stored, then the audio copy.

1. `transcript_redaction_store` runs inside the transaction that stores the transcript: it masks the
   segments (recordings.redaction), writes the redacted text, words and masked spans beside the
   originals, and marks the recording's redacted copy pending; once committed, a task is queued.
2. `recording_redact` is that task's work: claim the recording with a conditional update, silence the
   spans into a FLAC copy outside any transaction, store it under a generated name and swap it in only
   if the claim still holds. A second run, or a stale claim taken over, stores the copy once.

Everyone but QA staff allowed to see originals (recordings.access.sees_unredacted) reads the redacted
text and hears the redacted copy. Until they exist those people get nothing: never the original.
"""

from __future__ import annotations

import enum
import logging
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from recordings.audio import AudioError
from recordings.audio_redaction import audio_redact
from recordings.models import Client, Recording, RedactionStatus, Segment, Transcript, recordings_storage
from recordings.redaction import MaskedSpan, RedactionInputError, transcript_redact

logger = logging.getLogger(__name__)

TASK = "recordings.tasks.redact_recording"


class RedactOutcome(enum.StrEnum):
    READY = "ready"
    FAILED = "failed"
    SKIPPED = "skipped"  # not ours: done already, taken by another worker, or replaced meanwhile


def redaction_region(client: Client) -> str:
    """The default phone region for the client's calls: its country, else the server's default."""
    return (client.country or settings.REDACTION_DEFAULT_REGION).upper()


def transcript_redaction_store(*, transcript: Transcript, segments: Iterable | None = None) -> bool:
    """Mask the transcript and keep the result beside it; False (and nothing for redacted readers) on failure.

    Call it inside the transaction that stores the transcript, after its segments: `segments` are
    what was stored, in index order (the engine's utterances or Segment rows; read back when omitted).
    """
    call = transcript.call
    rows = list(transcript.segments.order_by("index"))
    try:
        result = transcript_redact(rows if segments is None else segments, region=redaction_region(call.client))
    except RedactionInputError as exc:
        # Never block storing the transcript: redacted readers simply see none (fail closed).
        logger.error("Call %s: the transcript could not be redacted: %s", call.pk, exc)
        Recording.objects.filter(call=call).update(
            redaction_status=RedactionStatus.FAILED, redaction_failure=f"The transcript could not be redacted: {exc}"[:2000],
        )
        return False
    if len(result.segments) != len(rows):
        raise ValueError(f"redaction of call {call.pk} gave {len(result.segments)} segments for {len(rows)} stored")
    for row, redacted in zip(rows, result.segments):
        row.redacted_text = redacted.text
        row.redacted_words = [list(word) for word in redacted.words]
    Segment.objects.bulk_update(rows, ["redacted_text", "redacted_words"], batch_size=500)
    Transcript.objects.filter(pk=transcript.pk).update(
        redacted_text=result.text,
        masked_spans=result.spans_as_json(),
        redaction_region=redaction_region(call.client),
        redacted_at=timezone.now(),
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchVector

        # A second statement: an UPDATE's expressions read the row as it was before it.
        Transcript.objects.filter(pk=transcript.pk).update(
            redacted_search_vector=SearchVector("redacted_text", config="english")
        )
    recording_redaction_queue(call_id=call.pk)
    return True


def recording_redaction_queue(*, call_id: int) -> None:
    """Mark the call's recording for a (new) redacted copy and queue the work once the transaction commits.

    The copy made for an earlier transcript stops being served now: its masks may no longer be right.
    """
    recording_id = Recording.objects.filter(call_id=call_id).values_list("pk", flat=True).first()
    if recording_id is None:
        return
    Recording.objects.filter(pk=recording_id).update(
        redaction_status=RedactionStatus.PENDING, redaction_failure="", redaction_changed_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue(recording_id))


def _enqueue(recording_id: int) -> bool:
    """Hand the task to the broker; False (logged) when it could not: the sweep queues it again later."""
    from django_q.tasks import async_task

    try:
        async_task(TASK, recording_id, task_name=f"redact-recording-{recording_id}", group="redaction")
    except Exception as exc:  # noqa: BLE001 - any broker failure: the recording waits for the sweep
        logger.warning("Could not queue recording %s for its redacted copy (%s: %s)", recording_id, type(exc).__name__, exc)
        return False
    return True


def redactions_requeue_stale() -> int:
    """Queue again the copies whose task was lost or whose worker died: pending or being made for longer than
    `TRANSCRIBE_STALE_AFTER`. Each is touched when queued, so a backlog gets one extra task per interval at most."""
    stale = Q(redaction_status__in=[RedactionStatus.PENDING, RedactionStatus.WORKING], redaction_changed_at__lt=_stale_before())
    requeued = 0
    for recording_id in Recording.objects.filter(stale).values_list("pk", flat=True):
        # Conditional, so a worker that claims it meanwhile keeps it.
        if Recording.objects.filter(stale, pk=recording_id).update(
            redaction_status=RedactionStatus.PENDING, redaction_changed_at=timezone.now()
        ):
            if not _enqueue(recording_id):
                break  # the broker is down: the next sweep tries again, nothing is lost
            requeued += 1
    return requeued


@dataclass(frozen=True)
class RedactionClaim:
    recording_id: int
    claimed_at: datetime


def _stale_before():
    return timezone.now() - timedelta(seconds=settings.TRANSCRIBE_STALE_AFTER)


def _claimable() -> Q:
    return Q(redaction_status=RedactionStatus.PENDING) | Q(
        redaction_status=RedactionStatus.WORKING, redaction_changed_at__lt=_stale_before()
    )


def redaction_claim(*, recording_id: int) -> RedactionClaim | None:
    now = timezone.now()
    taken = Recording.objects.filter(_claimable(), pk=recording_id).update(
        redaction_status=RedactionStatus.WORKING, redaction_changed_at=now, redaction_failure=""
    )
    return RedactionClaim(recording_id, now) if taken else None


def _owned(claim: RedactionClaim):
    return Recording.objects.filter(
        pk=claim.recording_id, redaction_status=RedactionStatus.WORKING, redaction_changed_at=claim.claimed_at
    )


def recording_redact(*, recording_id: int) -> RedactOutcome:
    """Make the recording's redacted copy (a django-q2 task's work; safe to run twice or after a crash)."""
    claim = redaction_claim(recording_id=recording_id)
    if claim is None:
        return RedactOutcome.SKIPPED
    recording = Recording.objects.select_related("call__client").filter(pk=recording_id).first()
    if recording is None:  # deleted meanwhile (retention)
        return RedactOutcome.SKIPPED
    transcript = Transcript.objects.filter(call_id=recording.call_id).first()
    if transcript is None or transcript.redacted_at is None:
        return _fail(claim, "The call has no redacted transcript to take the masked spans from.")
    try:
        intervals = [i for span in transcript.masked_spans for i in MaskedSpan.from_dict(span).audio_intervals]
    except RedactionInputError as exc:
        return _fail(claim, f"The stored masked spans are unreadable: {exc}")

    storage = recordings_storage()
    stored_name = ""
    try:
        with tempfile.TemporaryDirectory(prefix="redact-") as workdir:
            source = _local_source(recording, Path(workdir))
            redacted = audio_redact(source, Path(workdir) / "redacted.flac", intervals=intervals)
            with open(redacted.path, "rb") as fh:
                stored_name = storage.save(f"{recording.client_id}/redacted-{uuid.uuid4().hex}.flac", File(fh))
        with transaction.atomic():
            owned = _owned(claim).select_for_update().first()
            current = Transcript.objects.filter(call_id=recording.call_id).values_list("pk", flat=True).first()
            if owned is None or current != transcript.pk:
                logger.info("Recording %s was re-queued while being redacted; this copy is dropped", recording_id)
                return RedactOutcome.SKIPPED
            previous = owned.redacted_file.name
            Recording.objects.filter(pk=recording_id).update(
                redacted_file=stored_name, redaction_status=RedactionStatus.READY, redaction_failure="",
                redaction_changed_at=timezone.now(),
            )
            if previous and previous != stored_name:
                transaction.on_commit(lambda: recordings_storage().delete(previous))
        stored_name = ""  # committed: the file now belongs to the row
        logger.info("Recording %s: redacted copy made (%.1f s silenced)", recording_id, redacted.silenced_seconds)
        return RedactOutcome.READY
    except (AudioError, OSError, ValueError) as exc:
        logger.warning("Recording %s could not be redacted: %s", recording_id, exc)
        return _fail(claim, f"The redacted copy could not be made: {exc}")
    finally:
        if stored_name:
            storage.delete(stored_name)


def _local_source(recording: Recording, workdir: Path) -> Path:
    """A filesystem path to the original: the stored file itself on local storage, else a copy in `workdir`."""
    storage = recordings_storage()
    try:
        return Path(storage.path(recording.file.name))
    except NotImplementedError:
        pass
    target = workdir / f"source.{recording.file.name.rsplit('.', 1)[-1]}"
    with storage.open(recording.file.name, "rb") as src, open(target, "wb") as out:
        for chunk in iter(lambda: src.read(1024 * 1024), b""):
            out.write(chunk)
    return target


def _fail(claim: RedactionClaim, reason: str) -> RedactOutcome:
    updated = _owned(claim).update(
        redaction_status=RedactionStatus.FAILED, redaction_failure=reason[:2000], redaction_changed_at=timezone.now()
    )
    return RedactOutcome.FAILED if updated else RedactOutcome.SKIPPED


@dataclass(frozen=True)
class RedactionCatchUp:
    transcripts_redacted: int
    recordings_queued: int


def redactions_catch_up(*, include_failed: bool = False) -> RedactionCatchUp:
    """Redact transcripts stored before redaction existed (or whose redaction failed), and queue every
    recording whose copy is missing: pending, stale, or (with `include_failed`) failed."""
    statuses = Q(redaction_status=RedactionStatus.WAITING) | _claimable()
    if include_failed:
        statuses |= Q(redaction_status=RedactionStatus.FAILED)
    # Listed first: redacting a transcript below queues its recording by itself.
    to_queue = list(
        Recording.objects.filter(statuses, call__transcript__redacted_at__isnull=False).values_list("call_id", flat=True)
    )
    redacted = 0
    for transcript_id in Transcript.objects.filter(redacted_at__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            transcript = Transcript.objects.select_for_update().select_related("call__client").get(pk=transcript_id)
            redacted += int(transcript_redaction_store(transcript=transcript))
    for call_id in to_queue:
        with transaction.atomic():
            recording_redaction_queue(call_id=call_id)
    return RedactionCatchUp(transcripts_redacted=redacted, recordings_queued=len(to_queue))
