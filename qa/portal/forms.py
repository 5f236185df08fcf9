"""The portal's GET forms: call-list filters and the summary's period. Bad values are named, never a 500."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from qa.lib.periods import MONTH, WEEK, Period
from qa.portal.selectors import CallFilters, CallSort, FilterChoices

RECORDING_CHOICES = [("", "Any"), ("yes", "With a recording"), ("no", "Without (abandoned, or not sent yet)")]


class DateRangeForm(forms.Form):
    """From and to days, both optional and included; the last must not come before the first."""

    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", "The last day must not be before the first.")
        return cleaned


class CallFilterForm(DateRangeForm):
    agent = forms.ChoiceField(required=False)
    queue = forms.ChoiceField(required=False)
    disposition = forms.ChoiceField(required=False)
    score_min = forms.DecimalField(required=False, min_value=0, max_value=100, decimal_places=2, label="Score from")
    score_max = forms.DecimalField(required=False, min_value=0, max_value=100, decimal_places=2, label="Score to")
    recording = forms.ChoiceField(required=False, choices=RECORDING_CHOICES, label="Recording")
    flagged = forms.BooleanField(required=False, label="Flagged only")
    q = forms.CharField(required=False, max_length=200, label="Search the transcripts")
    sort = forms.ChoiceField(required=False, choices=[(s.value, s.label) for s in CallSort], label="Order")

    def __init__(self, *args, choices: FilterChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [("", "Any agent")] + [(a.external_id, a.name) for a in choices.agents]
        self.fields["queue"].choices = [("", "Any queue")] + [(q, q) for q in choices.queues]
        self.fields["disposition"].choices = [("", "Any outcome")] + [(d, d) for d in choices.dispositions]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("score_min"), cleaned.get("score_max")
        if low is not None and high is not None and low > high:
            self.add_error("score_max", "The highest score must not be below the lowest.")
        return cleaned

    def filters(self) -> CallFilters:
        """The filters from the fields that are valid; an invalid one is shown with its error and left out."""
        self.is_valid()
        data = self.cleaned_data
        recording = data.get("recording")
        return CallFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            agent=data.get("agent") or None,
            queue=data.get("queue") or None,
            disposition=data.get("disposition") or None,
            score_min=data.get("score_min"),
            score_max=data.get("score_max"),
            has_recording={"yes": True, "no": False}.get(recording),
            flagged=bool(data.get("flagged")),
            q=(data.get("q") or "").strip() or None,
            sort=CallSort(data.get("sort") or CallSort.NEWEST),
        )


def default_period(today: date) -> Period:
    """This month so far."""
    return Period(today.replace(day=1), today)


class SummaryForm(DateRangeForm):
    trend = forms.ChoiceField(
        required=False, choices=[(WEEK, "Last 12 weeks"), (MONTH, "Last 12 months")], label="Trend over",
    )

    def period(self) -> Period:
        self.is_valid()
        default = default_period(timezone.localdate())
        if self.errors.get("date_to"):
            return default
        first = self.cleaned_data.get("date_from") or default.first
        last = self.cleaned_data.get("date_to") or max(first, default.last)
        return Period(first, last)

    def trend_kind(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("trend") or WEEK
