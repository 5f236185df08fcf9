from django import forms

from recordings.models import Agent, Call, Client


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "audio/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class CallUploadForm(forms.Form):
    """Upload one or many recordings with their metadata through the admin."""

    files = MultipleFileField(
        label="Recordings", help_text="One or many audio files (wav, flac, mp3, ogg/opus, m4a)."
    )
    client = forms.ModelChoiceField(queryset=Client.objects.all())
    agent = forms.ModelChoiceField(queryset=Agent.objects.filter(is_active=True))
    external_id = forms.CharField(
        max_length=128, required=False,
        help_text="The telephony system's call id. With several files, leave blank: each file's name (without extension) is used.",
    )
    started_at = forms.DateTimeField(
        help_text="When the call started (YYYY-MM-DD HH:MM), in the server's time zone.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    direction = forms.ChoiceField(choices=Call.Direction.choices, initial=Call.Direction.INBOUND)
    queue = forms.CharField(max_length=128, required=False)
    customer_ref = forms.CharField(max_length=128, required=False, label="Customer reference")
    wait_seconds = forms.IntegerField(min_value=0, required=False)
    talk_seconds = forms.IntegerField(min_value=0, required=False)
    hold_seconds = forms.IntegerField(min_value=0, required=False)
    after_call_work_seconds = forms.IntegerField(min_value=0, required=False)
    disposition = forms.CharField(max_length=128, required=False)
    resolved = forms.NullBooleanField(required=False, label="Resolved on first contact")
    csat = forms.IntegerField(min_value=1, max_value=5, required=False, label="CSAT (1-5)")
    nps = forms.IntegerField(min_value=0, max_value=10, required=False, label="NPS (0-10)")

    def clean(self):
        cleaned = super().clean()
        files = cleaned.get("files") or []
        if len(files) > 1 and cleaned.get("external_id"):
            self.add_error("external_id", "With several files, leave the external id blank: each file's name is used.")
        return cleaned

    def call_metadata(self) -> dict:
        keys = (
            "direction", "queue", "customer_ref", "wait_seconds", "talk_seconds", "hold_seconds",
            "after_call_work_seconds", "disposition", "resolved", "csat", "nps",
        )
        return {k: self.cleaned_data[k] for k in keys if self.cleaned_data.get(k) not in (None, "")}
