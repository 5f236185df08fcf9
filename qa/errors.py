"""Server errors as people should see them: a database that is down is a 503 to retry, not a 500."""

from __future__ import annotations

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader

RETRY_AFTER_SECONDS = 30
UNAVAILABLE = (OperationalError, InterfaceError)


def _database_unavailable() -> bool:
    exc = sys.exc_info()[1]
    return isinstance(exc, UNAVAILABLE) or (isinstance(exc, DatabaseError) and "connection" in str(exc).lower())


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: called while the exception is being handled, so it can tell what went wrong."""
    is_api = request.path.startswith("/api/")
    if _database_unavailable():
        if is_api:
            response = JsonResponse(
                {"detail": "The database is unavailable for a moment; nothing was lost. Please retry."}, status=503,
            )
        else:
            # A plain template: no context processors, nothing that would need the database.
            response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if is_api:
        return JsonResponse({"detail": "Server error; it has been logged."}, status=500)
    return HttpResponseServerError(loader.get_template("500.html").render())
