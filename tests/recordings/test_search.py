"""Full-text search over transcripts: PostgreSQL's tsvector with a GIN index, word matching on SQLite."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from recordings.models import Transcript
from recordings.selectors import CallFilters, call_list
from tests.factories import ReviewerFactory
from tests.recordings.helpers import transcribed_sample_call

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def calls():
    cancel = transcribed_sample_call("cancel_subscription_interruption", external_id="cancel")
    billing = transcribed_sample_call("billing_double_charge", external_id="billing")
    return cancel, billing


def search(user, q: str) -> list[str]:
    return [c.external_id for c in call_list(user=user, filters=CallFilters(q=q))]


def test_it_finds_calls_by_what_was_said(calls):
    reviewer = ReviewerFactory()

    assert search(reviewer, "cancel subscription") == ["cancel"]
    assert search(reviewer, "charged") == ["billing"]
    assert set(search(reviewer, "calling")) == {"cancel", "billing"}
    assert search(reviewer, "mortgage") == []


def test_it_searches_through_the_api(calls):
    api = APIClient()
    api.force_authenticate(ReviewerFactory())

    response = api.get("/api/calls/", {"q": "cancel subscription"})

    assert response.status_code == 200
    body = response.json()
    results = body["results"] if isinstance(body, dict) else body
    assert [c["external_id"] for c in results] == ["cancel"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming and the GIN index are PostgreSQL's")
def test_it_matches_word_forms_through_the_indexed_search_vector(calls):
    assert Transcript.objects.filter(search_vector__isnull=False).count() == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'recordings_transcript_search_gin'")
        assert "gin" in cursor.fetchone()[0].lower()

    assert search(ReviewerFactory(), "cancelling subscriptions") == ["cancel"]


def test_it_only_searches_calls_the_user_may_see(calls):
    from tests.factories import UserFactory

    outsider = UserFactory()

    assert search(outsider, "cancel subscription") == []
