"""The sampler: quotas per agent and period, spread, least-loaded reviewers, no over-filling."""

import random
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from qa import sampling, services
from qa.models import Evaluation, MonitoringPlan, ReviewAssignment
from qa.schedules import SAMPLER_FUNC, SAMPLER_SCHEDULE_NAME
from recordings.models import Call
from tests.factories import AgentFactory, CallFactory, ClientFactory, ManagerFactory, ReviewerFactory, TeamFactory

pytestmark = pytest.mark.django_db

# A Wednesday: the week runs Mon 1 Dec 2025 00:00 UTC to Mon 8 Dec.
NOW = datetime(2025, 12, 3, 12, 0, tzinfo=dt_timezone.utc)
WEEK_START = datetime(2025, 12, 1, tzinfo=dt_timezone.utc)
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
    services.rubric_install_default()
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
    fill(now=datetime(2026, 1, 1, 1, tzinfo=dt_timezone.utc))
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


def test_it_installs_the_sampler_schedule_once():
    assert Schedule.objects.filter(name=SAMPLER_SCHEDULE_NAME, func=SAMPLER_FUNC).count() == 1  # by the migration
    call_command("ensure_qa_schedules")
    call_command("ensure_qa_schedules")
    assert Schedule.objects.filter(name=SAMPLER_SCHEDULE_NAME).count() == 1


def test_it_runs_the_sampler_task():
    from qa.tasks import fill_monitoring_plans

    assert fill_monitoring_plans() == "assigned=0 short=0"


def test_it_ensures_the_schedule_from_the_service_the_demo_loader_calls():
    Schedule.objects.filter(name=SAMPLER_SCHEDULE_NAME).delete()
    assert services.schedules_ensure() is True
    assert services.schedules_ensure() is False
    assert Schedule.objects.get(name=SAMPLER_SCHEDULE_NAME).func == SAMPLER_FUNC
