"""API errors always come back as JSON that names the problem."""

from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(getattr(exc, "message_dict", None) or {"detail": exc.messages})
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(str(exc) or "the request was malformed")
    return drf_exception_handler(exc, context)
