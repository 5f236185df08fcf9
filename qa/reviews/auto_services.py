"""Auto-QA writes on the rubric side: a call's automatic evaluation (the task queued after each transcript),
reviewers' verdicts at submission, the switch that turns a check off, and recomputing a range of calls.

The checks run in `qa.autoqa` (pure, outside any transaction); results are stored by `qa.autoqa.services`.
"""

from __future__ import annotations

import enum
import logging
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from qa.accounts.roles import is_manager
from qa.autoqa import services as autoqa_services
from qa.autoqa.config import Check, ConfigError
from qa.autoqa.evaluation import evaluate
from qa.autoqa.models import RecomputeJob
from qa.autoqa.selectors import recompute_job_calls
from qa.autoqa.transcript import CallContext
from qa.reviews.autochecks import criterion_check, human_verdict
from qa.reviews.models import Criterion, Evaluation, Rubric, RubricVersion
from qa.reviews.selectors import rubric_version_for_call
from recordings.models import Call, CallAnalytics, Transcript

logger = logging.getLogger(__name__)

RECOMPUTE_TASK = "qa.reviews.tasks.auto_recompute"
# Calls per recompute task: each task stays far below the queue's timeout, then queues the next batch.
RECOMPUTE_BATCH = 200


class AutoOutcome(enum.StrEnum):
    STORED = "stored"
    STALE = "stale"  # the transcript was replaced meanwhile: the new one queues its own evaluation
    NO_TRANSCRIPT = "no_transcript"
    NO_RUBRIC = "no_rubric"
    NO_CHECKS = "no_checks"  # the rubric has no check switched on: any old result is removed
    GONE = "gone"


def version_checks(version: RubricVersion) -> tuple[list[Check], dict[str, int]]:
    """The switched-on checks of a rubric version, in rubric order, and each check key's criterion id.

    A stored check that no longer parses (written around the admin's validation) is left out and logged,
    so the version's other checks still run.
    """
    checks, criteria = [], {}
    candidates = (
        Criterion.objects.filter(section__version=version, auto_check__isnull=False, auto_check_enabled=True)
        .exclude(key="")
        .select_related("section")
        .order_by("section__position", "section_id", "position", "id")
    )
    for criterion in candidates:
        try:
            check = criterion_check(criterion)
        except ConfigError as exc:
            logger.error("Criterion %s (%s) has an invalid automatic check, skipped: %s", criterion.pk, criterion.key, exc)
            continue
        if check is not None:
            checks.append(check)
            criteria[check.key] = criterion.pk
    return checks, criteria


def call_context(call: Call, transcript: Transcript) -> CallContext:
    """What the checks' `{agent}` and `{company}` and time windows refer to, for one call."""
    recording = getattr(call, "recording", None)
    duration = recording.duration_seconds if recording is not None else (transcript.audio_seconds or None)
    return CallContext(
        agent_name=call.agent.name if call.agent_id else "",
        company_name=call.client.name,
        duration_seconds=duration,
        hold_seconds=call.hold_seconds,
        language=transcript.language or None,
    )


def call_auto_evaluate(*, call_id: int, use_semantic_model: bool = True) -> AutoOutcome:
    """Check a transcribed call against its rubric's published checks and store the result (replacing any).

    Idempotent. The checks run outside any transaction: never call this inside one (it is a task).
    """
    call = Call.objects.select_related("client", "agent", "recording", "transcript").filter(pk=call_id).first()
    if call is None:
        return AutoOutcome.GONE
    transcript = getattr(call, "transcript", None)
    if call.status != Call.Status.TRANSCRIBED or transcript is None:
        return AutoOutcome.NO_TRANSCRIPT
    version = rubric_version_for_call(call=call)
    if version is None:
        return AutoOutcome.NO_RUBRIC
    checks, criteria = version_checks(version)
    if not checks:
        autoqa_services.auto_evaluation_delete(call_id=call_id)
        return AutoOutcome.NO_CHECKS
    segments = list(transcript.segments.values("speaker", "start", "end", "text", "words"))
    result = evaluate(
        checks,
        transcript=segments,
        analytics=CallAnalytics.objects.filter(call_id=call_id).first(),
        context=call_context(call, transcript),
        use_semantic_model=use_semantic_model,
    )
    stored = autoqa_services.auto_evaluation_store(
        call_id=call_id, transcript_id=transcript.pk, rubric_version_id=version.pk, evaluation=result, criteria=criteria
    )
    return AutoOutcome(stored.value)


