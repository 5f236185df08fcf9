"""Audit writes: one function, called by the services that do the audited thing (no signal handlers)."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.db import models

from qa.audit.context import current_address
from qa.audit.models import Action, AuditEntry


def audit_record(
    *, action: Action, actor=None, obj: models.Model | None = None, object_type: str = "", object_id: str | int = "",
    actor_name: str = "", address: str | None = None, detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one entry. Inside a transaction it commits or rolls back with the audited change."""
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or obj.pk
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    address = address if address is not None else current_address.get()
    return AuditEntry.objects.create(
        action=action,
        actor=actor if authenticated else None,
        actor_name=(actor.get_username() if authenticated else actor_name)[:150],
        object_type=object_type[:60],
        object_id=str(object_id)[:64],
        address=_valid_address(address),
        detail=detail or {},
    )


def recording_accessed(*, user, call, download: bool, redacted: bool) -> None:
    """The audio view's hook (settings.RECORDING_ACCESS_AUDIT): recordings cannot import this app."""
    audit_record(
        action=Action.RECORDING_DOWNLOADED if download else Action.RECORDING_PLAYED,
        actor=user, obj=call, detail={"copy": "redacted" if redacted else "original"},
    )


def transcript_viewed(*, user, call, redacted: bool, by_qa_staff: bool) -> None:
    """Every transcript read unredacted, and every redacted one read outside the QA team (client staff,
    agents); reached through settings.TRANSCRIPT_ACCESS_AUDIT (recordings.audit_hooks)."""
    if not redacted:
        audit_record(action=Action.UNREDACTED_TRANSCRIPT_VIEWED, actor=user, obj=call)
    elif not by_qa_staff:
        audit_record(action=Action.TRANSCRIPT_VIEWED, actor=user, obj=call)


def _valid_address(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
