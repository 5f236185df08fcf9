"""Configuration mistakes surface as system checks, at startup and in `manage.py check`."""

import os

import phonenumbers
from django.conf import settings
from django.core.checks import Error, register


@register()
def check_recordings_settings(app_configs, **kwargs):
    problems = []
    if settings.RECORDINGS_MAX_UPLOAD_BYTES <= 0:
        problems.append(Error("RECORDINGS_MAX_UPLOAD_BYTES must be positive.", id="recordings.E001"))
    audio_root = settings.AUDIO_ROOT
    if audio_root.exists() and not os.access(audio_root, os.W_OK):
        problems.append(Error(f"AUDIO_ROOT {audio_root} is not writable.", id="recordings.E002"))
    static_root = getattr(settings, "STATIC_ROOT", None)
    if static_root and audio_root.is_relative_to(static_root):
        problems.append(Error("AUDIO_ROOT must not lie inside STATIC_ROOT: audio must never be public.", id="recordings.E003"))
    q = settings.Q_CLUSTER
    if q.get("timeout") and q.get("retry") and q["timeout"] >= q["retry"]:
        problems.append(
            Error("Q_CLUSTER timeout must be lower than retry, or running tasks are handed out twice.", id="recordings.E004")
        )
    if settings.WHISPER_ENGINE not in ("faster-whisper", "openai-whisper"):
        problems.append(Error("WHISPER_ENGINE must be 'faster-whisper' or 'openai-whisper'.", id="recordings.E005"))
    if settings.WHISPER_BEAM_SIZE < 1:
        problems.append(Error("WHISPER_BEAM_SIZE must be at least 1.", id="recordings.E006"))
    if settings.REDACTION_DEFAULT_REGION.upper() not in phonenumbers.SUPPORTED_REGIONS:
        problems.append(
            Error("REDACTION_DEFAULT_REGION must be an ISO 3166 country code such as US or GB.", id="recordings.E007")
        )
    return problems
