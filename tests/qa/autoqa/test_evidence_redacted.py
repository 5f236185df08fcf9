"""Auto-QA's evidence quotes the original transcript: readers of redacted text never get the quote's masked number."""

import pytest
from rest_framework.test import APIClient

from qa.autoqa.models import AutoAnswer, AutoEvaluation, AutoItem
from tests.factories import ManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def card_evidence(rubric, sample_call):
    card_turn = sample_call.transcript.segments.get(text__startswith="Four, five")
    evaluation = AutoEvaluation.objects.create(call=sample_call, transcript=sample_call.transcript, rubric_version=rubric.version)
    AutoItem.objects.create(
        evaluation=evaluation, criterion=rubric.criteria["card"], criterion_key="card", answer=AutoAnswer.PASS,
        confidence=0.9, evidence={"speaker": "customer", "text": card_turn.text, "start": card_turn.start, "end": card_turn.end},
    )
    return card_turn


def evidence_for(user, call) -> dict:
    api = APIClient()
    api.force_authenticate(user)
    return api.get(f"/api/calls/{call.pk}/").json()["auto_qa"]["items"][0]["evidence"]


def test_client_staff_get_the_redacted_lines_in_place_of_the_quote(sample_call, card_evidence):
    staff = UserFactory()
    sample_call.client.users.add(staff)

    evidence = evidence_for(staff, sample_call)

    assert evidence["text"] == "[card number]."
    assert (evidence["start"], evidence["speaker"]) == (card_evidence.start, "customer")
    assert evidence_for(ManagerFactory(), sample_call)["text"] == card_evidence.text


def test_a_reviewer_sees_the_redacted_lines_beside_the_automatic_answer_in_the_workspace(client, rubric, sample_call, card_evidence):
    from django.urls import reverse

    from tests.factories import ReviewerFactory

    criterion = rubric.criteria["card"]
    criterion.key, criterion.auto_check = "card", {"type": "phrase", "phrases": ["card"]}
    criterion.save()
    client.force_login(ReviewerFactory())

    page = client.get(reverse("reviews:workspace", args=[sample_call.pk])).content.decode()

    assert "“[card number].”" in page
    assert card_evidence.text not in page
