"""Project-wide request guards."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse

NUL_MESSAGE = "The request contains a NUL character (\\x00), which no field of this service accepts."


class RejectNulCharactersMiddleware:
    """A NUL in the path, the query string or a form-encoded body is refused with a 400 naming it.

    PostgreSQL cannot store NULs in text, so one would otherwise surface as a server error deep in
    a query. Multipart and JSON fields are checked by their forms and serializers (Django's and
    DRF's text fields refuse NULs); file contents are binary and may hold any byte.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponse(NUL_MESSAGE, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        raw_query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or b"\x00" in unquote_to_bytes(raw_query.replace("+", " ")):
            return True
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            return b"\x00" in unquote_to_bytes(request.body.replace(b"+", b" ").decode("latin-1"))
        return False
