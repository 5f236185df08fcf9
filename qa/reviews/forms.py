from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from qa.accounts.roles import reviewers
from qa.reviews import scoring
from qa.reviews.models import CalibrationSession, Criterion, Evaluation, ReviewAssignment
from qa.reviews.services import AnswerInput, calibration_session_validate, review_assignment_validate

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

    def sections(self) -> list[tuple]:
        """[(section, [(criterion, value field, comment field, time field), ...]), ...] in rubric order."""
        grouped: list[tuple] = []
        for c in self.criteria:
            if not grouped or grouped[-1][0].pk != c.section_id:
                grouped.append((c.section, []))
            grouped[-1][1].append((c, self[f"c{c.pk}"], self[f"c{c.pk}_comment"], self[f"c{c.pk}_at"]))
        return grouped

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)

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


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: field errors where the field exists, the rest on top."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(key if key in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


class ReviewAssignmentForm(forms.ModelForm):
    class Meta:
        model = ReviewAssignment
        fields = ["call", "reviewer", "due_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers()

    def clean(self):
        data = super().clean()
        call = data.get("call") or (self.instance.call if self.instance.pk else None)
        if call and data.get("reviewer"):
            try:
                review_assignment_validate(call=call, reviewer=data["reviewer"])
            except ValidationError as exc:
                add_service_errors(self, exc)
        return data

    def validate_unique(self):
        pass  # one row per call: reassigning moves the existing row (see services.review_assign)


class CalibrationSessionForm(forms.ModelForm):
    class Meta:
        model = CalibrationSession
        fields = ["title", "call", "reviewers", "expert", "due_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # On a saved session the panel is read-only (the admin drops the field): only the expert changes.
        if "reviewers" in self.fields:
            self.fields["reviewers"].queryset = reviewers()
        if "expert" in self.fields:
            panel = self.instance.reviewers.all() if self.instance.pk else reviewers()
            self.fields["expert"].queryset = panel

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("call") and data.get("reviewers") is not None:
            try:
                calibration_session_validate(call=data["call"], reviewers=list(data["reviewers"]), expert=data.get("expert"))
            except ValidationError as exc:
                add_service_errors(self, exc)
        elif self.instance.pk and data.get("expert") and not self.instance.reviewers.filter(pk=data["expert"].pk).exists():
            self.add_error("expert", "The expert must be one of the session's reviewers.")
        return data


class CriterionFormSet(BaseInlineFormSet):
    """A section's questions: each key once (the model checks the version's other sections)."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            key = form.cleaned_data.get("key") if hasattr(form, "cleaned_data") else None
            if not key or form.cleaned_data.get("DELETE"):
                continue
            if key in seen:
                raise ValidationError(f"Two questions have the key '{key}': keys are unique in a rubric version.")
            seen.add(key)
