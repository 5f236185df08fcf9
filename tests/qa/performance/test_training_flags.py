"""Training-need flags: raised by the rules, never twice, reopened after closing, moved on by coaching."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qa.performance import services
from qa.performance.models import LogEntry, TrainingFlag, TrainingRules
from qa.performance.rules import Rule
from qa.performance.selectors import rules_period
from qa.performance.services import CoachingInput, coaching_session_save, flag_move, training_rules_run
from qa.reviews.models import MonitoringPlan
from tests.factories import AgentFactory, ClientFactory, ManagerFactory, ReviewerFactory, TeamFactory
from tests.qa.performance.helpers import at, call, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def week():
    return rules_period(timezone.now())


def week_calls(agent, week, n: int, **fields):
    return [call(agent=agent, started_at=at(week.first + timedelta(days=i % 7)), **fields) for i in range(n)]


def held_coaching(flag, manager, agent=None):
    return coaching_session_save(session=None, by=manager, data=CoachingInput(
        agent=agent or flag.agent, coach=manager, scheduled_for=timezone.now() - timedelta(hours=2),
        held_at=timezone.now() - timedelta(hours=1), flags=(flag,), agreed_action="Close every call by name.",
    ))


def test_it_raises_one_section_flag_with_its_evidence_and_updates_it_instead_of_duplicating(rubric, week):
    agent = AgentFactory()
    low = [submit(rubric, call(agent=agent, started_at=at(week.first)), anything_else="no", closing="no") for _ in range(2)]

    first = training_rules_run(agent_ids=[agent.pk])
    again = training_rules_run(agent_ids=[agent.pk])

    flag = TrainingFlag.objects.get(agent=agent)
    assert (first.opened, again.opened, again.updated) == (1, 0, 1)
    assert (flag.rule, flag.status, flag.times_opened) == (Rule.SECTION_BELOW, "open", 1)
    closing_title = rubric.criteria["closing"].section.title
    assert flag.figures == {"sections": {closing_title: 33.33}, "threshold": 75.0, "evaluations": 2}
    assert set(flag.evaluations.all()) == set(low)
    assert LogEntry.objects.filter(agent=agent, kind="flag_opened").count() == 1


def test_it_reopens_a_closed_flag_only_on_evaluations_after_its_closing(rubric, week):
    agent, manager = AgentFactory(), ManagerFactory()
    submit(rubric, call(agent=agent, started_at=at(week.first)), anything_else="no", closing="no")
    training_rules_run(agent_ids=[agent.pk])
    flag = TrainingFlag.objects.get(agent=agent, rule=Rule.SECTION_BELOW)
    held_coaching(flag, manager)
    flag_move(flag=flag, to="closed", by=manager, note="Better closings heard in the follow-up.")

    quiet = training_rules_run(agent_ids=[agent.pk])  # the old evaluation is not new evidence
    submit(rubric, call(agent=agent, started_at=at(week.first)))  # a good one: nothing to flag since the closing
    still_quiet = training_rules_run(agent_ids=[agent.pk])
    fresh = submit(rubric, call(agent=agent, started_at=at(week.first)), anything_else="no", closing="no")
    reopened = training_rules_run(agent_ids=[agent.pk])

    flag.refresh_from_db()
    assert (quiet.reopened, still_quiet.reopened, reopened.reopened) == (0, 0, 1)
    assert (flag.status, flag.times_opened, flag.closed_at) == ("open", 2, None)
    assert TrainingFlag.objects.filter(agent=agent).count() == 1
    assert fresh in flag.evaluations.all()
    kinds = list(LogEntry.objects.filter(agent=agent).order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["flag_opened", "coaching_planned", "coaching_held", "flag_moved", "flag_moved", "flag_reopened"]


def test_it_flags_a_critical_fail(rubric, week):
    agent = AgentFactory()
    failed = submit(rubric, call(agent=agent, started_at=at(week.first)), disclosure="no")

    training_rules_run(agent_ids=[agent.pk])

    flag = TrainingFlag.objects.get(agent=agent, rule=Rule.CRITICAL_FAIL)
    assert list(flag.evaluations.all()) == [failed]


def test_it_flags_fcr_below_the_clients_target_on_the_rules_week_with_the_unresolved_calls_as_evidence(week):
    strict, lenient = ClientFactory(fcr_target=Decimal("0.700")), ClientFactory(fcr_target=Decimal("0.500"))
    missed, fine, few = AgentFactory(), AgentFactory(), AgentFactory()
    unresolved = week_calls(missed, week, 6, client=strict, resolved=False)
    week_calls(missed, week, 4, client=strict, resolved=True)  # 40%
    week_calls(fine, week, 6, client=lenient, resolved=True)
    week_calls(fine, week, 4, client=lenient, resolved=False)  # 60%: above lenient's 50%
    week_calls(few, week, 5, client=strict, resolved=False)  # 0%, but five calls are too few to judge

    training_rules_run()

    flag = TrainingFlag.objects.get(rule=Rule.FCR_BELOW_TARGET)
    assert flag.agent == missed
    assert flag.figures == {"fcr": 0.4, "target": 0.7, "calls": 10, "period": f"the week of {week.first:%d %b %Y}"}
    assert set(flag.calls.all()) == set(unresolved)


def test_it_flags_an_aht_well_above_the_team_median(week):
    team = TeamFactory()
    steady, also_steady, slow = (AgentFactory(team=team) for _ in range(3))
    week_calls(steady, week, 10, talk_seconds=300)
    week_calls(also_steady, week, 10, talk_seconds=280, hold_seconds=20)
    week_calls(slow, week, 10, talk_seconds=400)

    training_rules_run()

    (flag,) = TrainingFlag.objects.filter(rule=Rule.AHT_ABOVE_TEAM_MEDIAN)
    assert flag.agent == slow
    assert (flag.figures["aht_seconds"], flag.figures["team_median_seconds"]) == (400.0, 300.0)
    assert flag.figures["above_percent"] == pytest.approx(33.3)
    assert flag.calls.count() == 10


def test_it_flags_an_under_monitored_agent(rubric, week):
    team = TeamFactory()
    MonitoringPlan.objects.create(team=team, evaluations_per_agent=2, period="week")
    agent = AgentFactory(team=team)
    week_calls(agent, week, 9)
    evaluated = submit(rubric, call(agent=agent, started_at=at(week.first)))

    training_rules_run(agent_ids=[agent.pk])

    flag = TrainingFlag.objects.get(agent=agent)
    assert (flag.rule, flag.figures["evaluations"], flag.figures["target"]) == (Rule.UNDER_MONITORED, 1, 2)
    assert list(flag.evaluations.all()) == [evaluated]


def test_it_takes_thresholds_from_the_team_then_the_main_client(rubric, week):
    quiet_team, acme = TeamFactory(), ClientFactory()
    TrainingRules.objects.create(team=quiet_team, section_rule_on=False)
    TrainingRules.objects.create(client=acme, section_threshold=Decimal("30"))
    in_quiet_team, acme_agent, other = AgentFactory(team=quiet_team), AgentFactory(), AgentFactory()
    for agent in (in_quiet_team, acme_agent, other):
        submit(rubric, call(agent=agent, client=acme, started_at=at(week.first)), anything_else="no", closing="no")  # 33.33
    elsewhere = ClientFactory()
    call(agent=other, client=elsewhere, started_at=at(week.first))
    call(agent=other, client=elsewhere, started_at=at(week.first))  # mostly another client's calls: the defaults

    training_rules_run()

    assert list(TrainingFlag.objects.values_list("agent", flat=True)) == [other.pk]


def test_it_moves_a_flag_on_only_with_coaching_and_only_forwards(rubric, week):
    agent, manager = AgentFactory(), ManagerFactory()
    submit(rubric, call(agent=agent, started_at=at(week.first)), disclosure="no")
    training_rules_run(agent_ids=[agent.pk])
    flag = TrainingFlag.objects.get(agent=agent, rule=Rule.CRITICAL_FAIL)

    with pytest.raises(ValidationError, match="coaching session about it took place"):
        flag_move(flag=flag, to="closed", by=manager)
    with pytest.raises(PermissionDenied):
        flag_move(flag=flag, to="closed", by=ReviewerFactory())
    planned = coaching_session_save(session=None, by=manager, data=CoachingInput(
        agent=agent, coach=manager, scheduled_for=timezone.now() + timedelta(days=1), flags=(flag,),
    ))
    flag.refresh_from_db()
    assert flag.status == "coaching_planned"
    coaching_session_save(session=planned, by=manager, data=CoachingInput(
        agent=agent, coach=manager, scheduled_for=planned.scheduled_for, held_at=timezone.now(), flags=(flag,),
        notes="Listened to the call together.", agreed_action="Read the disclosure first.",
    ))
    flag.refresh_from_db()
    assert flag.status == "coached"
    with pytest.raises(ValidationError, match="already coached"):
        flag_move(flag=flag, to="coaching_planned", by=manager)
    flag_move(flag=flag, to="closed", by=manager)
    flag.refresh_from_db()
    assert flag.status == "closed" and flag.closed_at is not None


def test_it_refuses_coaching_that_mixes_up_agents(rubric, week):
    agent, stranger, manager = AgentFactory(), AgentFactory(), ManagerFactory()
    submit(rubric, call(agent=agent, started_at=at(week.first)), disclosure="no")
    training_rules_run(agent_ids=[agent.pk])
    flag = TrainingFlag.objects.get(agent=agent, rule=Rule.CRITICAL_FAIL)
    other_evaluation = submit(rubric, call(agent=stranger, started_at=at(week.first)))

    with pytest.raises(ValidationError) as refused:
        services.coaching_session_save(session=None, by=manager, data=CoachingInput(
            agent=stranger, coach=manager, scheduled_for=timezone.now(), flags=(flag,),
        ))
    assert "flags" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.coaching_session_save(session=None, by=manager, data=CoachingInput(
            agent=agent, coach=manager, scheduled_for=timezone.now(), evaluations=(other_evaluation,),
        ))
    assert "evaluations" in refused.value.message_dict
