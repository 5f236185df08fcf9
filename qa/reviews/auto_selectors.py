"""Auto-QA reads on the rubric side: the automatic answers the workspace pre-fills, the managers' list of checks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from qa.autoqa.models import AutoItem
from qa.autoqa.selectors import CheckAgreement, auto_items_by_key, check_agreement
from qa.reviews.autochecks import prefill_value
from qa.reviews.models import AutoCheck, CalibrationSession, Criterion, RubricVersion
from recordings.models import Call


@dataclass(frozen=True)
class AutoSuggestion:
    """A stored automatic answer on one question, and the answer it pre-selects ('' for none)."""

    item: AutoItem
    value: str

    @property
    def confidence_percent(self) -> int:
        return round(self.item.confidence * 100)

    def as_json(self) -> dict:
        return {"answer": self.item.answer, "value": self.value, "applicable": self.item.applicable}


def workspace_auto(
    *, call: Call, criteria: list[Criterion], calibration_session: CalibrationSession | None = None
) -> dict[int, AutoSuggestion]:
    """Criterion id -> its automatic answer, for the questions whose check is on and has a result.

    Calibration is scored blind, so it gets none. Matched by key: the call may have been checked on
    another version of the rubric than the one being scored.
    """
    if calibration_session is not None:
        return {}
    items = auto_items_by_key(call=call)
    suggestions = {}
    for criterion in criteria:
        item = items.get(criterion.key) if criterion.key and criterion.auto_check and criterion.auto_check_enabled else None
        if item is not None:
            suggestions[criterion.pk] = AutoSuggestion(item=item, value=prefill_value(criterion.spec(), item))
    return suggestions


def auto_checks() -> QuerySet[AutoCheck]:
    """The checks of the rubrics' published versions: one row per rubric and check key."""
    return (
        AutoCheck.objects.filter(section__version__status=RubricVersion.Status.PUBLISHED, auto_check__isnull=False)
        .exclude(key="")
        .select_related("section__version__rubric")
        .order_by("section__version__rubric__name", "section__position", "position", "id")
    )


def agreement_by_check(*, calls: QuerySet[Call] | None = None) -> dict[tuple[int, str], CheckAgreement]:
    """(rubric id, check key) -> its agreement with reviewers."""
    return {(a.rubric_id, a.key): a for a in check_agreement(calls=calls)}
