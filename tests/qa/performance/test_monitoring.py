"""Monitoring frequency: counted evaluations against the plans' quotas, scaled to the period."""

from datetime import date, timedelta
from fractions import Fraction

import pytest

from qa.lib.periods import Period
from qa.performance.selectors import agent_rows, plan_quota, round_half_up
from qa.reviews.models import MonitoringPlan
from recordings.models import Agent
from tests.factories import AgentFactory, ClientFactory, TeamFactory
from tests.qa.performance.helpers import at, call, past_month, submit


@pytest.mark.parametrize(
    "per_agent, plan_period, first, last, quota",
    [
        (1, "week", date(2026, 11, 2), date(2026, 11, 8), Fraction(1)),  # one week
        (2, "week", date(2026, 11, 1), date(2026, 11, 30), Fraction(60, 7)),  # a 30-day month: 8.57
        (3, "month", date(2026, 11, 1), date(2026, 11, 30), Fraction(3)),  # its own month
        (4, "month", date(2026, 11, 2), date(2026, 11, 8), Fraction(28, 30)),  # a week of a 30-day month
        (3, "month", date(2027, 1, 25), date(2027, 2, 3), 3 * (Fraction(7, 31) + Fraction(3, 28))),  # across two months
    ],
)
def test_it_scales_a_plans_quota_to_the_period(per_agent, plan_period, first, last, quota):
    assert plan_quota(evaluations_per_agent=per_agent, plan_period=plan_period, period=Period(first, last)) == quota


def test_it_rounds_half_up():
    assert [round_half_up(Fraction(n, 2)) for n in (0, 1, 2, 3, 5)] == [0, 1, 1, 2, 3]


@pytest.mark.django_db
def test_it_adds_the_team_plan_and_each_served_clients_plan_and_caps_at_the_calls_taken(rubric):
    team, acme, globex = TeamFactory(), ClientFactory(), ClientFactory()
    MonitoringPlan.objects.create(team=team, evaluations_per_agent=2, period="week")
    MonitoringPlan.objects.create(client=acme, evaluations_per_agent=1, period="month")
    MonitoringPlan.objects.create(client=globex, evaluations_per_agent=5, period="month")  # the agent never served globex
    busy, quiet, planless = AgentFactory(team=team), AgentFactory(team=team), AgentFactory(team=TeamFactory())
    period = past_month()
    assert period.days in (28, 29, 30, 31)
    day = at(period.first + timedelta(days=4))
    for _ in range(12):
        call(agent=busy, client=acme, started_at=day)
    submit(rubric, call(agent=busy, client=acme, started_at=day))
    submit(rubric, call(agent=busy, client=acme, started_at=day))
    call(agent=quiet, client=acme, started_at=day)
    call(agent=quiet, client=acme, started_at=day)
    call(agent=planless, client=ClientFactory(), started_at=day)

    rows = {r.agent.pk: r.monitoring for r in agent_rows(agents=Agent.objects.all(), period=period)}

    # 2 a week over the month's days, plus acme's 1 a month: 2·days/7 + 1, rounded half up.
    expected = round_half_up(Fraction(2 * period.days, 7) + 1)
    assert (rows[busy.pk].evaluations, rows[busy.pk].target, rows[busy.pk].under_monitored) == (2, expected, True)
    assert (rows[quiet.pk].target, rows[quiet.pk].under_monitored) == (2, True)  # only two calls to evaluate
    assert (rows[planless.pk].target, rows[planless.pk].under_monitored) == (None, False)


@pytest.mark.django_db
def test_it_gives_an_inactive_agent_no_target_and_counts_a_plan_met(rubric):
    team = TeamFactory()
    MonitoringPlan.objects.create(team=team, evaluations_per_agent=1, period="week")
    on_plan, gone = AgentFactory(team=team), AgentFactory(team=team, is_active=False)
    week = Period(past_month().first, past_month().first + timedelta(days=6))
    submit(rubric, call(agent=on_plan, started_at=at(week.first)))
    call(agent=on_plan, started_at=at(week.first))
    call(agent=gone, started_at=at(week.first))

    rows = {r.agent.pk: r.monitoring for r in agent_rows(agents=team.agents.all(), period=week)}

    assert (rows[on_plan.pk].evaluations, rows[on_plan.pk].target, rows[on_plan.pk].under_monitored) == (1, 1, False)
    assert rows[gone.pk].target is None