def evaluation_verdicts_record(*, evaluation: Evaluation) -> None:
    """At submission (and amendment): the reviewer's answers on checked questions, and whether each kept the
    automatic answer. Calibration scoring is left out: the panel scores blind, without automatic answers."""
    if evaluation.calibration_session_id is not None or evaluation.status != Evaluation.Status.SUBMITTED:
        return
    answers = evaluation.answers.select_related("criterion").filter(criterion__auto_check__isnull=False).exclude(criterion__key="")
    verdicts = {}
    for answer in answers:
        verdict = human_verdict(answer.criterion.spec(), answer.value)
        if verdict is not None:
            verdicts[answer.criterion.key] = verdict
    autoqa_services.human_verdicts_replace(call_id=evaluation.call_id, evaluation_id=evaluation.pk, verdicts=verdicts)


# --- Switching a check off ------------------------------------------------------------------


class SwitchOutcome(enum.StrEnum):
    SWITCHED_ON = "switched_on"
    SWITCHED_OFF = "switched_off"
    UNCHANGED = "unchanged"


@transaction.atomic
def auto_check_switch(*, rubric: Rubric, key: str, enabled: bool, changed_by) -> SwitchOutcome:
    """Turn a rubric's check on or off in all its versions (it changes no score, so no new version).

    Off: it no longer runs, and its stored answers are removed, so no page shows a check that is off.
    Switch it on again and recompute a range of calls to get its answers back.
    """
    if not is_manager(changed_by):
        raise PermissionDenied("Only QA managers switch automatic checks.")
    criteria = Criterion.objects.filter(section__version__rubric=rubric, key=key, auto_check__isnull=False)
    if not criteria.exists():
        raise ValidationError({"key": f"{rubric} has no automatic check '{key}'."})
    changed = criteria.exclude(auto_check_enabled=enabled).update(auto_check_enabled=enabled)
    if not enabled:
        autoqa_services.auto_items_delete(rubric_version_ids=rubric.versions.values_list("pk", flat=True), key=key)
    if not changed:
        return SwitchOutcome.UNCHANGED
    return SwitchOutcome.SWITCHED_ON if enabled else SwitchOutcome.SWITCHED_OFF


# --- Recomputing a range of calls in the background -------------------------------------------


class RecomputeOutcome(enum.StrEnum):
    DONE = "done"
    CONTINUES = "continues"  # the next batch is queued
    STOPPED = "stopped"  # finished already, or another worker holds it


def _enqueue(func: str, *args, name: str) -> None:
    from django_q.tasks import async_task

    async_task(func, *args, task_name=name, group="auto-qa")


def auto_recompute_start(*, date_from: date, date_to: date, client=None, requested_by) -> RecomputeJob:
    """A manager asks to recompute the calls started between two days (after changing a check)."""
    if not is_manager(requested_by):
        raise PermissionDenied("Only QA managers recompute automatic evaluations.")
    with transaction.atomic():
        job = autoqa_services.recompute_job_create(date_from=date_from, date_to=date_to, client=client, requested_by=requested_by)
        job_id = job.pk
        transaction.on_commit(lambda: _enqueue(RECOMPUTE_TASK, job_id, name=f"auto-qa-recompute-{job_id}"))
    return job


def auto_recompute_run(*, job_id: int, batch: int | None = None) -> RecomputeOutcome:
    """One batch of a recompute job; its counts move after every call. Queues the next batch, if any."""
    batch = batch or RECOMPUTE_BATCH
    job = autoqa_services.recompute_job_start(job_id=job_id)
    if job is None:
        return RecomputeOutcome.STOPPED
    call_ids = list(recompute_job_calls(job).filter(pk__gt=job.cursor).values_list("pk", flat=True)[:batch])
    for call_id in call_ids:
        try:
            outcome = call_auto_evaluate(call_id=call_id)
        except Exception:  # noqa: BLE001 - one bad call must not stop the job; it is counted and logged
            logger.exception("Automatic evaluation of call %s failed during recompute job %s", call_id, job_id)
            outcome = None
        if not autoqa_services.recompute_job_advance(
            job=job, call_id=call_id, stored=outcome == AutoOutcome.STORED, failed=outcome is None
        ):
            return RecomputeOutcome.STOPPED
    if len(call_ids) == batch and recompute_job_calls(job).filter(pk__gt=job.cursor).exists():
        _enqueue(RECOMPUTE_TASK, job_id, name=f"auto-qa-recompute-{job_id}-{job.cursor}")
        return RecomputeOutcome.CONTINUES
    autoqa_services.recompute_job_finish(job_id=job_id)
    return RecomputeOutcome.DONE
