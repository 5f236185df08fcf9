"""Evaluations: drafts, submission and locking, manager amendments, rubric versions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qa.reviews import services
from qa.reviews.models import Evaluation, EvaluationAmendment, ReviewAssignment, Rubric, RubricAssignment, RubricVersion
from qa.reviews.selectors import rubric_version_for_call, version_criteria
from qa.reviews.services import AnswerInput
from tests.factories import CallFactory, ClientFactory, ManagerFactory, ReviewerFactory, UserFactory
from tests.qa.reviews.factories import (
    CriterionFactory,
    PublishedVersionFactory,
    RubricFactory,
    SectionFactory,
    rubric_under_test,
)

pytestmark = pytest.mark.django_db


def answers(rubric, **overrides) -> dict[int, AnswerInput]:
    return {pk: AnswerInput(value=value) for pk, value in rubric.by_pk(rubric.best_answers(**overrides)).items()}


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


def test_it_scores_a_perfect_call_100_and_locks_it(rubric, transcribed_call):
    reviewer = ReviewerFactory()
    evaluation = services.evaluation_submit(call=transcribed_call, reviewer=reviewer, answers=answers(rubric))
    assert evaluation.status == Evaluation.Status.SUBMITTED
    assert evaluation.score == Decimal("100.00")
    assert evaluation.version == rubric.version
    with pytest.raises(ValidationError, match="locked"):
        services.evaluation_save_draft(call=transcribed_call, reviewer=reviewer, answers=answers(rubric))


def test_it_scores_zero_when_a_critical_item_is_missed(rubric, transcribed_call):
    evaluation = services.evaluation_submit(
        call=transcribed_call, reviewer=ReviewerFactory(), answers=answers(rubric, disclosure="no"),
    )
    assert (evaluation.score, evaluation.critical_failed) == (Decimal("0.00"), True)


def test_it_weighs_a_missed_item_by_its_share_of_its_section(rubric, transcribed_call):
    # Closing is 1 of 3 equal questions in a section worth 10 of 100: missing it costs 3.33 points.
    evaluation = services.evaluation_submit(
        call=transcribed_call, reviewer=ReviewerFactory(), answers=answers(rubric, closing="no"),
    )
    assert evaluation.score == Decimal("96.67")


def test_it_keeps_a_partial_draft_and_refuses_to_submit_it(rubric, transcribed_call):
    reviewer = ReviewerFactory()
    first = rubric.criteria["greeting"]
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


def test_it_rejects_an_answer_the_question_does_not_allow_and_writes_nothing(rubric, transcribed_call):
    with pytest.raises(ValidationError, match="not an answer"):
        services.evaluation_submit(call=transcribed_call, reviewer=ReviewerFactory(), answers=answers(rubric, greeting="na"))
    assert not Evaluation.objects.exists()


def test_it_refuses_to_submit_when_every_answer_is_na_and_writes_nothing(transcribed_call):
    section = SectionFactory(version=PublishedVersionFactory(rubric=RubricFactory(is_default=True)))
    criteria = [CriterionFactory(section=section, answer_type="yes_no_na") for _ in range(2)]
    with pytest.raises(ValidationError, match="nothing to score"):
        services.evaluation_submit(
            call=transcribed_call, reviewer=ReviewerFactory(), answers={c.pk: AnswerInput(value="na") for c in criteria},
        )
    assert not Evaluation.objects.exists()


def test_it_keeps_other_reviewers_out_of_a_draft(rubric, transcribed_call):
    services.evaluation_save_draft(call=transcribed_call, reviewer=ReviewerFactory(), answers={})
    with pytest.raises(PermissionDenied):
        services.evaluation_submit(call=transcribed_call, reviewer=ReviewerFactory(), answers=answers(rubric))


def test_it_refuses_evaluations_from_non_reviewers(rubric, transcribed_call):
    with pytest.raises(PermissionDenied):
        services.evaluation_save_draft(call=transcribed_call, reviewer=UserFactory(is_staff=True), answers={})
    assert not Evaluation.objects.exists()


def test_it_lets_a_manager_amend_a_submitted_evaluation_with_a_logged_reason(rubric, transcribed_call):
    evaluation = services.evaluation_submit(call=transcribed_call, reviewer=ReviewerFactory(), answers=answers(rubric))
    manager = ManagerFactory()
    closing = rubric.criteria["anything_else"]

    with pytest.raises(ValidationError, match="why"):
        services.evaluation_amend(evaluation=evaluation, manager=manager, reason=" ", answers={closing.pk: AnswerInput(value="no")})
    with pytest.raises(PermissionDenied):
        services.evaluation_amend(evaluation=evaluation, manager=ReviewerFactory(), reason="x", answers={closing.pk: AnswerInput(value="no")})

    amended = services.evaluation_amend(
        evaluation=evaluation, manager=manager, reason="Agent did not offer further help at 0:52",
        answers={closing.pk: AnswerInput(value="no")},
    )
    assert amended.score == Decimal("96.67")
    log = EvaluationAmendment.objects.get()
    assert (log.changed_by, log.score_before, log.score_after) == (manager, Decimal("100.00"), amended.score)
    assert log.changes == [{"field": f"{closing.question}: value", "before": "yes", "after": "no"}]


def test_it_marks_the_queue_item_done_on_submit(rubric, transcribed_call):
    reviewer, manager = ReviewerFactory(), ManagerFactory()
    assignment = services.review_assign(call=transcribed_call, reviewer=reviewer, due_at=timezone.now(), assigned_by=manager)
    services.evaluation_submit(call=transcribed_call, reviewer=reviewer, answers=answers(rubric))
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.DONE


# --- Versions -----------------------------------------------------------------------


def test_it_edits_an_unused_version_in_place(rubric):
    assert services.rubric_version_start_edit(version=rubric.version) == rubric.version


def test_it_copies_a_version_in_use_and_old_evaluations_keep_theirs(rubric, transcribed_call):
    v1 = rubric.version
    evaluation = services.evaluation_submit(call=transcribed_call, reviewer=ReviewerFactory(), answers=answers(rubric))

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
    assert v1.status == RubricVersion.Status.RETIRED and v1.is_locked
    assert evaluation.version == v1 and evaluation.score == Decimal("100.00")
    assert version_criteria(version=v1)[0].question == rubric.criteria["greeting"].question
    assert rubric_version_for_call(call=transcribed_call) == v2


def test_it_uses_the_clients_own_rubric(rubric, transcribed_call):
    own = rubric_under_test(is_default=False)
    RubricAssignment.objects.create(client=transcribed_call.client, rubric=own.rubric)

    assert rubric_version_for_call(call=transcribed_call) == own.version
    evaluation = services.evaluation_submit(call=transcribed_call, reviewer=ReviewerFactory(), answers=answers(own))
    assert evaluation.version == own.version
    # Another client's calls keep the default rubric.
    assert rubric_version_for_call(call=CallFactory(client=ClientFactory())) == rubric.version


def test_it_has_no_rubric_for_a_client_whose_own_rubric_is_unpublished(rubric, transcribed_call):
    draft_only = services.rubric_create(name="Premium client form")
    RubricAssignment.objects.create(client=transcribed_call.client, rubric=draft_only)
    assert rubric_version_for_call(call=transcribed_call) is None
    with pytest.raises(ValidationError, match="No published rubric"):
        services.evaluation_save_draft(call=transcribed_call, reviewer=ReviewerFactory(), answers={})


def test_it_refuses_to_publish_an_empty_version(db):
    rubric = services.rubric_create(name="Empty")
    with pytest.raises(ValidationError, match="at least one question"):
        services.rubric_version_publish(version=rubric.versions.get())
