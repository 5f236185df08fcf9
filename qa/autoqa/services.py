"""Auto-QA writes: store or replace a call's automatic evaluation, record reviewers' verdicts, recompute jobs.

The checks themselves run before any of this, outside every transaction (`qa.autoqa.evaluate`); these
functions only write their result, each in one short transaction.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from qa.autoqa.evaluation import Answer, Evaluation
from qa.autoqa.models import AutoAnswer, AutoEvaluation, AutoItem, HumanVerdict, RecomputeJob, Verdict
from qa.autoqa.selectors import recompute_job_calls
from recordings.models import Call


class StoreOutcome(enum.StrEnum):
    STORED = "stored"
    # The transcript it was computed from was replaced (or the call is gone or no longer transcribed):
    # nothing is written; the new transcript queues its own evaluation.
    STALE = "stale"


def auto_evaluation_store(
    *, call_id: int, transcript_id: int, rubric_version_id: int, evaluation: Evaluation, criteria: Mapping[str, int]
) -> StoreOutcome:
    """Replace the call's automatic evaluation with `evaluation`, atomically, if its transcript is still current.

    criteria: check key -> the rubric criterion's id; every result's key must be there.
    """
    unknown = [r.key for r in evaluation.results if r.key not in criteria]
    if unknown:
        raise ValueError(f"no criterion given for the checks {unknown}")
    with transaction.atomic():
        call = (
            Call.objects.select_for_update()
            .filter(pk=call_id, status=Call.Status.TRANSCRIBED, transcript__pk=transcript_id)
            .first()
        )
        if call is None:
            return StoreOutcome.STALE
        AutoEvaluation.objects.filter(call_id=call_id).delete()
        stored = AutoEvaluation.objects.create(
            call_id=call_id,
            transcript_id=transcript_id,
            rubric_version_id=rubric_version_id,
            semantic_model=evaluation.semantic_model[:64],
            notes=list(evaluation.notes),
            seconds=round(evaluation.seconds, 4),
        )
        AutoItem.objects.bulk_create(
            AutoItem(
                evaluation=stored,
                criterion_id=criteria[result.key],
                criterion_key=result.key,
                answer=result.answer.value,
                confidence=result.confidence if result.answer != Answer.UNKNOWN else 0.0,
                evidence=result.evidence[0].to_dict() if result.evidence else None,
                more_evidence=[e.to_dict() for e in result.evidence[1:]],
                detail=result.detail,
                method=result.method[:64],
                applicable=result.applicable,
                position=position,
            )
            for position, result in enumerate(evaluation.results)
        )
    return StoreOutcome.STORED


def auto_evaluation_delete(*, call_id: int) -> int:
    """Drop the call's automatic evaluation (its rubric has no checks any more). Returns rows deleted."""
    deleted, _ = AutoEvaluation.objects.filter(call_id=call_id).delete()
    return deleted


def auto_items_delete(*, rubric_version_ids: Iterable[int], key: str) -> int:
    """Drop the stored answers of one check (switched off) on calls evaluated on these rubric versions."""
    deleted, _ = AutoItem.objects.filter(evaluation__rubric_version_id__in=list(rubric_version_ids), criterion_key=key).delete()
    return deleted


def verdict_agrees(verdict: Verdict, item: AutoItem | None) -> bool | None:
    """Whether a reviewer's verdict keeps the automatic answer; None when there was no claim to keep."""
    if item is None:
        return None
    if item.answer == AutoAnswer.UNKNOWN:
        if item.applicable:
            return None  # the machine said it could not tell
        return verdict == Verdict.NOT_APPLICABLE
    return verdict.value == item.answer


@transaction.atomic
def human_verdicts_replace(*, call_id: int, evaluation_id: int, verdicts: Mapping[str, Verdict]) -> list[HumanVerdict]:
    """Record a submitted (or amended) evaluation's answers on the checked criteria, and whether each kept
    the automatic answer stored for the call now (the one the reviewer was shown)."""
    items = {i.criterion_key: i for i in AutoItem.objects.filter(evaluation__call_id=call_id, criterion_key__in=list(verdicts))}
    HumanVerdict.objects.filter(evaluation_id=evaluation_id).delete()
    now = timezone.now()
    return HumanVerdict.objects.bulk_create(
        HumanVerdict(
            call_id=call_id,
            evaluation_id=evaluation_id,
            criterion_key=key,
            verdict=Verdict(verdict).value,
            auto_answer=items[key].answer if key in items else "",
            agreed=verdict_agrees(Verdict(verdict), items.get(key)),
            recorded_at=now,
        )
        for key, verdict in verdicts.items()
    )


# --- Recompute jobs ---------------------------------------------------------------------


def recompute_job_create(*, date_from: date, date_to: date, client=None, requested_by=None) -> RecomputeJob:
    """A queued job over the transcribed calls started between the two days (both included)."""
    if date_from is None or date_to is None:
        raise ValidationError({"date_from": "Give the first and the last day of the calls to recompute."})
    if date_from > date_to:
        raise ValidationError({"date_to": f"The last day ({date_to}) is before the first ({date_from})."})
    job = RecomputeJob(date_from=date_from, date_to=date_to, client=client, requested_by=requested_by)
    job.total = recompute_job_calls(job).count()
    job.full_clean()
    job.save()
    return job


def recompute_job_start(*, job_id: int) -> RecomputeJob | None:
    """Mark the job running (once); None when it is finished already or gone."""
    now = timezone.now()
    RecomputeJob.objects.filter(pk=job_id, status=RecomputeJob.Status.QUEUED).update(status=RecomputeJob.Status.RUNNING, started_at=now)
    return RecomputeJob.objects.filter(pk=job_id, status=RecomputeJob.Status.RUNNING).first()


def recompute_job_advance(*, job: RecomputeJob, call_id: int, stored: bool, failed: bool) -> bool:
    """Count one processed call and move the cursor past it, if the cursor is where this worker left it.

    False: another worker moved the job on (a task handed out twice), so this one stops.
    """
    moved = RecomputeJob.objects.filter(pk=job.pk, cursor=job.cursor, status=RecomputeJob.Status.RUNNING).update(
        cursor=call_id,
        processed=F("processed") + 1,
        stored=F("stored") + int(stored),
        failed=F("failed") + int(failed),
    )
    if moved:
        job.cursor = call_id
    return bool(moved)


def recompute_job_finish(*, job_id: int, error: str = "") -> None:
    RecomputeJob.objects.filter(pk=job_id, status=RecomputeJob.Status.RUNNING).update(
        status=RecomputeJob.Status.FAILED if error else RecomputeJob.Status.DONE,
        error=error[:2000],
        finished_at=timezone.now(),
    )
