from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from qa import scoring
from qa.models import CalibrationSession, Criterion, Evaluation, ReviewAssignment
from qa.services import AnswerInput, calibration_session_validate, review_assignment_validate

VALUE_LABELS = {"yes": "Yes", "no": "No", scoring.NA: "N/A"}


class EvaluationForm(forms.Form):
    """The rubric form: one answer, comment and pinned time per question, plus the whole-call comment."""

    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Comment on the whole call")
    comment_at = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Reason for changing a submitted evaluation",
    )

    def __init__(self, *args, criteria: list[Criterion], evaluation: Evaluation | None = None, **kwargs):
        self.criteria = criteria
        initial = kwargs.pop("initial", {}) or {}
        if evaluation is not None:
            initial.update({"comment": evaluation.comment, "comment_at": evaluation.comment_at_seconds})
            for answer in evaluation.answers.all():
                initial.update({
                    f"c{answer.criterion_id}": answer.value,
                    f"c{answer.criterion_id}_comment": answer.comment,
                    f"c{answer.criterion_id}_at": answer.comment_at_seconds,
                })
        super().__init__(*args, initial=initial, **kwargs)
        for criterion in criteria:
            choices = [(v, VALUE_LABELS.get(v, v)) for v in scoring.allowed_values(criterion.spec())]
            self.fields[f"c{criterion.pk}"] = forms.ChoiceField(
                choices=choices, required=False, widget=forms.RadioSelect, label=criterion.question,
                help_text=criterion.guidance,
            )
            self.fields[f"c{criterion.pk}_comment"] = forms.CharField(
                required=False, widget=forms.Textarea(attrs={"rows": 1}), label="Comment",
            )
            self.fields[f"c{criterion.pk}_at"] = forms.FloatField(required=False, min_value=0, widget=forms.HiddenInput)

    def rows(self):
        """(criterion, value field, comment field, time field) in rubric order, grouped in the template by section."""
        return [
            (c, self[f"c{c.pk}"], self[f"c{c.pk}_comment"], self[f"c{c.pk}_at"]) for c in self.criteria
        ]

    def answers(self) -> dict[int, AnswerInput]:
        data = self.cleaned_data
        return {
            c.pk: AnswerInput(
                value=data.get(f"c{c.pk}") or "",
                comment=data.get(f"c{c.pk}_comment") or "",
                comment_at_seconds=data.get(f"c{c.pk}_at"),
            )
            for c in self.criteria
        }


def _reviewer_choices():
    from django.contrib.auth import get_user_model

    from qa.access import MANAGERS_GROUP, REVIEWERS_GROUP

    return get_user_model().objects.filter(is_active=True, groups__name__in=[REVIEWERS_GROUP, MANAGERS_GROUP]).distinct()


class ReviewAssignmentForm(forms.ModelForm):
    class Meta:
        model = ReviewAssignment
        fields = ["call", "reviewer", "due_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = _reviewer_choices()

    def clean(self):
        data = super().clean()
        call = data.get("call") or (self.instance.call if self.instance.pk else None)
        if call and data.get("reviewer"):
            try:
                review_assignment_validate(call=call, reviewer=data["reviewer"])
            except ValidationError as exc:
                self._add_service_errors(exc)
        return data

    def _add_service_errors(self, exc):
        for field, errors in exc.message_dict.items():
            for error in errors:
                self.add_error(field if field in self.fields else None, error)

    def validate_unique(self):
        pass  # one row per call: reassigning moves the existing row (see services.review_assign)


class CalibrationSessionForm(forms.ModelForm):
    class Meta:
        model = CalibrationSession
        fields = ["title", "call", "reviewers", "expert", "due_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = _reviewer_choices()
        self.fields["expert"].queryset = _reviewer_choices()

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("call") and data.get("reviewers") is not None:
            try:
                calibration_session_validate(call=data["call"], reviewers=list(data["reviewers"]), expert=data.get("expert"))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        self.add_error(field if field in self.fields else None, error)
        elif self.instance.pk and data.get("expert") and not self.instance.reviewers.filter(pk=data["expert"].pk).exists():
            self.add_error("expert", "The expert must be one of the session's reviewers.")
        return data
