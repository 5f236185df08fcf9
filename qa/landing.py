"""Where each person lands after logging in: QA staff in the admin, agents on their scorecard,
client staff on their portal. The project package may know every app's pages; the apps need not."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

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
