"""Call records without audio are never sampled for review: the sampler takes transcribed calls only."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from qa.reviews import sampling
from qa.reviews.models import MonitoringPlan, ReviewAssignment
from recordings.models import Call
from tests.factories import AgentFactory, CallFactory, ClientFactory, ReviewerFactory

pytestmark = pytest.mark.django_db

WEEK_START = datetime(2025, 12, 1, tzinfo=UTC)


def test_abandoned_calls_and_records_without_audio_are_never_sampled(settings):
    settings.TIME_ZONE = "UTC"
    client, agent = ClientFactory(), AgentFactory()
    for hour in range(0, 7 * 24, 6):
        CallFactory(client=client, agent=agent, started_at=WEEK_START + timedelta(hours=hour), status=Call.Status.NO_RECORDING)
        CallFactory(client=client, agent=None, answered=False, wait_seconds=30, status=Call.Status.ABANDONED,
                    started_at=WEEK_START + timedelta(hours=hour + 1))
    recorded = CallFactory(client=client, agent=agent, started_at=WEEK_START + timedelta(hours=3), status=Call.Status.TRANSCRIBED)
    ReviewerFactory()
    MonitoringPlan.objects.create(client=client, evaluations_per_agent=3, period="week")

    summary = sampling.plans_fill(now=WEEK_START + timedelta(days=7, hours=1), rng=random.Random(1))

    assert list(ReviewAssignment.objects.values_list("call", flat=True)) == [recorded.pk]
    assert (summary.assigned, summary.short) == (1, 2)  # the agent's other slots found no recorded call
