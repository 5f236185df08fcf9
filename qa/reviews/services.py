"""QA writes: rubrics and their versions, evaluations, manual assignment, calibration."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qa.accounts.roles import is_manager
from qa.audit.models import Action
from qa.audit.services import audit_record
from qa.autoqa.defaults import DEAD_AIR_QUESTION, DEFAULT_RUBRIC_KEYS, default_checks
from qa.reviews import access, auto_services, scoring
from qa.reviews.autochecks import check_to_json
from qa.reviews.models import (
    Answer,
    CalibrationSession,
    Criterion,
    Evaluation,
    EvaluationAmendment,
    ReviewAssignment,
    Rubric,
    RubricVersion,
    Section,
    SectionScore,
)
from qa.reviews.selectors import rubric_version_for_call
from recordings.models import Call

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerInput:
    value: str = ""
    comment: str = ""
    comment_at_seconds: float | None = None


# --- Rubrics -----------------------------------------------------------------------


@transaction.atomic
def rubric_create(*, name: str, description: str = "", is_default: bool = False) -> Rubric:
    rubric = Rubric(name=name, description=description, is_default=is_default)
    rubric.full_clean()
    rubric.save()
    RubricVersion.objects.create(rubric=rubric, number=1)
    return rubric


@transaction.atomic
def rubric_version_publish(*, version: RubricVersion) -> RubricVersion:
    """Make a draft the version new evaluations use; the previous one retires (its evaluations keep it)."""
    version = RubricVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != RubricVersion.Status.DRAFT:
        raise ValidationError(f"Version {version.number} is already {version.get_status_display().lower()}.")
    criteria = list(Criterion.objects.filter(section__version=version))
    if not criteria:
        raise ValidationError("A rubric version needs at least one question before it can be published.")
    for criterion in criteria:
        criterion.full_clean()
    RubricVersion.objects.filter(rubric=version.rubric, status=RubricVersion.Status.PUBLISHED).update(
        status=RubricVersion.Status.RETIRED
    )
    version.status = RubricVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def rubric_version_start_edit(*, version: RubricVersion) -> RubricVersion:
    """The version to edit: this one while nobody has scored against it, otherwise a new draft copy.

    Evaluations keep the version they were scored on, so a version in use is never changed.
    """
    version = RubricVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_locked:
        return version
    existing_draft = version.rubric.versions.filter(status=RubricVersion.Status.DRAFT).order_by("-number").first()
    if existing_draft is not None:
        return existing_draft
    return _rubric_version_copy(version=version)


def _rubric_version_copy(*, version: RubricVersion) -> RubricVersion:
    last = version.rubric.versions.order_by("-number").first()
    copy = RubricVersion.objects.create(
        rubric=version.rubric, number=last.number + 1, notes=f"Copied from version {version.number}.",
    )
    for section in version.sections.prefetch_related("criteria"):
        new_section = Section.objects.create(
            version=copy, title=section.title, weight=section.weight, position=section.position,
        )
        Criterion.objects.bulk_create(
            Criterion(
                section=new_section, question=c.question, guidance=c.guidance, answer_type=c.answer_type,
                weight=c.weight, max_points=c.max_points, is_critical=c.is_critical, position=c.position,
                key=c.key, auto_check=c.auto_check, auto_check_enabled=c.auto_check_enabled,
            )
            for c in section.criteria.all()
        )
    return copy


DEFAULT_RUBRIC_NAME = "Standard call quality"

# (section title, weight, [(question, guidance, answer type, weight, max points, critical)])
DEFAULT_RUBRIC = [
    ("Opening", Decimal("15"), [
        ("Greeted the caller with the company name and their own name", "Listen to the first turn: both names must be said, e.g. \"Thank you for calling Acme, my name is Sam\".", scoring.YES_NO, Decimal("2"), None, False),
        ("Disclosed that the call may be recorded", "Required before any personal data is discussed.", scoring.YES_NO, Decimal("1"), None, True),
    ]),
    ("Compliance and security", Decimal("25"), [
        ("Verified the caller's identity before discussing the account", "At least two identifiers (e.g. account number and date of birth or postcode) before any account detail is shared.", scoring.YES_NO_NA, Decimal("2"), None, True),
        ("Handled payment card details securely", "Card numbers are not read back in full and no CVV is repeated aloud. N/A when no payment was taken.", scoring.YES_NO_NA, Decimal("1"), None, True),
    ]),
    ("Listening and empathy", Decimal("25"), [
        ("Listened actively without talking over the caller", "Let the caller finish, paraphrased the problem back, asked clarifying questions.", scoring.SCALE_1_5, Decimal("1"), None, False),
        ("Showed empathy and kept a professional tone", "Acknowledged the caller's situation (\"I understand how frustrating that is\").", scoring.SCALE_1_5, Decimal("1"), None, False),
    ]),
    ("Resolution", Decimal("25"), [
        ("Resolved the issue correctly or set a clear next step", "0 = wrong or no resolution, 1 = partial, 2 = resolved but unclear, 3 = resolved and confirmed with the caller.", scoring.POINTS, Decimal("3"), 3, False),
        ("Gave accurate information", "Prices, dates and policies match the knowledge base.", scoring.YES_NO, Decimal("1"), None, False),
    ]),
    ("Hold and closing", Decimal("10"), [
        ("Asked permission before placing on hold and thanked the caller after", "N/A when the caller was not put on hold.", scoring.YES_NO_NA, Decimal("1"), None, False),
        (DEAD_AIR_QUESTION, "No silence over 10 s other than a hold the agent asked for; explain what you are doing while you look things up.", scoring.YES_NO, Decimal("1"), None, False),
        ("Asked \"Is there anything else I can help with?\" before closing", "", scoring.YES_NO, Decimal("1"), None, False),
        ("Closed the call politely with the company name", "", scoring.YES_NO, Decimal("1"), None, False),
    ]),
]


@transaction.atomic
def rubric_install_default() -> Rubric:
    """Install the shipped default rubric, once: running it again changes nothing."""
    rubric = Rubric.objects.filter(name=DEFAULT_RUBRIC_NAME).first()
    if rubric is not None:
        return rubric
    rubric = rubric_create(
        name=DEFAULT_RUBRIC_NAME,
        description="The centre's default form: opening, compliance, listening, resolution, hold and closing.",
        is_default=not Rubric.objects.filter(is_default=True).exists(),
    )
    version = rubric.versions.get()
    checks = {check.key: check for check in default_checks()}
    for s_pos, (title, weight, criteria) in enumerate(DEFAULT_RUBRIC):
        section = Section.objects.create(version=version, title=title, weight=weight, position=s_pos)
        for c_pos, (question, guidance, answer_type, c_weight, max_points, critical) in enumerate(criteria):
            key = DEFAULT_RUBRIC_KEYS.get(question, "")
            criterion = Criterion(
                section=section, question=question, guidance=guidance, answer_type=answer_type,
                weight=c_weight, max_points=max_points, is_critical=critical, position=c_pos,
                key=key, auto_check=check_to_json(checks[key]) if key else None,
            )
            criterion.full_clean()
            criterion.save()
    rubric_version_publish(version=version)
    return rubric


# --- Evaluations --------------------------------------------------------------------


def _queue_evaluation_tasks_on_commit(evaluation_id: int) -> None:
    """Once committed, queue the django-q2 tasks named in settings.QA_EVALUATION_TASKS with a new or changed score.

    Apps above this one (training rules) hear of scores this way, explicitly, rather than through signals.
    The list is read now, at the change, not when the outermost transaction commits. The evaluation is
    saved whatever happens here: a broker that is down only costs the follow-up (logged; the training
    rules' hourly schedule covers it).
    """
    from django_q.tasks import async_task

    tasks = tuple(getattr(settings, "QA_EVALUATION_TASKS", ()))

    def queue() -> None:
        for task in tasks:
            try:
                async_task(task, evaluation_id, group="after-evaluation")
            except Exception as exc:  # noqa: BLE001 - any broker failure
                logger.warning("Could not queue %s for evaluation %s (%s: %s)", task, evaluation_id, type(exc).__name__, exc)

    if tasks:
        transaction.on_commit(queue)


def evaluation_score(*, version: RubricVersion, values: Mapping[int, str]) -> scoring.ScoreResult:
    sections = [
        scoring.SectionSpec(key=s.pk, weight=s.weight, criteria=tuple(c.spec() for c in s.criteria.all()))
        for s in version.sections.prefetch_related("criteria")
    ]
    return scoring.score(sections, values)


def _clean_answers(*, version: RubricVersion, answers: Mapping[int, AnswerInput], complete: bool) -> dict[int, AnswerInput]:
    criteria = {c.pk: c for c in Criterion.objects.filter(section__version=version)}
    unknown = set(answers) - set(criteria)
    if unknown:
        raise ValidationError(f"Questions {sorted(unknown)} are not part of rubric version {version.number}.")
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, AnswerInput] = {}
    for pk, criterion in criteria.items():
        given = answers.get(pk, AnswerInput())
        value = (given.value or "").strip().lower()
        if value:
            try:
                scoring.answer_fraction(criterion.spec(), value)
            except scoring.ScoringError as exc:
                errors.setdefault(f"c{pk}", []).append(str(exc))
        elif complete:
            errors.setdefault(f"c{pk}", []).append(f"Answer \"{criterion.question}\" before submitting.")
        at = given.comment_at_seconds
        if at is not None and at < 0:
            errors.setdefault(f"c{pk}", []).append("A comment cannot be pinned before the start of the call.")
        cleaned[pk] = AnswerInput(value=value, comment=(given.comment or "").strip(), comment_at_seconds=at)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _write_section_scores(*, evaluation: Evaluation, result: scoring.ScoreResult) -> None:
    sections = {s.pk: s for s in evaluation.version.sections.all()}
    SectionScore.objects.filter(evaluation=evaluation).delete()
    SectionScore.objects.bulk_create(
        SectionScore(evaluation=evaluation, section=sections[pk], title=sections[pk].title,
                     position=sections[pk].position, score=percent)
        for pk, percent in result.section_percents.items()
    )


def _write_answers(*, evaluation: Evaluation, answers: Mapping[int, AnswerInput]) -> None:
    existing = {a.criterion_id: a for a in evaluation.answers.all()}
    for pk, given in answers.items():
        answer = existing.get(pk) or Answer(evaluation=evaluation, criterion_id=pk)
        answer.value, answer.comment, answer.comment_at_seconds = given.value, given.comment, given.comment_at_seconds
        answer.save()


def _evaluation_for_update(*, call: Call, reviewer, calibration_session: CalibrationSession | None) -> Evaluation:
    """The evaluation this reviewer works on for the call, created as a draft on first save."""
    if calibration_session is not None:
        if calibration_session.call_id != call.pk:
            raise ValidationError("This calibration session is about another call.")
        if not calibration_session.reviewers.filter(pk=reviewer.pk).exists():
            raise PermissionDenied("You are not on this calibration panel.")
        evaluation = (
            Evaluation.objects.select_for_update()
            .filter(calibration_session=calibration_session, reviewer=reviewer).first()
        )
        version = calibration_session.version
    else:
        evaluation = Evaluation.objects.select_for_update().filter(call=call, calibration_session__isnull=True).first()
        version = None
    if evaluation is None:
        version = version or rubric_version_for_call(call=call)
        if version is None:
            raise ValidationError(f"No published rubric applies to {call.client}'s calls.")
        evaluation = Evaluation(call=call, reviewer=reviewer, version=version, calibration_session=calibration_session)
        evaluation.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                evaluation.save()
        except IntegrityError as exc:
            raise ValidationError("Someone else started evaluating this call a moment ago; reload the page.") from exc
        return evaluation
    if evaluation.is_locked:
        raise ValidationError("This evaluation was submitted and is locked; a QA manager can amend it.")
    if evaluation.reviewer_id != reviewer.pk and not is_manager(reviewer):
        raise PermissionDenied(f"{evaluation.reviewer} is evaluating this call.")
    return evaluation


@transaction.atomic
def evaluation_save_draft(
    *, call: Call, reviewer, answers: Mapping[int, AnswerInput], comment: str = "",
    comment_at_seconds: float | None = None, calibration_session: CalibrationSession | None = None,
) -> Evaluation:
    if not access.can_review(reviewer):
        raise PermissionDenied("Only QA reviewers and managers evaluate calls.")
    evaluation = _evaluation_for_update(call=call, reviewer=reviewer, calibration_session=calibration_session)
    cleaned = _clean_answers(version=evaluation.version, answers=answers, complete=False)
    evaluation.comment = (comment or "").strip()
    evaluation.comment_at_seconds = comment_at_seconds
    evaluation.full_clean(validate_constraints=False)
    evaluation.save()
    _write_answers(evaluation=evaluation, answers=cleaned)
    return evaluation


@transaction.atomic
def evaluation_submit(
    *, call: Call, reviewer, answers: Mapping[int, AnswerInput], comment: str = "",
    comment_at_seconds: float | None = None, calibration_session: CalibrationSession | None = None,
) -> Evaluation:
    """Score and lock. Every question must be answered; nothing is written if one is not."""
    if not access.can_review(reviewer):
        raise PermissionDenied("Only QA reviewers and managers evaluate calls.")
    evaluation = _evaluation_for_update(call=call, reviewer=reviewer, calibration_session=calibration_session)
    cleaned = _clean_answers(version=evaluation.version, answers=answers, complete=True)
    result = evaluation_score(version=evaluation.version, values={pk: a.value for pk, a in cleaned.items()})
    if result.percent is None:
        raise ValidationError("Every question is N/A: there is nothing to score.")
    now = timezone.now()
    evaluation.comment = (comment or "").strip()
    evaluation.comment_at_seconds = comment_at_seconds
    evaluation.score = result.percent
    evaluation.critical_failed = result.critical_failed
    evaluation.status = Evaluation.Status.SUBMITTED
    evaluation.submitted_at = now
    evaluation.full_clean(validate_constraints=False)
    evaluation.save()
    _write_answers(evaluation=evaluation, answers=cleaned)
    _write_section_scores(evaluation=evaluation, result=result)
    audit_record(action=Action.EVALUATION_SUBMITTED, actor=reviewer, obj=evaluation, detail={"score": str(result.percent)})
    if evaluation.calibration_session_id is None:
        ReviewAssignment.objects.filter(call=call, status=ReviewAssignment.Status.PENDING).update(
            status=ReviewAssignment.Status.DONE, completed_at=now
        )
    auto_services.evaluation_verdicts_record(evaluation=evaluation)
    _queue_evaluation_tasks_on_commit(evaluation.pk)
    return evaluation


@transaction.atomic
def evaluation_amend(
    *, evaluation: Evaluation, manager, answers: Mapping[int, AnswerInput], reason: str,
    comment: str | None = None, comment_at_seconds: float | None = None,
) -> Evaluation:
    """A manager changes a submitted evaluation; the change and its reason are logged."""
    if not access.can_amend_evaluation(manager, evaluation):
        raise PermissionDenied("Only a QA manager can change a submitted evaluation.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the submitted evaluation is being changed."})
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not evaluation.is_locked:
        raise ValidationError("Only submitted evaluations are amended; a draft is simply saved.")
    before = {a.criterion_id: a for a in evaluation.answers.select_related("criterion")}
    merged = {
        pk: answers.get(pk, AnswerInput(a.value, a.comment, a.comment_at_seconds)) for pk, a in before.items()
    }
    merged.update({pk: a for pk, a in answers.items() if pk not in merged})
    cleaned = _clean_answers(version=evaluation.version, answers=merged, complete=True)
    result = evaluation_score(version=evaluation.version, values={pk: a.value for pk, a in cleaned.items()})
    if result.percent is None:
        raise ValidationError("Every question is N/A: there is nothing to score.")

    changes = []
    for pk, new in cleaned.items():
        old = before.get(pk)
        for field in ("value", "comment", "comment_at_seconds"):
            old_value = getattr(old, field) if old else None
            if old_value != getattr(new, field):
                question = old.criterion.question if old else str(pk)
                changes.append({"field": f"{question}: {field}", "before": old_value, "after": getattr(new, field)})
    if comment is not None and comment.strip() != evaluation.comment:
        changes.append({"field": "comment", "before": evaluation.comment, "after": comment.strip()})
        evaluation.comment = comment.strip()
    if comment is not None and comment_at_seconds != evaluation.comment_at_seconds:
        changes.append({"field": "comment pinned at", "before": evaluation.comment_at_seconds, "after": comment_at_seconds})
        evaluation.comment_at_seconds = comment_at_seconds
    if not changes:
        raise ValidationError("Nothing was changed.")

    amendment = EvaluationAmendment(
        evaluation=evaluation, changed_by=manager, reason=reason,
        score_before=evaluation.score, score_after=result.percent, changes=changes,
    )
    amendment.full_clean()
    evaluation.score = result.percent
    evaluation.critical_failed = result.critical_failed
    evaluation.full_clean(validate_constraints=False)
    evaluation.save()
    _write_answers(evaluation=evaluation, answers=cleaned)
    _write_section_scores(evaluation=evaluation, result=result)
    amendment.save()
    audit_record(
        action=Action.EVALUATION_AMENDED, actor=manager, obj=evaluation,
        detail={"reason": reason, "score_before": str(amendment.score_before), "score_after": str(amendment.score_after)},
    )
    auto_services.evaluation_verdicts_record(evaluation=evaluation)
    _queue_evaluation_tasks_on_commit(evaluation.pk)
    return evaluation


# --- Manual assignment and calibration -----------------------------------------------


def review_assignment_validate(*, call: Call, reviewer) -> None:
    """Raise ValidationError when the call cannot go into this reviewer's queue (shared with the admin form)."""
    if not access.can_review(reviewer):
        raise ValidationError({"reviewer": f"{reviewer} is not a QA reviewer."})
    if call.status != Call.Status.TRANSCRIBED:
        raise ValidationError({"call": "Only transcribed calls can be reviewed."})
    if Evaluation.objects.filter(call=call, calibration_session__isnull=True, status=Evaluation.Status.SUBMITTED).exists():
        raise ValidationError({"call": "This call has already been evaluated."})
    if getattr(call.agent, "user_id", None) == reviewer.pk:
        raise ValidationError({"reviewer": "Reviewers do not evaluate their own calls."})


@transaction.atomic
def review_assign(*, call: Call, reviewer, due_at: datetime, assigned_by) -> ReviewAssignment:
    """A manager puts a call in a reviewer's queue by hand (or moves it to another reviewer)."""
    if not is_manager(assigned_by):
        raise PermissionDenied("Only QA managers assign calls by hand.")
    review_assignment_validate(call=call, reviewer=reviewer)
    assignment = ReviewAssignment.objects.select_for_update().filter(call=call).first()
    if assignment is None:
        assignment = ReviewAssignment(call=call)
    assignment.reviewer, assignment.due_at, assignment.assigned_by = reviewer, due_at, assigned_by
    assignment.status = ReviewAssignment.Status.PENDING
    assignment.full_clean(validate_constraints=False)
    assignment.save()
    return assignment


def calibration_session_validate(*, call: Call, reviewers: list, expert=None) -> RubricVersion:
    """Raise ValidationError for a panel that cannot calibrate; return the rubric version it will use."""
    if len(reviewers) < 2:
        raise ValidationError({"reviewers": "Calibration needs at least two reviewers."})
    not_reviewers = [str(r) for r in reviewers if not access.can_review(r)]
    if not_reviewers:
        raise ValidationError({"reviewers": f"Not QA reviewers: {', '.join(not_reviewers)}."})
    if expert is not None and expert not in reviewers:
        raise ValidationError({"expert": "The expert must be one of the session's reviewers."})
    version = rubric_version_for_call(call=call)
    if version is None:
        raise ValidationError({"call": f"No published rubric applies to {call.client}'s calls."})
    return version


@transaction.atomic
def calibration_session_create(
    *, title: str, call: Call, reviewers: Iterable, created_by, expert=None, due_at: datetime | None = None,
) -> CalibrationSession:
    if not is_manager(created_by):
        raise PermissionDenied("Only QA managers run calibration sessions.")
    reviewers = list(reviewers)
    version = calibration_session_validate(call=call, reviewers=reviewers, expert=expert)
    session = CalibrationSession(title=title, call=call, version=version, created_by=created_by, expert=expert, due_at=due_at)
    session.full_clean()
    session.save()
    session.reviewers.set(reviewers)
    return session


@transaction.atomic
def calibration_session_set_expert(*, session: CalibrationSession, expert, changed_by) -> CalibrationSession:
    if not is_manager(changed_by):
        raise PermissionDenied("Only QA managers run calibration sessions.")
    if expert is not None and not session.reviewers.filter(pk=expert.pk).exists():
        raise ValidationError({"expert": "The expert must be one of the session's reviewers."})
    session.expert = expert
    session.save(update_fields=["expert"])
    return session
