"""django-q2 tasks: thin, take ids, and call the transcription services."""

from __future__ import annotations

import logging

from recordings.models import Call, Recording
from recordings.redaction_store import RedactOutcome, recording_redact, redactions_requeue_stale
from recordings.transcription import TranscribeOutcome, call_transcribe, transcription_requeue_stale

logger = logging.getLogger(__name__)


def transcribe_call(call_id: int) -> TranscribeOutcome:
    if not Call.objects.filter(pk=call_id).exists():
        logger.info("Call %s is gone; nothing to transcribe", call_id)
        return TranscribeOutcome.GONE
    return call_transcribe(call_id=call_id)


def requeue_stale_transcriptions() -> int:
    """Scheduled every minute (see recordings.schedules): recovers calls whose worker died."""
    return transcription_requeue_stale()


def redact_recording(recording_id: int) -> RedactOutcome:
    """Queued once a transcript is stored: the recording's redacted copy (see recordings.redaction_store)."""
    if not Recording.objects.filter(pk=recording_id).exists():
        logger.info("Recording %s is gone; nothing to redact", recording_id)
        return RedactOutcome.SKIPPED
    return recording_redact(recording_id=recording_id)


def requeue_stale_redactions() -> int:
    """Scheduled (see recordings.schedules): redacted copies whose task was lost or whose worker died."""
    return redactions_requeue_stale()
