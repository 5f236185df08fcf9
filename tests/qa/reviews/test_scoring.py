"""The scoring maths: weights, N/A, critical fail, rounding."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.reviews import scoring
from qa.reviews.scoring import CriterionSpec, ScoringError, SectionSpec, score


def yes_no(key, weight=1, critical=False, na=False):
    return CriterionSpec(key=key, answer_type=scoring.YES_NO_NA if na else scoring.YES_NO, weight=weight, critical=critical)


def test_it_weights_criteria_within_a_section():
    section = SectionSpec(key="s", weight=1, criteria=(yes_no("a", weight=3), yes_no("b", weight=1)))
    assert score([section], {"a": "yes", "b": "no"}).percent == Decimal("75.00")


def test_it_weights_sections():
    opening = SectionSpec(key="open", weight=1, criteria=(yes_no("a"),))
    resolution = SectionSpec(key="res", weight=3, criteria=(yes_no("b"),))
    assert score([opening, resolution], {"a": "no", "b": "yes"}).percent == Decimal("75.00")


def test_it_drops_na_from_achieved_and_possible():
    section = SectionSpec(key="s", weight=1, criteria=(yes_no("a"), yes_no("b", na=True), yes_no("c")))
    assert score([section], {"a": "yes", "b": "na", "c": "no"}).percent == Decimal("50.00")


def test_it_drops_a_section_whose_answers_are_all_na():
    first = SectionSpec(key="1", weight=1, criteria=(yes_no("a"),))
    second = SectionSpec(key="2", weight=9, criteria=(yes_no("b", na=True),))
    result = score([first, second], {"a": "yes", "b": "na"})
    assert result.percent == Decimal("100.00")
    assert result.section_percents["2"] is None


def test_it_scores_zero_when_a_critical_criterion_fails():
    section = SectionSpec(key="s", weight=1, criteria=(yes_no("a", weight=9), yes_no("disclosure", critical=True)))
    result = score([section], {"a": "yes", "disclosure": "no"})
    assert result.percent == Decimal("0.00")
    assert result.critical_failed


def test_it_does_not_fail_a_critical_criterion_marked_na():
    section = SectionSpec(key="s", weight=1, criteria=(yes_no("a"), yes_no("card", critical=True, na=True)))
    result = score([section], {"a": "yes", "card": "na"})
    assert (result.percent, result.critical_failed) == (Decimal("100.00"), False)


def test_it_maps_scales_and_points_onto_fractions():
    section = SectionSpec(key="s", weight=1, criteria=(
        CriterionSpec(key="scale", answer_type=scoring.SCALE_1_5),
        CriterionSpec(key="pts", answer_type=scoring.POINTS, max_points=3),
    ))
    # scale 4 -> 3/4, points 1/3 -> (0.75 + 0.3333) / 2 = 54.1666..
    assert score([section], {"scale": "4", "pts": "1"}).percent == Decimal("54.17")


def test_it_rounds_half_up_exactly():
    # 1/8 = 12.5 % of a section of 8 -> 0.125 * 100 = 12.50; 1/3 -> 33.33; 2/3 -> 66.67
    section = SectionSpec(key="s", weight=1, criteria=tuple(yes_no(i) for i in range(3)))
    assert score([section], {0: "yes", 1: "yes", 2: "no"}).percent == Decimal("66.67")
    assert scoring.round_percent(scoring.Fraction(2001, 8000) * 100) == Decimal("25.01")  # 25.0125 -> 25.01
    assert scoring.round_percent(scoring.Fraction(1, 800)) == Decimal("0.00")  # 0.00125
    assert scoring.round_percent(scoring.Fraction(1, 200)) == Decimal("0.01")  # 0.005 -> half up


def test_it_rejects_an_answer_that_does_not_fit_the_question():
    section = SectionSpec(key="s", weight=1, criteria=(yes_no("a"),))
    with pytest.raises(ScoringError, match="not an answer"):
        score([section], {"a": "na"})
    with pytest.raises(ScoringError, match="has no answer"):
        score([section], {})


def test_it_returns_no_score_when_everything_is_na():
    section = SectionSpec(key="s", weight=1, criteria=(yes_no("a", na=True),))
    assert score([section], {"a": "na"}).percent is None


def test_it_computes_calibration_spread_and_deviation():
    figures = scoring.spread([80, 90, Decimal("100"), None])
    assert (figures.minimum, figures.maximum, figures.range) == (80.0, 100.0, 20.0)
    assert figures.std_dev == 8.16  # population std dev of 80, 90, 100
    assert scoring.deviation(80, 90) == -10.0
    assert scoring.deviation(None, 90) is None


# --- Properties ---------------------------------------------------------------------

weights = st.integers(min_value=1, max_value=20)


@st.composite
def criterion_and_answer(draw, key):
    kind = draw(st.sampled_from(scoring.ANSWER_TYPES))
    max_points = draw(st.integers(1, 10)) if kind == scoring.POINTS else None
    spec = CriterionSpec(key=key, answer_type=kind, weight=draw(weights), max_points=max_points, critical=draw(st.booleans()))
    value = draw(st.sampled_from(scoring.allowed_values(spec)))
    return spec, value


@st.composite
def rubrics_with_answers(draw):
    sections, answers, key = [], {}, 0
    for s in range(draw(st.integers(1, 4))):
        criteria = []
        for _ in range(draw(st.integers(1, 5))):
            spec, value = draw(criterion_and_answer(key))
            criteria.append(spec)
            answers[key] = value
            key += 1
        sections.append(SectionSpec(key=s, weight=draw(weights), criteria=tuple(criteria)))
    return sections, answers


@settings(max_examples=300, deadline=None)
@given(rubrics_with_answers())
def test_it_always_scores_between_0_and_100(rubric):
    sections, answers = rubric
    result = score(sections, answers)
    assert result.percent is None or Decimal("0") <= result.percent <= Decimal("100")


@settings(max_examples=300, deadline=None)
@given(rubrics_with_answers(), st.data())
def test_it_scores_na_like_a_rubric_without_that_question(rubric, data):
    """Marking a question N/A gives the score the remaining answers earn on their own."""
    sections, answers = rubric
    spec = data.draw(st.sampled_from([c for s in sections for c in s.criteria]))
    na_spec = CriterionSpec(key=spec.key, answer_type=scoring.YES_NO_NA, weight=spec.weight, critical=spec.critical)
    with_na = [
        SectionSpec(key=s.key, weight=s.weight, criteria=tuple(na_spec if c.key == spec.key else c for c in s.criteria))
        for s in sections
    ]
    without = [
        SectionSpec(key=s.key, weight=s.weight, criteria=tuple(c for c in s.criteria if c.key != spec.key))
        for s in sections
    ]
    remaining = {k: v for k, v in answers.items() if k != spec.key}
    assert score(with_na, {**remaining, spec.key: "na"}) == score(without, remaining)
