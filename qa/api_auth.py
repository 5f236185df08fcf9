"""API token authentication that makes guessing tokens slow: wrong tokens count per address."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

logger = logging.getLogger(__name__)


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class ThrottledTokenAuthentication(TokenAuthentication):
    """After API_TOKEN_FAILURE_LIMIT wrong tokens from one address within the window, answer 429."""

    def authenticate(self, request):
        key = f"api-token-failures:{_client_address(request)}"
        failures = cache.get(key, 0)
        if failures >= settings.API_TOKEN_FAILURE_LIMIT:
            raise exceptions.Throttled(wait=settings.API_TOKEN_FAILURE_WINDOW, detail="Too many wrong API tokens from this address.")
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            try:
                failures = cache.incr(key)
            except ValueError:  # first failure in the window
                cache.set(key, 1, timeout=settings.API_TOKEN_FAILURE_WINDOW)
                failures = 1
            if failures == settings.API_TOKEN_FAILURE_LIMIT:
                logger.warning("API token guessing from %s: locked for %ss", _client_address(request), settings.API_TOKEN_FAILURE_WINDOW)
            raise
