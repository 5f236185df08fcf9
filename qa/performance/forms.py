from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError

from qa.lib.periods import MONTH, WEEK, Period, period_containing
from qa.performance.models import CoachingSession, TrainingFlag
from qa.performance.services import CoachingInput, coaching_session_validate
from qa.reviews.forms import add_service_errors
from qa.reviews.models import Evaluation

LONGEST_PERIOD_DAYS = 366


def period_from(first: date | None, last: date | None, *, today: date) -> Period:
    """A reporting period from `from`/`to` dates (both included); neither given: this month.

    Raises ValidationError naming the problem for half a range, a reversed one, or one over a year.
    """
    if first is None and last is None:
        return period_containing(MONTH, today)
    if first is None or last is None:
        missing = "from" if first is None else "to"
        raise ValidationError({missing: f"Give both 'from' and 'to' (YYYY-MM-DD), or neither for this month; '{missing}' is missing."})
    if last < first:
        raise ValidationError({"to": f"'to' ({last}) is before 'from' ({first})."})
    if (last - first).days + 1 > LONGEST_PERIOD_DAYS:
        raise ValidationError({"to": f"A period covers at most {LONGEST_PERIOD_DAYS} days."})
    return Period(first, last)


class PeriodForm(forms.Form):
    """The period picker: `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both included; nothing picked is this month."""

    def __init__(self, data=None, *, today: date, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today
        self.fields["from"] = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
        self.fields["to"] = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["period"] = period_from(data.get("from"), data.get("to"), today=self.today)
        except ValidationError as exc:
            add_service_errors(self, exc)
        return data

    def period(self) -> Period:
        """The chosen period; this month when the form is invalid (its errors are shown beside it)."""
        if self.is_valid():
            return self.cleaned_data["period"]
        return period_containing(MONTH, self.today)


@dataclass(frozen=True)
class Preset:
    label: str
    period: Period


def period_presets(today: date) -> list[Preset]:
    this_week, this_month = period_containing(WEEK, today), period_containing(MONTH, today)
    return [
        Preset("This week", this_week),
        Preset("Last week", period_containing(WEEK, this_week.first - timedelta(days=1))),
        Preset("This month", this_month),
        Preset("Last month", period_containing(MONTH, this_month.first - timedelta(days=1))),
        Preset("Last 12 weeks", Period(this_week.first - timedelta(weeks=11), this_week.last)),
    ]


class DisputeForm(forms.Form):
    reason = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Why do you dispute this evaluation?",
    )


class DisputeResolutionForm(forms.Form):
    UPHOLD, RESCORE = "uphold", "rescore"

    outcome = forms.ChoiceField(
        choices=[(UPHOLD, "Uphold the score"), (RESCORE, "Re-score with the answers below (a logged amendment)")],
        widget=forms.RadioSelect, initial=UPHOLD,
    )
    resolution = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Your reasons (shown to the agent)",
    )


class CoachingSessionForm(forms.ModelForm):
    """The admin's form; saving goes through `services.coaching_session_save` (flags move, the log is written)."""

    class Meta:
        model = CoachingSession
        fields = ["agent", "coach", "scheduled_for", "held_at", "flags", "evaluations", "notes", "agreed_action",
                  "follow_up_evaluation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        agent_id = self.instance.agent_id or self.data.get("agent") or self.initial.get("agent")
        flags = TrainingFlag.objects.select_related("agent")
        evaluations = Evaluation.objects.filter(status=Evaluation.Status.SUBMITTED).select_related("call")
        if agent_id:
            flags, evaluations = flags.filter(agent_id=agent_id), evaluations.filter(call__agent_id=agent_id)
        # A read-only view (a reviewer's) has no fields to narrow.
        for name, queryset in (("flags", flags), ("evaluations", evaluations), ("follow_up_evaluation", evaluations)):
            if name in self.fields:
                self.fields[name].queryset = queryset

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                coaching_session_validate(self.coaching_input())
            except ValidationError as exc:
                add_service_errors(self, exc)
        return data

    def coaching_input(self) -> CoachingInput:
        data = self.cleaned_data
        return CoachingInput(
            agent=data["agent"], coach=data["coach"], scheduled_for=data["scheduled_for"], held_at=data.get("held_at"),
            notes=data.get("notes", ""), agreed_action=data.get("agreed_action", ""), flags=tuple(data.get("flags") or ()),
            evaluations=tuple(data.get("evaluations") or ()), follow_up_evaluation=data.get("follow_up_evaluation"),
        )

