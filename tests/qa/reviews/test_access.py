"""Every rule of qa.reviews.access, directly."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from qa.reviews import access
from qa.reviews.models import Evaluation
from tests.factories import AdminFactory, CallFactory, ManagerFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db


def evaluation(rubric, reviewer, *, submitted: bool) -> Evaluation:
    if submitted:
        return Evaluation.objects.create(
            call=CallFactory(), version=rubric.version, reviewer=reviewer, status="submitted", score=90, submitted_at=timezone.now(),
        )
    return Evaluation.objects.create(call=CallFactory(), version=rubric.version, reviewer=reviewer)


def test_it_opens_the_workspace_to_qa_staff_only():
    assert all(access.can_review(u) for u in (ReviewerFactory(), ManagerFactory(), AdminFactory()))
    assert not any(access.can_review(u) for u in (UserFactory(is_staff=True), AnonymousUser()))


def test_it_leaves_qa_configuration_and_calibration_results_to_managers():
    for rule in (access.can_manage_qa, access.can_see_calibration_results):
        assert rule(ManagerFactory()) and rule(AdminFactory())
        assert not rule(ReviewerFactory())


def test_it_lets_a_draft_be_edited_by_its_reviewer_or_a_manager(rubric):
    owner = ReviewerFactory()
    draft = evaluation(rubric, owner, submitted=False)
    assert access.can_edit_evaluation(owner, draft)
    assert access.can_edit_evaluation(ManagerFactory(), draft)
    assert not access.can_edit_evaluation(ReviewerFactory(), draft)
    assert not access.can_edit_evaluation(UserFactory(is_staff=True), draft)


def test_it_locks_a_submitted_evaluation_except_for_a_managers_amendment(rubric):
    owner = ReviewerFactory()
    submitted = evaluation(rubric, owner, submitted=True)
    assert not access.can_edit_evaluation(owner, submitted)
    assert not access.can_edit_evaluation(ManagerFactory(), submitted)
    assert access.can_amend_evaluation(ManagerFactory(), submitted)
    assert not access.can_amend_evaluation(owner, submitted)
    assert not access.can_amend_evaluation(ManagerFactory(), evaluation(rubric, owner, submitted=False))


def test_it_lets_only_the_panel_score_a_calibration_session(rubric):
    from qa.reviews import services

    ann, bob = ReviewerFactory(), ReviewerFactory()
    session = services.calibration_session_create(
        title="Panel", call=CallFactory(status="transcribed"), reviewers=[ann, bob], created_by=ManagerFactory(),
    )
    assert access.can_score_calibration(ann, session)
    assert not access.can_score_calibration(ReviewerFactory(), session)
