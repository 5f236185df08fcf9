"""The training-need rule on automatic checks: an item's fail rate over at least N judged calls in the rules week,
off unless switched on, with the failed calls as evidence and the same flag lifecycle as the other rules."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qa.autoqa.selectors import ItemCoverage
from qa.performance.models import LogEntry, TrainingFlag, TrainingRules
from qa.performance.rules import Rule, Thresholds, auto_check_rule
from qa.performance.selectors import rules_period
from qa.performance.services import CoachingInput, coaching_session_save, flag_move, training_rules_run
from tests.factories import AgentFactory, ManagerFactory, TeamFactory
from tests.qa.autoqa.helpers import auto_store
from tests.qa.performance.helpers import at, call

pytestmark = pytest.mark.django_db

ON = Thresholds(auto_check_rule_on=True)  # 30% over at least 10 judged calls, any check
PERIOD = "the week of 02 Mar 2026"


def tally(key: str, passed: int, failed: int, unknown: int = 0) -> ItemCoverage:
    return ItemCoverage(key=key, passed=passed, failed=failed, unknown=unknown)


# --- The rule alone ----------------------------------------------------------------------------


def test_it_is_off_by_default():
    assert Thresholds().auto_check_rule_on is False
    assert TrainingRules().thresholds(client_fcr_target=None).auto_check_rule_on is False
    assert auto_check_rule(Thresholds(), checks=[tally("greeting", 0, 20)], period=PERIOD) is None


def test_it_fires_only_above_the_threshold():
    at_threshold = [tally("greeting", 7, 3)]  # 3 of 10: 30%, not above
    above = [tally("greeting", 6, 4)]  # 40%

    assert auto_check_rule(ON, checks=at_threshold, period=PERIOD) is None
    firing = auto_check_rule(ON, checks=above, period=PERIOD)
    assert firing.rule == Rule.AUTO_CHECK_FAILING
    assert firing.figures == {
        "checks": {"greeting": {"failed": 4, "judged": 10, "fail_rate": 0.4}},
        "threshold": 0.3, "minimum_calls": 10, "period": PERIOD,
    }
    assert firing.summary == f"Automatic checks failed on more than 30% of the calls they judged in {PERIOD}: greeting 4 of 10 (40%)."


def test_it_judges_a_check_only_on_enough_judged_calls_unknown_left_out():
    too_few = [tally("closing", 4, 5, unknown=30)]  # 9 judged: 56% fails, but fewer than 10
    just_enough = [tally("closing", 5, 5, unknown=30)]  # 10 judged: 50%

    assert auto_check_rule(ON, checks=too_few, period=PERIOD) is None
    assert auto_check_rule(ON, checks=just_enough, period=PERIOD).figures["checks"]["closing"]["judged"] == 10
    stricter = replace(ON, auto_check_minimum_calls=11)
    assert auto_check_rule(stricter, checks=just_enough, period=PERIOD) is None


def test_it_watches_only_the_chosen_checks_and_lists_every_one_failing():
    checks = [tally("greeting", 5, 5), tally("closing", 2, 8), tally("hold", 9, 1)]

    only_hold = auto_check_rule(replace(ON, auto_check_keys=("hold",)), checks=checks, period=PERIOD)
    any_check = auto_check_rule(ON, checks=checks, period=PERIOD)

    assert only_hold is None  # hold fails 10%
    assert list(any_check.figures["checks"]) == ["greeting", "closing"]
    assert "greeting 5 of 10 (50%), closing 8 of 10 (80%)" in any_check.summary


def test_it_reads_its_settings_from_the_training_rules():
    rules = TrainingRules(team=TeamFactory(), auto_check_rule_on=True, auto_check_keys="greeting, closing,greeting",
                          auto_check_fail_rate=Decimal("0.250"), auto_check_minimum_calls=4)
    thresholds = rules.thresholds(client_fcr_target=None)
    assert (thresholds.auto_check_rule_on, thresholds.auto_check_keys) == (True, ("greeting", "closing"))
    assert (thresholds.auto_check_fail_rate, thresholds.auto_check_minimum_calls) == (0.25, 4)


def test_it_refuses_check_keys_no_rubric_has_naming_them(rubric):
    for key in ("greeting", "closing"):
        rubric.criteria[key].key = key
        rubric.criteria[key].save()
    rules = TrainingRules(team=TeamFactory(), auto_check_keys="greeting, Greeting!, closng")
    with pytest.raises(ValidationError, match=r"Not a check key: Greeting!"):
        rules.full_clean()
    rules.auto_check_keys = "greeting,closng"
    with pytest.raises(ValidationError, match=r"No rubric question has the key closng"):
        rules.full_clean()
    rules.auto_check_keys = " closing ,greeting "
    rules.full_clean()
    assert rules.auto_check_keys == "closing, greeting"


def test_the_database_refuses_a_fail_rate_outside_0_to_1():
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingRules.objects.create(team=TeamFactory(), auto_check_fail_rate=Decimal("1.5"))


# --- Run over stored automatic evaluations -------------------------------------------------------


@pytest.fixture
def week():
    return rules_period(timezone.now())


def checked_calls(rubric, agent, week, answers: list[str], key: str = "greeting", day_offset: int = 0) -> list:
    """One transcribed call in the rules week per answer, checked automatically on `key` (hold never applies)."""
    made = []
    for i, answer in enumerate(answers):
        c = call(agent=agent, started_at=at(week.first + timedelta(days=(i + day_offset) % 7), hour=9 + i % 8))
        auto_store(rubric, c, **{key: answer, "hold": "n/a"})
        made.append(c)
    return made


def test_it_flags_an_agent_whose_check_fails_too_often_with_the_failed_calls_as_evidence(rubric, week):
    team = TeamFactory()
    TrainingRules.objects.create(team=team, auto_check_rule_on=True)
    often, seldom, few = AgentFactory(team=team), AgentFactory(team=team), AgentFactory(team=team)
    failed = checked_calls(rubric, often, week, ["fail"] * 4)
    checked_calls(rubric, often, week, ["pass"] * 6 + ["unknown"] * 3, day_offset=4)  # 4 of 10 judged: 40%
    checked_calls(rubric, seldom, week, ["fail"] * 3 + ["pass"] * 7)  # 30%: not above
    checked_calls(rubric, few, week, ["fail"] * 9)  # 100%, but 9 judged calls are too few
    earlier = call(agent=often, started_at=at(week.first - timedelta(days=3)))
    auto_store(rubric, earlier, greeting="fail")  # before the rules week: not counted

    training_rules_run()

    (flag,) = TrainingFlag.objects.filter(rule=Rule.AUTO_CHECK_FAILING)
    assert (flag.agent, flag.status) == (often, "open")
    assert flag.figures["checks"] == {"greeting": {"failed": 4, "judged": 10, "fail_rate": 0.4}}
    assert set(flag.calls.all()) == set(failed)
    assert flag.get_rule_display() == "Automatic check failed often"
    assert LogEntry.objects.filter(agent=often, kind="flag_opened", flag=flag).exists()


def test_it_stays_quiet_while_the_rule_is_off(rubric, week):
    agent = AgentFactory(team=TeamFactory())
    checked_calls(rubric, agent, week, ["fail"] * 12)

    training_rules_run()

    assert not TrainingFlag.objects.filter(rule=Rule.AUTO_CHECK_FAILING).exists()


def test_it_follows_the_flag_lifecycle_updated_while_open_reopened_only_on_newer_evidence(rubric, week):
    team, manager = TeamFactory(), ManagerFactory()
    TrainingRules.objects.create(team=team, auto_check_rule_on=True, auto_check_keys="closing", auto_check_minimum_calls=5)
    agent = AgentFactory(team=team)
    checked_calls(rubric, agent, week, ["fail"] * 3 + ["pass"] * 2, key="closing")  # 60%

    first, again = training_rules_run(agent_ids=[agent.pk]), training_rules_run(agent_ids=[agent.pk])
    flag = TrainingFlag.objects.get(agent=agent, rule=Rule.AUTO_CHECK_FAILING)
    assert (first.opened, again.opened, again.updated) == (1, 0, 1)

    coaching_session_save(session=None, by=manager, data=CoachingInput(
        agent=agent, coach=manager, scheduled_for=timezone.now() - timedelta(hours=2),
        held_at=timezone.now() - timedelta(hours=1), flags=(flag,), agreed_action="Ask before closing.",
    ))
    flag_move(flag=flag, to="closed", by=manager)
    after_closing = training_rules_run(agent_ids=[agent.pk])  # the same week's calls, from before the closing

    flag.refresh_from_db()
    assert (after_closing.reopened, flag.status, flag.times_opened) == (0, "closed", 1)
    assert TrainingFlag.objects.filter(agent=agent).count() == 1
