"""Retention: each client's recordings older than its period go, in batches.

Per batch, the row changes commit first (recording rows deleted, the call marked, optionally its
transcript and evaluations deleted, an audit entry per call); the files are deleted after the
commit, so a failure never leaves a row pointing at a missing file or a committed deletion undone.
A file that cannot be deleted is logged and left (no row points at it any more).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from qa.audit.models import Action
from qa.audit.services import audit_record
from qa.reviews.models import Evaluation
from recordings.models import Call, CallAnalytics, Client, Recording, Transcript, recordings_storage

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


@dataclass(frozen=True)
class Expiring:
    call_id: int
    client: str
    external_id: str
    started_at: datetime
    file_name: str
    removes_transcript_and_evaluations: bool
    redacted_file_name: str = ""  # the redacted copy, when one was made: it goes with the original


@dataclass
class RetentionSummary:
    calls: int = 0
    files_deleted: int = 0
    files_failed: list[str] = field(default_factory=list)
    transcripts_deleted: int = 0
    evaluations_deleted: int = 0


def retention_due(*, now: datetime | None = None, limit: int | None = None) -> list[Expiring]:
    """The recordings past their client's retention period, oldest first."""
    now = now or timezone.now()
    due: list[Expiring] = []
    for client in Client.objects.filter(retention_days__isnull=False).order_by("pk"):
        cutoff = now - timedelta(days=client.retention_days)
        recordings = (
            Recording.objects.filter(call__client=client, call__started_at__lt=cutoff)
            .select_related("call").order_by("call__started_at", "pk")
        )
        for recording in recordings[: limit - len(due)] if limit else recordings:
            due.append(Expiring(
                call_id=recording.call_id, client=client.slug, external_id=recording.call.external_id,
                started_at=recording.call.started_at, file_name=recording.file.name,
                removes_transcript_and_evaluations=client.retention_scope == Client.RetentionScope.EVERYTHING,
                redacted_file_name=recording.redacted_file.name or "",
            ))
        if limit and len(due) >= limit:
            break
    return due


def retention_apply(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> RetentionSummary:
    now = now or timezone.now()
    summary = RetentionSummary()
    while batch := retention_due(now=now, limit=batch_size):
        files = _delete_rows(batch, now=now, summary=summary)
        # After the commit: the rows no longer point at these files.
        for name in files:
            try:
                recordings_storage().delete(name)
                summary.files_deleted += 1
            except OSError as exc:
                logger.error("Retention: could not delete %s (%s); no row points at it", name, exc)
                summary.files_failed.append(name)
    return summary


@transaction.atomic
def _delete_rows(batch: list[Expiring], *, now: datetime, summary: RetentionSummary) -> list[str]:
    ids = [item.call_id for item in batch]
    Recording.objects.filter(call_id__in=ids).delete()
    Call.objects.filter(pk__in=ids).update(audio_deleted_at=now)
    full = [item.call_id for item in batch if item.removes_transcript_and_evaluations]
    if full:
        summary.transcripts_deleted += Transcript.objects.filter(call_id__in=full).count()
        Transcript.objects.filter(call_id__in=full).delete()
        CallAnalytics.objects.filter(call_id__in=full).delete()
        evaluations = Evaluation.objects.filter(call_id__in=full)
        summary.evaluations_deleted += evaluations.count()
        evaluations.delete()
    for item in batch:
        audit_record(
            action=Action.RETENTION_DELETED, actor_name="retention", object_type="recordings.call", object_id=item.call_id,
            detail={
                "client": item.client, "external_id": item.external_id, "file": item.file_name,
                "started_at": item.started_at.isoformat(),
                "deleted": "recording, transcript and evaluations" if item.removes_transcript_and_evaluations else "recording",
            },
        )
    summary.calls += len(batch)
    return [name for item in batch for name in (item.file_name, item.redacted_file_name) if name]
