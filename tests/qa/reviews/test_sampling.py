"""The sampler: quotas per agent and period, spread, least-loaded reviewers, no over-filling."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django_q.models import Schedule

from qa.reviews import sampling, services
from qa.reviews.models import Evaluation, MonitoringPlan, ReviewAssignment
from qa.reviews.schedules import SCHEDULES
from recordings.models import Call
from tests.factories import AgentFactory, CallFactory, ClientFactory, ManagerFactory, ReviewerFactory, TeamFactory
from tests.qa.reviews.factories import rubric_under_test

pytestmark = pytest.mark.django_db

# A Wednesday: the week runs Mon 1 Dec 2025 00:00 UTC to Mon 8 Dec.
NOW = datetime(2025, 12, 3, 12, 0, tzinfo=UTC)
WEEK_START = datetime(2025, 12, 1, tzinfo=UTC)
# Monday morning after: the sampler finishes the week that just ended.
AFTER_THE_WEEK = WEEK_START + timedelta(days=7, hours=1)


@pytest.fixture(autouse=True)
def utc(settings):
    settings.TIME_ZONE = "UTC"


def calls_for(agent, client, *, count, start=WEEK_START, step=timedelta(hours=6), status=Call.Status.TRANSCRIBED):
    return [
        CallFactory(agent=agent, client=client, started_at=start + step * i, status=status) for i in range(count)
    ]


def fill(now=NOW, seed=1):
    return sampling.plans_fill(now=now, rng=random.Random(seed))


def test_it_samples_n_calls_per_agent_and_never_over_fills_on_re_run():
    client = ClientFactory()
    agents = [AgentFactory(), AgentFactory()]
    for agent in agents:
        calls_for(agent, client, count=20, step=timedelta(hours=8))  # across the whole week
    ReviewerFactory()
    MonitoringPlan.objects.create(client=client, evaluations_per_agent=3, period="week")

    end_of_week = AFTER_THE_WEEK
    first = fill(now=end_of_week)
    assert first.assigned == 6
    for _ in range(3):
        again = fill(now=end_of_week, seed=_ + 7)
        assert again.assigned == 0
    for agent in agents:
        assert ReviewAssignment.objects.filter(call__agent=agent).count() == 3


def test_it_spreads_the_sample_over_the_period():
    client, agent = ClientFactory(), AgentFactory()
    calls_for(agent, client, count=28, step=timedelta(hours=6))  # 4 a day, all week
    ReviewerFactory()
    MonitoringPlan.objects.create(client=client, evaluations_per_agent=7, period="week")
    fill(now=AFTER_THE_WEEK)
    days = sorted(a.call.started_at.date() for a in ReviewAssignment.objects.select_related("call"))
    assert days == [(WEEK_START + timedelta(days=d)).date() for d in range(7)]  # one per day


def test_it_fills_later_slots_as_the_period_goes_on():
    client, agent = ClientFactory(), AgentFactory()
    calls_for(agent, client, count=8, step=timedelta(hours=6))  # Mon and Tue only so far
    ReviewerFactory()
    MonitoringPlan.objects.create(client=client, evaluations_per_agent=7, period="week")
    summary = fill(now=NOW)  # Wednesday noon: Mon and Tue slices are over
    assert summary.assigned == 2 and summary.short == 0
    calls_for(agent, client, count=4, start=WEEK_START + timedelta(days=4))  # Friday's calls come in
    summary = fill(now=WEEK_START + timedelta(days=5))
    assert ReviewAssignment.objects.count() == 5  # Wed and Thu slices took leftovers; Fri its own
    fill(now=AFTER_THE_WEEK)
    assert ReviewAssignment.objects.count() == 7  # Sat and Sun take what is left once the week is over


def test_it_picks_only_transcribed_calls_not_yet_evaluated_or_queued():
    client, agent = ClientFactory(), AgentFactory()
    eligible = CallFactory(agent=agent, client=client, started_at=WEEK_START + timedelta(hours=1), status=Call.Status.TRANSCRIBED)
    CallFactory(agent=agent, client=client, started_at=WEEK_START + timedelta(hours=2), status=Call.Status.QUEUED)
    evaluated = CallFactory(agent=agent, client=client, started_at=WEEK_START + timedelta(hours=3), status=Call.Status.TRANSCRIBED)
    rubric_under_test()
    reviewer = ReviewerFactory()
    services.evaluation_save_draft(call=evaluated, reviewer=reviewer, answers={})
    CallFactory(agent=agent, client=client, started_at=WEEK_START - timedelta(days=2), status=Call.Status.TRANSCRIBED)
    MonitoringPlan.objects.create(client=client, evaluations_per_agent=5, period="week")

    fill(now=AFTER_THE_WEEK)
    assert list(ReviewAssignment.objects.values_list("call", flat=True)) == [eligible.pk]
    assert Evaluation.objects.count() == 1


def test_it_assigns_least_loaded_reviewers_first():
    client, agent = ClientFactory(), AgentFactory()
    calls_for(agent, client, count=10)
    busy, idle = ReviewerFactory(), ReviewerFactory()
    other_client = ClientFactory()
    for call in calls_for(AgentFactory(), other_client, count=3, start=WEEK_START - timedelta(days=10)):
        ReviewAssignment.objects.create(call=call, reviewer=busy, due_at=NOW)
    MonitoringPlan.objects.create(client=client, evaluations_per_agent=5, period="week")

    fill(now=AFTER_THE_WEEK)
    new = ReviewAssignment.objects.filter(plan__isnull=False)
    # idle takes 3 to catch up with busy's 3, then they alternate: 4 for idle, 1 for busy.
    assert new.filter(reviewer=idle).count() == 4
    assert new.filter(reviewer=busy).count() == 1


def test_it_gives_work_to_managers_too():
    client, agent = ClientFactory(), AgentFactory()
    calls_for(agent, client, count=4)
    manager = ManagerFactory()
    MonitoringPlan.objects.create(client=client, evaluations_per_agent=2, period="week")
    assert fill(now=AFTER_THE_WEEK).assigned == 2
    assert set(ReviewAssignment.objects.values_list("reviewer", flat=True)) == {manager.pk}


def test_it_never_gives_work_to_client_staff_or_agents():
    client, agent = ClientFactory(), AgentFactory()
    calls_for(agent, client, count=4)
    from tests.factories import UserFactory

    client.users.add(UserFactory(is_staff=True))
    AgentFactory(user=UserFactory(is_staff=True))
    MonitoringPlan.objects.create(client=client, evaluations_per_agent=2, period="week")
    summary = fill(now=AFTER_THE_WEEK)
    assert (summary.assigned, summary.short) == (0, 2)


def test_it_never_assigns_agents_their_own_calls():
    team = TeamFactory()
    client = ClientFactory()
    reviewer = ReviewerFactory()
    agent = AgentFactory(team=team, user=reviewer)
    calls_for(agent, client, count=4)
    MonitoringPlan.objects.create(team=team, evaluations_per_agent=2, period="week")
    summary = fill(now=AFTER_THE_WEEK)
    assert (summary.assigned, summary.short) == (0, 2)


def test_it_samples_per_team_and_per_month():
    team = TeamFactory()
    agent = AgentFactory(team=team)
    calls_for(agent, ClientFactory(), count=10, step=timedelta(days=2))
    ReviewerFactory()
    MonitoringPlan.objects.create(team=team, evaluations_per_agent=4, period="month")
    fill(now=datetime(2026, 1, 1, 1, tzinfo=UTC))
    assert ReviewAssignment.objects.filter(call__agent=agent).count() == 4
    assert set(ReviewAssignment.objects.values_list("period_start", flat=True)) == {datetime(2025, 12, 1).date()}


def test_it_refuses_a_second_row_for_a_filled_slot_in_the_database():
    from django.db import IntegrityError, transaction

    client, agent = ClientFactory(), AgentFactory()
    first, second = calls_for(agent, client, count=2)
    plan = MonitoringPlan.objects.create(client=client, evaluations_per_agent=1, period="week")
    reviewer = ReviewerFactory()
    row = dict(plan=plan, agent=agent, period_start=WEEK_START.date(), slot=0, reviewer=reviewer, due_at=NOW)
    ReviewAssignment.objects.create(call=first, **row)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewAssignment.objects.create(call=second, **row)


def test_it_lets_a_manager_assign_a_call_by_hand():
    call = CallFactory(status=Call.Status.TRANSCRIBED)
    reviewer = ReviewerFactory()
    assignment = services.review_assign(call=call, reviewer=reviewer, due_at=NOW, assigned_by=ManagerFactory())
    assert assignment.reviewer == reviewer and assignment.plan is None
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.review_assign(call=call, reviewer=reviewer, due_at=NOW, assigned_by=ReviewerFactory())


def test_it_has_the_hourly_sampler_schedule_from_migrate():
    (spec,) = SCHEDULES
    schedule = Schedule.objects.get(name=spec.name)
    assert (schedule.func, schedule.schedule_type) == ("qa.reviews.tasks.fill_monitoring_plans", Schedule.HOURLY)


def test_it_runs_the_sampler_task_on_the_active_plans():
    from django.utils import timezone

    from qa.lib.periods import period_bounds
    from qa.reviews.tasks import fill_monitoring_plans

    client, agent = ClientFactory(), AgentFactory()
    now = timezone.now()
    month_start, _ = period_bounds(period="month", now=now)
    # All within this month, before now.
    calls_for(agent, client, count=3, start=max(month_start, now - timedelta(minutes=30)), step=timedelta(seconds=10))
    ReviewerFactory()
    MonitoringPlan.objects.create(client=client, evaluations_per_agent=1, period="month")
    MonitoringPlan.objects.create(client=ClientFactory(), evaluations_per_agent=1, period="week", is_active=False)

    # Month plan, one slot: its window spans the whole month, so this month's calls fill it now.
    assert fill_monitoring_plans() == "assigned=1 short=0"
    assert ReviewAssignment.objects.get().call.agent == agent
    assert fill_monitoring_plans() == "assigned=0 short=0"
