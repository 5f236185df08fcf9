"""The audit log, reached through settings: it lives in a QA app, which recordings never imports."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from qa.accounts.roles import is_reviewer


def transcript_viewed(*, user, call, redacted: bool) -> None:
    """A page or the API showed `user` the call's transcript (the redacted one, or the original)."""
    if settings.TRANSCRIPT_ACCESS_AUDIT:
        record = import_string(settings.TRANSCRIPT_ACCESS_AUDIT)
        record(user=user, call=call, redacted=redacted, by_qa_staff=is_reviewer(user))
