"""The training-need rules as pure decisions: where each fires, and where it stays quiet."""

import pytest

from qa.performance.rules import (
    Rule,
    Thresholds,
    aht_rule,
    critical_fail_rule,
    fcr_rule,
    monitoring_rule,
    section_rule,
    team_median,
)

DEFAULTS = Thresholds()


def test_it_flags_only_the_sections_below_the_threshold():
    firing = section_rule(DEFAULTS, section_averages={"Opening": 80.0, "Closing": 74.99, "Compliance": None},
                          evaluation_ids=[3, 2, 1])
    assert firing.rule == Rule.SECTION_BELOW
    assert firing.figures == {"sections": {"Closing": 74.99}, "threshold": 75.0, "evaluations": 3}
    assert firing.evaluation_ids == (3, 2, 1)
    assert "Closing 75.0" in firing.summary and "last 3 evaluation(s)" in firing.summary


def test_it_keeps_quiet_at_the_threshold_without_evaluations_or_when_switched_off():
    assert section_rule(DEFAULTS, section_averages={"Opening": 75.0}, evaluation_ids=[1]) is None
    assert section_rule(DEFAULTS, section_averages={"Opening": 10.0}, evaluation_ids=[]) is None
    assert section_rule(Thresholds(section_rule_on=False), section_averages={"Opening": 10.0}, evaluation_ids=[1]) is None


def test_it_flags_any_critical_fail():
    assert critical_fail_rule(DEFAULTS, failed_evaluation_ids=[]) is None
    firing = critical_fail_rule(DEFAULTS, failed_evaluation_ids=[7])
    assert (firing.rule, firing.figures, firing.evaluation_ids) == (Rule.CRITICAL_FAIL, {"critical_fails": 1}, (7,))
    assert critical_fail_rule(Thresholds(critical_fail_rule_on=False), failed_evaluation_ids=[7]) is None


def test_it_flags_fcr_below_target_on_enough_calls():
    assert fcr_rule(DEFAULTS, rate=0.69, decided_calls=9, period="w") is None  # too few calls to judge
    assert fcr_rule(DEFAULTS, rate=0.70, decided_calls=10, period="w") is None  # on target
    assert fcr_rule(DEFAULTS, rate=None, decided_calls=10, period="w") is None
    firing = fcr_rule(Thresholds(fcr_target=0.8), rate=0.75, decided_calls=12, period="the week of 02 Nov 2026")
    assert firing.figures == {"fcr": 0.75, "target": 0.8, "calls": 12, "period": "the week of 02 Nov 2026"}
    assert firing.summary == "FCR 75% over 12 calls in the week of 02 Nov 2026, below the target of 80%."


def test_it_flags_an_aht_more_than_x_percent_above_the_team_median():
    assert team_median([300, None, 400, 200]) == 300
    assert team_median([None]) is None
    assert aht_rule(DEFAULTS, aht_seconds=360, team_median_seconds=300, calls=10, period="w") is None  # exactly +20%
    firing = aht_rule(DEFAULTS, aht_seconds=400, team_median_seconds=300, calls=10, period="w")
    assert firing.figures["above_percent"] == pytest.approx(33.3)
    assert aht_rule(DEFAULTS, aht_seconds=400, team_median_seconds=None, calls=10, period="w") is None
    assert aht_rule(DEFAULTS, aht_seconds=400, team_median_seconds=300, calls=9, period="w") is None


def test_it_flags_under_monitoring_only_against_a_target():
    assert monitoring_rule(DEFAULTS, evaluations=0, target=None, period="w") is None
    assert monitoring_rule(DEFAULTS, evaluations=2, target=2, period="w") is None
    firing = monitoring_rule(DEFAULTS, evaluations=1, target=2, period="the week of 02 Nov 2026")
    assert firing.summary == "1 of 2 planned evaluation(s) in the week of 02 Nov 2026."
