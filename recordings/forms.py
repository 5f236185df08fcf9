from django import forms

from recordings.models import CALL_METADATA_FIELDS, Agent, Call, Client


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files; each is judged by the ingest service on its own, so an empty one is not a form error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "audio/*"}))
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class CallUploadForm(forms.Form):
    """Upload one or many recordings with their metadata through the admin."""

    files = MultipleFileField(label="Recordings", help_text="One or many audio files (wav, flac, mp3, ogg/opus, m4a).")
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The metadata fields come from the Call model itself: one definition, one validation.
        self.fields.update(forms.fields_for_model(Call, fields=CALL_METADATA_FIELDS))
        for name in CALL_METADATA_FIELDS:
            # Model validators (CSAT 1-5, NPS 0-10) run on the form too, before any file is read.
            self.fields[name].validators.extend(Call._meta.get_field(name).validators)
        self.fields["direction"].initial = Call.Direction.INBOUND
        # Let the browser check what it can before sending, so a mistake never costs the file selection.
        for name in ("files", "client", "agent", "started_at"):
            self.fields[name].widget.attrs["required"] = True

    def clean(self):
        cleaned = super().clean()
        files = cleaned.get("files") or []
        if len(files) > 1 and cleaned.get("external_id"):
            self.add_error("external_id", "With several files, leave the external id blank: each file's name is used.")
        return cleaned

    def call_metadata(self) -> dict:
        return {k: self.cleaned_data[k] for k in CALL_METADATA_FIELDS if self.cleaned_data.get(k) not in (None, "")}
