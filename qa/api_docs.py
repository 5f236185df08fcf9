"""The API docs' ReDoc bundle, served without its one request to the internet.

ReDoc shows a logo from cdn.redoc.ly; no page of this service may request anything
outside it, so the bundle from drf-spectacular-sidecar is served with that image
pointing at our own icon instead.
"""

from __future__ import annotations

import functools

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

SIDECAR_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
OUTSIDE_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@functools.cache
def _bundle() -> bytes:
    path = finders.find(SIDECAR_BUNDLE)
    source = open(path, "rb").read()  # noqa: SIM115 - read once per process
    return source.replace(OUTSIDE_LOGO.encode(), static("favicon.svg").encode())


@require_safe
@cache_control(public=True, max_age=24 * 3600)
def redoc_bundle(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_bundle(), content_type="text/javascript; charset=utf-8")
