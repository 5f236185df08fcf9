"""Evaluations: drafts, submission and locking, manager amendments, rubric versions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qa import services
from qa.models import Evaluation, EvaluationAmendment, ReviewAssignment, Rubric, RubricAssignment, RubricVersion
from qa.selectors import rubric_version_for_call, version_criteria
from qa.services import AnswerInput
from tests.factories import ClientFactory, ManagerFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


def all_yes(version, **overrides):
    answers = {}
    for criterion in version_criteria(version=version):
        value = {"scale_1_5": "5", "points": str(criterion.max_points or 0)}.get(criterion.answer_type, "yes")
        answers[criterion.pk] = AnswerInput(value=overrides.get(criterion.question, value))
    return answers


def test_it_installs_the_default_rubric_once(default_rubric):
    again = services.rubric_install_default()
    assert again.pk == default_rubric.pk
    assert Rubric.objects.count() == 1
    version = default_rubric.versions.get()
    assert version.status == RubricVersion.Status.PUBLISHED
    questions = [c.question for c in version_criteria(version=version)]
    assert any("company name and their own name" in q for q in questions)
    assert any("anything else" in q.lower() for q in questions)
    critical = [c.question for c in version_criteria(version=version) if c.is_critical]
    assert any("recorded" in q for q in critical) and any("identity" in q for q in critical)


def test_it_scores_a_perfect_call_100_and_locks_it(default_rubric, transcribed_call):
    reviewer = ReviewerFactory()
    version = rubric_version_for_call(call=transcribed_call)
    evaluation = services.evaluation_submit(call=transcribed_call, reviewer=reviewer, answers=all_yes(version))
    assert evaluation.status == Evaluation.Status.SUBMITTED
    assert evaluation.score == Decimal("100.00")
    with pytest.raises(ValidationError, match="locked"):
        services.evaluation_save_draft(call=transcribed_call, reviewer=reviewer, answers=all_yes(version))


def test_it_scores_zero_when_the_recording_disclosure_is_missed(default_rubric, transcribed_call):
    version = rubric_version_for_call(call=transcribed_call)
    answers = all_yes(version, **{"Disclosed that the call may be recorded": "no"})
    evaluation = services.evaluation_submit(call=transcribed_call, reviewer=ReviewerFactory(), answers=answers)
    assert (evaluation.score, evaluation.critical_failed) == (Decimal("0.00"), True)


def test_it_keeps_a_partial_draft_and_refuses_to_submit_it(default_rubric, transcribed_call):
    reviewer = ReviewerFactory()
    version = rubric_version_for_call(call=transcribed_call)
    first = version_criteria(version=version)[0]
    draft = services.evaluation_save_draft(
        call=transcribed_call, reviewer=reviewer, comment="Good opening",
        answers={first.pk: AnswerInput(value="yes", comment="Clear", comment_at_seconds=1.5)},
    )
    assert draft.status == Evaluation.Status.DRAFT and draft.score is None
    assert draft.answers.get(criterion=first).comment_at_seconds == 1.5
    with pytest.raises(ValidationError, match="before submitting"):
        services.evaluation_submit(call=transcribed_call, reviewer=reviewer, answers={first.pk: AnswerInput(value="yes")})
    draft.refresh_from_db()
    assert draft.status == Evaluation.Status.DRAFT


def test_it_rejects_an_answer_the_question_does_not_allow_and_writes_nothing(default_rubric, transcribed_call):
    version = rubric_version_for_call(call=transcribed_call)
    answers = all_yes(version, **{"Greeted the caller with the company name and their own name": "na"})
    with pytest.raises(ValidationError, match="not an answer"):
        services.evaluation_submit(call=transcribed_call, reviewer=ReviewerFactory(), answers=answers)
    assert not Evaluation.objects.exists()


def test_it_keeps_other_reviewers_out_of_a_draft(default_rubric, transcribed_call):
    version = rubric_version_for_call(call=transcribed_call)
    services.evaluation_save_draft(call=transcribed_call, reviewer=ReviewerFactory(), answers={})
    with pytest.raises(PermissionDenied):
        services.evaluation_submit(call=transcribed_call, reviewer=ReviewerFactory(), answers=all_yes(version))


def test_it_refuses_evaluations_from_non_reviewers(default_rubric, transcribed_call):
    with pytest.raises(PermissionDenied):
        services.evaluation_save_draft(call=transcribed_call, reviewer=UserFactory(is_staff=True), answers={})


def test_it_lets_a_manager_amend_a_submitted_evaluation_with_a_logged_reason(default_rubric, transcribed_call):
    version = rubric_version_for_call(call=transcribed_call)
    evaluation = services.evaluation_submit(call=transcribed_call, reviewer=ReviewerFactory(), answers=all_yes(version))
    manager = ManagerFactory()
    closing = next(c for c in version_criteria(version=version) if "anything else" in c.question.lower())

    with pytest.raises(ValidationError, match="why"):
        services.evaluation_amend(evaluation=evaluation, manager=manager, reason=" ", answers={closing.pk: AnswerInput(value="no")})
    with pytest.raises(PermissionDenied):
        services.evaluation_amend(evaluation=evaluation, manager=ReviewerFactory(), reason="x", answers={closing.pk: AnswerInput(value="no")})

    amended = services.evaluation_amend(
        evaluation=evaluation, manager=manager, reason="Agent did not offer further help at 0:52",
        answers={closing.pk: AnswerInput(value="no")},
    )
    assert amended.score < Decimal("100")
    log = EvaluationAmendment.objects.get()
    assert (log.changed_by, log.score_before, log.score_after) == (manager, Decimal("100.00"), amended.score)
    assert log.changes == [{"field": f"{closing.question}: value", "before": "yes", "after": "no"}]


def test_it_marks_the_queue_item_done_on_submit(default_rubric, transcribed_call):
    reviewer, manager = ReviewerFactory(), ManagerFactory()
    from django.utils import timezone

    assignment = services.review_assign(call=transcribed_call, reviewer=reviewer, due_at=timezone.now(), assigned_by=manager)
    services.evaluation_submit(call=transcribed_call, reviewer=reviewer, answers=all_yes(rubric_version_for_call(call=transcribed_call)))
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.DONE


# --- Versions -----------------------------------------------------------------------


def test_it_edits_an_unused_version_in_place(default_rubric):
    version = default_rubric.versions.get()
    assert services.rubric_version_start_edit(version=version) == version


def test_it_copies_a_version_in_use_and_old_evaluations_keep_theirs(default_rubric, transcribed_call):
    v1 = default_rubric.versions.get()
    evaluation = services.evaluation_submit(call=transcribed_call, reviewer=ReviewerFactory(), answers=all_yes(v1))

    v2 = services.rubric_version_start_edit(version=v1)
    assert v2.pk != v1.pk and v2.number == 2 and v2.status == RubricVersion.Status.DRAFT
    assert len(version_criteria(version=v2)) == len(version_criteria(version=v1))
    # Asking again returns the same draft instead of piling up copies.
    assert services.rubric_version_start_edit(version=v1) == v2

    greeting = version_criteria(version=v2)[0]
    greeting.question = "Greeted the caller warmly"
    greeting.save()
    services.rubric_version_publish(version=v2)

    v1.refresh_from_db()
    evaluation.refresh_from_db()
    assert v1.status == RubricVersion.Status.RETIRED
    assert evaluation.version == v1 and evaluation.score == Decimal("100.00")
    assert version_criteria(version=v1)[0].question.startswith("Greeted the caller with the company name")
    assert rubric_version_for_call(call=transcribed_call) == v2


def test_it_uses_the_clients_own_rubric(default_rubric, transcribed_call):
    own = services.rubric_create(name="Premium client form")
    RubricAssignment.objects.create(client=transcribed_call.client, rubric=own)
    assert rubric_version_for_call(call=transcribed_call) is None  # its version 1 is still a draft
    other_client_call_version = rubric_version_for_call(call=type(transcribed_call)(client=ClientFactory()))
    assert other_client_call_version.rubric == default_rubric


def test_it_refuses_to_publish_an_empty_version(db):
    rubric = services.rubric_create(name="Empty")
    with pytest.raises(ValidationError, match="at least one question"):
        services.rubric_version_publish(version=rubric.versions.get())
