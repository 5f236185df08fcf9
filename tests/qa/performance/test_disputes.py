"""Agents acknowledge or dispute their evaluations; a QA manager upholds or re-scores, and the agent sees why."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from qa.audit.models import AuditEntry
from qa.performance.models import Dispute, LogEntry
from qa.performance.services import dispute_rescore, dispute_uphold, evaluation_acknowledge, evaluation_dispute
from qa.reviews.models import EvaluationAmendment
from qa.reviews.services import AnswerInput
from tests.factories import AgentFactory, ClientFactory, ManagerFactory, ReviewerFactory, UserFactory
from tests.qa.performance.helpers import call, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def sarah():
    return AgentFactory(name="Sarah", user=UserFactory(username="sarah"))


@pytest.fixture
def evaluation(rubric, sarah):
    return submit(rubric, call(agent=sarah, client=ClientFactory(dispute_window_days=7), started_at=timezone.now()),
                  comment="Missed the closing.", closing="no")


def test_it_lets_the_agent_acknowledge_once_and_logs_it(evaluation, sarah):
    evaluation_acknowledge(evaluation=evaluation, user=sarah.user)

    with pytest.raises(ValidationError, match="already acknowledged"):
        evaluation_acknowledge(evaluation=evaluation, user=sarah.user)
    with pytest.raises(ValidationError, match="can no longer be disputed"):
        evaluation_dispute(evaluation=evaluation, user=sarah.user, reason="Changed my mind.")
    entry = LogEntry.objects.get(agent=sarah)
    assert (entry.kind, entry.actor, entry.evaluation) == ("acknowledged", sarah.user, evaluation)


def test_it_lets_only_the_agent_who_took_the_call_answer(evaluation):
    for stranger in (AgentFactory(user=UserFactory()).user, ReviewerFactory(), ManagerFactory()):
        with pytest.raises(PermissionDenied):
            evaluation_acknowledge(evaluation=evaluation, user=stranger)
        with pytest.raises(PermissionDenied):
            evaluation_dispute(evaluation=evaluation, user=stranger, reason="Not mine.")


def test_it_takes_a_dispute_with_a_reason_within_the_clients_window(evaluation, sarah):
    with pytest.raises(ValidationError) as refused:
        evaluation_dispute(evaluation=evaluation, user=sarah.user, reason="  ")
    assert "reason" in refused.value.message_dict
    too_late = evaluation.submitted_at + timedelta(days=7, seconds=1)
    with pytest.raises(ValidationError, match="7-day window to dispute this evaluation closed"):
        evaluation_dispute(evaluation=evaluation, user=sarah.user, reason="I did close the call.", now=too_late)

    dispute = evaluation_dispute(evaluation=evaluation, user=sarah.user, reason="I did close the call, at 2:10.",
                                 now=evaluation.submitted_at + timedelta(days=7))

    assert (dispute.status, dispute.score_disputed, dispute.agent) == ("open", evaluation.score, sarah)
    with pytest.raises(ValidationError, match="already been disputed"):
        evaluation_dispute(evaluation=evaluation, user=sarah.user, reason="Again.")
    with pytest.raises(ValidationError, match="is disputed"):
        evaluation_acknowledge(evaluation=evaluation, user=sarah.user)


def test_it_upholds_a_score_with_reasons_the_agent_sees(client, evaluation, sarah):
    dispute = evaluation_dispute(evaluation=evaluation, user=sarah.user, reason="I did close the call.")
    manager = ManagerFactory()
    with pytest.raises(PermissionDenied):
        dispute_uphold(dispute=dispute, manager=ReviewerFactory(), resolution="No.")
    with pytest.raises(ValidationError):
        dispute_uphold(dispute=dispute, manager=manager, resolution="")

    dispute_uphold(dispute=dispute, manager=manager, resolution="The company name was not said at the close.")

    dispute.refresh_from_db()
    assert (dispute.status, dispute.resolved_by, dispute.amendment) == ("upheld", manager, None)
    audit = AuditEntry.objects.get(action="dispute.decided")
    assert (audit.actor, audit.object_id, audit.detail["outcome"]) == (manager, str(dispute.pk), "upheld")
    with pytest.raises(ValidationError, match="already resolved"):
        dispute_uphold(dispute=dispute, manager=manager, resolution="Again.")
    client.force_login(sarah.user)
    page = client.get(reverse("performance:my-scorecard"), {"from": evaluation.call.started_at.date() - timedelta(days=1),
                                                             "to": evaluation.call.started_at.date()})
    html = page.content.decode()
    assert "Dispute: Score upheld" in html and "The company name was not said at the close." in html
    assert "Dispute: score upheld" in html  # in the decision log


def test_it_rescores_through_the_amend_flow_and_keeps_the_amendment(rubric, evaluation, sarah):
    dispute = evaluation_dispute(evaluation=evaluation, user=sarah.user, reason="I did close the call.")
    manager = ManagerFactory()
    closing = rubric.criteria["closing"].pk

    dispute_rescore(dispute=dispute, manager=manager, answers={closing: AnswerInput(value="yes")},
                    resolution="Heard it at 2:10; you are right.")

    dispute.refresh_from_db()
    evaluation.refresh_from_db()
    amendment = EvaluationAmendment.objects.get(evaluation=evaluation)
    assert (dispute.status, dispute.amendment, float(evaluation.score)) == ("rescored", amendment, 100.0)
    assert amendment.reason == "Dispute by Sarah: Heard it at 2:10; you are right."
    assert float(amendment.score_before) == pytest.approx(96.67)
    entry = LogEntry.objects.get(kind="dispute_rescored")
    assert "96.67% → 100.00%" in entry.text and entry.actor == manager
    audit = AuditEntry.objects.get(action="dispute.decided")
    assert (audit.detail["outcome"], audit.detail["score_disputed"], audit.detail["score_now"]) == ("rescored", "96.67", "100.00")


def test_it_refuses_a_rescore_that_changes_nothing_and_leaves_the_dispute_open(rubric, evaluation, sarah):
    dispute = evaluation_dispute(evaluation=evaluation, user=sarah.user, reason="I did close the call.")

    with pytest.raises(ValidationError, match="Nothing was changed"):
        dispute_rescore(dispute=dispute, manager=ManagerFactory(), answers={}, resolution="Looked again.")

    assert Dispute.objects.get().status == "open"


def test_it_lets_a_manager_resolve_on_the_dispute_page(client, rubric, evaluation, sarah):
    dispute = evaluation_dispute(evaluation=evaluation, user=sarah.user, reason="I did close the call.")
    client.force_login(ManagerFactory())
    url = reverse("performance:dispute-resolve", args=[dispute.pk])
    assert "I did close the call." in client.get(url).content.decode()
    form = {f"c{pk}": value for pk, value in rubric.by_pk(rubric.best_answers()).items()}

    response = client.post(url, {**form, "outcome": "rescore", "resolution": "You did.", "comment": "Missed the closing."})

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == "rescored" and float(dispute.evaluation.score) == 100.0


def test_it_keeps_the_dispute_page_to_managers(client, evaluation, sarah):
    dispute = evaluation_dispute(evaluation=evaluation, user=sarah.user, reason="I did close the call.")
    client.force_login(ReviewerFactory())
    assert client.get(reverse("performance:dispute-resolve", args=[dispute.pk])).status_code == 403
