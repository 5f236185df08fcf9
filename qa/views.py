"""Project-level pages: where each person lands after logging in, the favicon, the health check.

QA staff land in the admin, agents on their scorecard, client staff on their portal. The project
package may know every app's pages; the apps need not know each other's.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from qa.accounts.roles import is_active_user, is_agent, is_client_staff, is_reviewer

# In order: the first rule that matches decides (a QA manager who is also an agent lands in the admin).
LANDINGS = [
    (is_reviewer, "admin:index"),
    (lambda user: user.is_staff, "admin:index"),
    (is_agent, "performance:my-scorecard"),
    (is_client_staff, "portal:home"),
]


def home(request: HttpRequest) -> HttpResponse:
    if not is_active_user(request.user):
        return redirect_to_login(request.get_full_path())
    for applies, url_name in LANDINGS:
        if applies(request.user):
            try:
                return HttpResponseRedirect(reverse(url_name))
            except NoReverseMatch:  # that app is not installed
                continue
    return render(request, "accounts/no_role.html", {"title": "No access yet"})


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico whatever the page says; the static name is hashed in production.
    return HttpResponseRedirect(static("favicon.svg"))


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring: 200 when the database answers (503 otherwise, see qa.errors)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
