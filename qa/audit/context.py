"""The request's address, for audit entries written deep inside services that never see the request."""

from __future__ import annotations

import contextvars

from django.conf import settings

current_address: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_address", default=None)


def address_of(request) -> str | None:
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class AuditAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_address.set(address_of(request))
        try:
            return self.get_response(request)
        finally:
            current_address.reset(token)
