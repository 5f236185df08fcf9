"""Training-need rules, as pure decisions: given an agent's figures and the thresholds, does a rule fire?

No database here: `qa.performance.services.training_rules_run` gathers the figures and stores the flags.
Each rule that fires gives a `Firing`: what it saw (figures), a sentence for people, and its evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Protocol

from django.db import models


class Rule(models.TextChoices):
    SECTION_BELOW = "section_below", "Section average below threshold"
    CRITICAL_FAIL = "critical_fail", "Critical item failed"
    FCR_BELOW_TARGET = "fcr_below_target", "FCR below target"
    AHT_ABOVE_TEAM_MEDIAN = "aht_above_team_median", "AHT above the team median"
    UNDER_MONITORED = "under_monitored", "Under-monitored"
    AUTO_CHECK_FAILING = "auto_check_failing", "Automatic check failed often"


@dataclass(frozen=True)
class Thresholds:
    """One agent's rule settings (from `TrainingRules` for their team or client, or the defaults)."""

    section_rule_on: bool = True
    section_threshold: float = 75.0  # 0-100
    section_last_evaluations: int = 5
    critical_fail_rule_on: bool = True
    fcr_rule_on: bool = True
    fcr_target: float = 0.70  # 0-1
    aht_rule_on: bool = True
    aht_above_median_percent: float = 20.0
    monitoring_rule_on: bool = True
    minimum_calls: int = 10  # FCR and AHT judge an agent only on at least this many calls
    # Automatic checks: off unless a manager trusts them (README, "Agent performance").
    auto_check_rule_on: bool = False
    auto_check_keys: tuple[str, ...] = ()  # empty: any check
    auto_check_fail_rate: float = 0.30  # 0-1: flags a check failed on more than this share of the calls it judged
    auto_check_minimum_calls: int = 10  # ...judged (pass or fail) on at least this many calls in the week


@dataclass(frozen=True)
class Firing:
    rule: Rule
    summary: str
    figures: dict
    evaluation_ids: tuple[int, ...] = field(default=())
    call_ids: tuple[int, ...] = field(default=())


def section_rule(
    thresholds: Thresholds, *, section_averages: Mapping[str, float | None], evaluation_ids: Sequence[int]
) -> Firing | None:
    """A section's average over the agent's last N evaluations (N or fewer, all they have) below the threshold."""
    if not thresholds.section_rule_on or not evaluation_ids:
        return None
    below = {
        title: round(average, 2) for title, average in section_averages.items()
        if average is not None and average < thresholds.section_threshold
    }
    if not below:
        return None
    listed = ", ".join(f"{title} {average:.1f}" for title, average in below.items())
    return Firing(
        rule=Rule.SECTION_BELOW,
        summary=f"Below {thresholds.section_threshold:g} over the last {len(evaluation_ids)} evaluation(s): {listed}.",
        figures={"sections": below, "threshold": thresholds.section_threshold, "evaluations": len(evaluation_ids)},
        evaluation_ids=tuple(evaluation_ids),
    )


def critical_fail_rule(thresholds: Thresholds, *, failed_evaluation_ids: Sequence[int]) -> Firing | None:
    """Any critical fail among the agent's last N evaluations."""
    if not thresholds.critical_fail_rule_on or not failed_evaluation_ids:
        return None
    n = len(failed_evaluation_ids)
    return Firing(
        rule=Rule.CRITICAL_FAIL,
        summary=f"{n} evaluation(s) with a critical item failed.",
        figures={"critical_fails": n},
        evaluation_ids=tuple(failed_evaluation_ids),
    )


def fcr_rule(thresholds: Thresholds, *, rate: float | None, decided_calls: int, period: str) -> Firing | None:
    if not thresholds.fcr_rule_on or rate is None or decided_calls < thresholds.minimum_calls:
        return None
    if rate >= thresholds.fcr_target:
        return None
    return Firing(
        rule=Rule.FCR_BELOW_TARGET,
        summary=f"FCR {rate:.0%} over {decided_calls} calls in {period}, below the target of {thresholds.fcr_target:.0%}.",
        figures={"fcr": round(rate, 4), "target": thresholds.fcr_target, "calls": decided_calls, "period": period},
    )


def team_median(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return median(known) if known else None


def aht_rule(
    thresholds: Thresholds, *, aht_seconds: float | None, team_median_seconds: float | None, calls: int, period: str,
) -> Firing | None:
    """AHT more than X% above the median of the agent's team (the agents' own AHTs)."""
    if not thresholds.aht_rule_on or aht_seconds is None or not team_median_seconds or calls < thresholds.minimum_calls:
        return None
    limit = team_median_seconds * (1 + thresholds.aht_above_median_percent / 100)
    if aht_seconds <= limit:
        return None
    above = 100 * (aht_seconds / team_median_seconds - 1)
    return Firing(
        rule=Rule.AHT_ABOVE_TEAM_MEDIAN,
        summary=(
            f"AHT {aht_seconds:.0f} s in {period} is {above:.0f}% above the team median of {team_median_seconds:.0f} s "
            f"(allowed: {thresholds.aht_above_median_percent:g}%)."
        ),
        figures={
            "aht_seconds": round(aht_seconds, 1), "team_median_seconds": round(team_median_seconds, 1),
            "above_percent": round(above, 1), "allowed_percent": thresholds.aht_above_median_percent,
            "calls": calls, "period": period,
        },
    )


def monitoring_rule(thresholds: Thresholds, *, evaluations: int, target: int | None, period: str) -> Firing | None:
    if not thresholds.monitoring_rule_on or target is None or evaluations >= target:
        return None
    return Firing(
        rule=Rule.UNDER_MONITORED,
        summary=f"{evaluations} of {target} planned evaluation(s) in {period}.",
        figures={"evaluations": evaluations, "target": target, "period": period},
    )


class CheckTally(Protocol):
    """One automatic check's answers over the agent's calls (`qa.autoqa.selectors.ItemCoverage`)."""

    key: str
    failed: int

    @property
    def judged(self) -> int: ...


def auto_check_rule(thresholds: Thresholds, *, checks: Iterable[CheckTally], period: str) -> Firing | None:
    """An automatic check (any, or one of those chosen) failed on more than the threshold's share of the calls it
    judged (pass or fail; unknown left out), over at least the minimum number of such calls in the week."""
    if not thresholds.auto_check_rule_on:
        return None
    failing = [
        c for c in checks
        if (not thresholds.auto_check_keys or c.key in thresholds.auto_check_keys)
        and c.judged >= thresholds.auto_check_minimum_calls and c.failed / c.judged > thresholds.auto_check_fail_rate
    ]
    if not failing:
        return None
    listed = ", ".join(f"{c.key} {c.failed} of {c.judged} ({c.failed / c.judged:.0%})" for c in failing)
    return Firing(
        rule=Rule.AUTO_CHECK_FAILING,
        summary=f"Automatic checks failed on more than {thresholds.auto_check_fail_rate:.0%} of the calls they judged in "
                f"{period}: {listed}.",
        figures={
            "checks": {c.key: {"failed": c.failed, "judged": c.judged, "fail_rate": round(c.failed / c.judged, 4)} for c in failing},
            "threshold": thresholds.auto_check_fail_rate, "minimum_calls": thresholds.auto_check_minimum_calls,
            "period": period,
        },
    )
