"""The managers' auto-QA page (in the admin's look): each check's agreement with reviewers, the switch that
turns a check off, and recomputing a range of calls in the background with its progress.

Thin: figures from `auto_selectors`, writes through `auto_services`.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from qa.autoqa.models import RecomputeJob
from qa.reviews import access, auto_selectors, auto_services
from qa.reviews.forms import add_service_errors
from qa.reviews.views import MAX_ID_DIGITS
from recordings.models import Client

RECENT_JOBS = 10
REFRESH_SECONDS = 3


class RecomputeForm(forms.Form):
    date_from = forms.DateField(label="Calls from", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="to (included)", widget=forms.DateInput(attrs={"type": "date"}))
    client = forms.ModelChoiceField(queryset=Client.objects.all(), required=False, empty_label="every client")


def auto_checks(request: HttpRequest) -> HttpResponse:
    if not access.can_manage_qa(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    form = RecomputeForm(
        request.POST if request.POST.get("action") == "recompute" else None,
        initial={"date_from": today - timedelta(days=30), "date_to": today},
    )
    if request.method == "POST":
        if request.POST.get("action") == "switch":
            return _switch(request)
        if form.is_valid():
            try:
                job = auto_services.auto_recompute_start(requested_by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Recomputing {job.total} call(s) in the background.")
                return HttpResponseRedirect(reverse("reviews:auto-checks"))

    agreement = auto_selectors.agreement_by_check()
    rows = [(check, agreement.get((check.section.version.rubric_id, check.key))) for check in auto_selectors.auto_checks()]
    jobs = list(RecomputeJob.objects.select_related("client", "requested_by")[:RECENT_JOBS])
    running = any(job.status in (RecomputeJob.Status.QUEUED, RecomputeJob.Status.RUNNING) for job in jobs)
    context = {
        **admin.site.each_context(request),
        "title": "Automatic checks",
        "rows": rows,
        "jobs": jobs,
        "form": form,
        "refresh_seconds": REFRESH_SECONDS if running else None,
    }
    return TemplateResponse(request, "reviews/auto_checks.html", context)


def _switch(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("criterion", "")
    if not raw.isdigit() or len(raw) > MAX_ID_DIGITS:
        raise Http404("No such check.")
    check = get_object_or_404(auto_selectors.auto_checks(), pk=int(raw))
    enabled = request.POST.get("enabled") == "1"
    try:
        auto_services.auto_check_switch(rubric=check.section.version.rubric, key=check.key, enabled=enabled, changed_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        what = "on" if enabled else "off: its stored answers are removed; switch it on and recompute to get them back"
        messages.success(request, f"Check '{check.key}' of {check.section.version.rubric} is {what}.")
    return HttpResponseRedirect(reverse("reviews:auto-checks"))
