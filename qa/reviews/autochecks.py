"""Automatic checks on rubric criteria: reading a criterion's check, and translating between the checks'
pass / fail / unknown and a criterion's answers (yes, no, N/A, a scale, points).

No models imported here (the models call `criterion_clean`); the writes are in `auto_services`.
"""

from __future__ import annotations

from fractions import Fraction

from django.core.exceptions import ValidationError

from qa.autoqa.config import Check, ConfigError
from qa.autoqa.models import AutoAnswer, AutoItem, Verdict
from qa.reviews import scoring

# A reviewer's answer earning at least this share of the criterion reads as a pass (a 3 of 1-5 is 0.5).
PASS_FROM = Fraction(1, 2)


def check_from_json(key: str, data) -> Check:
    """The stored JSON of a criterion's check (a `Check` without its key) as a check; ConfigError if invalid."""
    if not isinstance(data, dict):
        raise ConfigError(f"check: must be an object, got {type(data).__name__}")
    if data.get("key", key) != key:
        raise ConfigError(f"key: the check takes the question's key '{key}'; leave 'key' out, got {data['key']!r}")
    return Check.from_dict({**data, "key": key})


def check_to_json(check: Check) -> dict:
    data = check.to_dict()
    data.pop("key")
    return data


def criterion_check(criterion) -> Check | None:
    """The criterion's check, when it has one and it is switched on."""
    if not criterion.auto_check or not criterion.key or not criterion.auto_check_enabled:
        return None
    return check_from_json(criterion.key, criterion.auto_check)


def criterion_clean(criterion) -> None:
    """Model validation of the auto-QA fields: a key unique in its version, a check that parses."""
    errors = {}
    if criterion.auto_check not in (None, "", {}):
        if not criterion.key:
            errors["key"] = "A question with an automatic check needs a key."
        else:
            try:
                check_from_json(criterion.key, criterion.auto_check)
            except ConfigError as exc:
                errors["auto_check"] = f"Invalid check: {exc}"
    if criterion.key and criterion.section_id:
        siblings = type(criterion).objects.filter(section__version_id=criterion.section.version_id, key=criterion.key)
        if siblings.exclude(pk=criterion.pk).exists():
            errors["key"] = f"Another question of this rubric version has the key '{criterion.key}'."
    if errors:
        raise ValidationError(errors)


def human_verdict(spec: scoring.CriterionSpec, value: str) -> Verdict | None:
    """A reviewer's answer as a check would give it; None when unanswered."""
    if not value:
        return None
    earned = scoring.answer_fraction(spec, value)
    if earned is None:
        return Verdict.NOT_APPLICABLE
    return Verdict.PASS if earned >= PASS_FROM else Verdict.FAIL


def prefill_value(spec: scoring.CriterionSpec, item: AutoItem) -> str:
    """The answer to pre-select for an automatic result: the best answer for a pass, the worst for a fail,
    N/A for an item that does not apply (where N/A is allowed); nothing when the check could not tell."""
    allowed = scoring.allowed_values(spec)
    if item.answer == AutoAnswer.PASS:
        return max(allowed, key=lambda v: scoring.answer_fraction(spec, v) if v != scoring.NA else -1)
    if item.answer == AutoAnswer.FAIL:
        return min(allowed, key=lambda v: scoring.answer_fraction(spec, v) if v != scoring.NA else 2)
    if not item.applicable and scoring.NA in allowed:
        return scoring.NA
    return ""
