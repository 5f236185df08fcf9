"""The scoring maths, free of Django and the database.

An evaluation's score is a weighted percentage:
- each criterion earns a fraction of its weight (yes = 1, no = 0, a 1-5 scale
  maps 1..5 onto 0..1, points earn points / max points);
- a section's result is its criteria's achieved weight over their possible weight;
- the overall score is the sections' results averaged by section weight.
N/A answers drop out of both the achieved and the possible weight, and a section
with nothing applicable drops out of the overall average. Failing a critical
criterion (its lowest answer) makes the whole evaluation 0.
Maths runs on exact fractions; only the final figure is rounded (half up).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

YES_NO = "yes_no"
YES_NO_NA = "yes_no_na"
SCALE_1_5 = "scale_1_5"
POINTS = "points"
ANSWER_TYPES = (YES_NO, YES_NO_NA, SCALE_1_5, POINTS)

NA = "na"
SCORE_PLACES = Decimal("0.01")


class ScoringError(ValueError):
    """An answer that does not fit its criterion, or a rubric that cannot be scored."""


@dataclass(frozen=True)
class CriterionSpec:
    key: object
    answer_type: str
    weight: Fraction | Decimal | int = 1
    max_points: int | None = None
    critical: bool = False


@dataclass(frozen=True)
class SectionSpec:
    key: object
    weight: Fraction | Decimal | int
    criteria: tuple[CriterionSpec, ...] = ()


@dataclass(frozen=True)
class ScoreResult:
    percent: Decimal | None  # None: every criterion was N/A, nothing to score
    critical_failed: bool
    section_percents: dict = field(default_factory=dict)  # section key -> Decimal | None


def allowed_values(spec: CriterionSpec) -> list[str]:
    if spec.answer_type == YES_NO:
        return ["yes", "no"]
    if spec.answer_type == YES_NO_NA:
        return ["yes", "no", NA]
    if spec.answer_type == SCALE_1_5:
        return [str(n) for n in range(1, 6)]
    if spec.answer_type == POINTS:
        if not spec.max_points or spec.max_points < 1:
            raise ScoringError("A points criterion needs max points of at least 1.")
        return [str(n) for n in range(0, spec.max_points + 1)]
    raise ScoringError(f"Unknown answer type {spec.answer_type!r}.")


def answer_fraction(spec: CriterionSpec, value: str) -> Fraction | None:
    """The share of the criterion's weight an answer earns; None for N/A."""
    value = str(value).strip().lower()
    if value not in allowed_values(spec):
        raise ScoringError(
            f"{value!r} is not an answer to this question; expected one of {', '.join(allowed_values(spec))}."
        )
    if value == NA:
        return None
    if spec.answer_type in (YES_NO, YES_NO_NA):
        return Fraction(1) if value == "yes" else Fraction(0)
    if spec.answer_type == SCALE_1_5:
        return Fraction(int(value) - 1, 4)
    return Fraction(int(value), spec.max_points)


def round_percent(value: Fraction) -> Decimal:
    """Half-up to two places, computed exactly (no binary float drift)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def _fraction(value) -> Fraction:
    result = Fraction(str(value)) if isinstance(value, Decimal) else Fraction(value)
    if result <= 0:
        raise ScoringError("Weights must be positive.")
    return result


def score(sections: Sequence[SectionSpec], answers: Mapping[object, str]) -> ScoreResult:
    """Score complete answers (criterion key -> value) against the sections."""
    weighted_total = Fraction(0)
    weight_total = Fraction(0)
    critical_failed = False
    section_percents: dict = {}
    for section in sections:
        achieved = possible = Fraction(0)
        for criterion in section.criteria:
            if criterion.key not in answers:
                raise ScoringError(f"Criterion {criterion.key} has no answer.")
            earned = answer_fraction(criterion, answers[criterion.key])
            if earned is None:
                continue
            weight = _fraction(criterion.weight)
            achieved += weight * earned
            possible += weight
            if criterion.critical and earned == 0:
                critical_failed = True
        if possible == 0:
            section_percents[section.key] = None
            continue
        section_share = achieved / possible
        section_percents[section.key] = round_percent(100 * section_share)
        section_weight = _fraction(section.weight)
        weighted_total += section_weight * section_share
        weight_total += section_weight
    if critical_failed:
        return ScoreResult(percent=Decimal("0.00"), critical_failed=True, section_percents=section_percents)
    if weight_total == 0:
        return ScoreResult(percent=None, critical_failed=False, section_percents=section_percents)
    return ScoreResult(
        percent=round_percent(100 * weighted_total / weight_total),
        critical_failed=False,
        section_percents=section_percents,
    )


# --- Calibration figures -------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    values: tuple[float, ...]
    minimum: float | None
    maximum: float | None
    range: float | None  # max - min
    std_dev: float | None  # population standard deviation: the panel is the whole population


def spread(values: Iterable[float | Decimal | None]) -> Spread:
    present = tuple(float(v) for v in values if v is not None)
    if not present:
        return Spread(values=(), minimum=None, maximum=None, range=None, std_dev=None)
    mean = math.fsum(present) / len(present)
    variance = math.fsum((v - mean) ** 2 for v in present) / len(present)
    return Spread(
        values=present,
        minimum=min(present),
        maximum=max(present),
        range=round(max(present) - min(present), 2),
        std_dev=round(math.sqrt(variance), 2),
    )


def criterion_percent(spec: CriterionSpec, value: str | None) -> float | None:
    """One answer as 0-100 (for comparing reviewers); None when unanswered or N/A."""
    if value in (None, ""):
        return None
    earned = answer_fraction(spec, value)
    return None if earned is None else float(round_percent(100 * earned))


def deviation(value: float | Decimal | None, expert: float | Decimal | None) -> float | None:
    if value is None or expert is None:
        return None
    return round(float(value) - float(expert), 2)
