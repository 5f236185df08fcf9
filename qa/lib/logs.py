"""Logging helpers."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404


class NoTracebackForRefusals(logging.Filter):
    """A refused request (403, 404) is an everyday event: log one line, not a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], (PermissionDenied, Http404)):
            record.exc_info = None
            record.exc_text = None
        return True
