"""The client portal: a client's staff list, search and play their calls and read their account summary.

URLs carry the client's slug, so a link can be shared with a colleague; access is checked on every
request by the one rule (`recordings.access.clients_visible_to`, `calls_visible_to`): another client's
pages are a 404. Someone who is staff of several clients picks one; the portal remembers it.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from qa.accounts.roles import is_active_user
from qa.portal import charts, selectors
from qa.portal.forms import CallFilterForm, SummaryForm
from recordings.access import audio_file_for, clients_visible_to, sees_unredacted
from recordings.audit_hooks import transcript_viewed
from recordings.selectors import transcript_for_reader

SESSION_CLIENT = "portal_client"


def portal_page(view):
    """Log-in first; the client named in the URL must be one the user may see (else 404); remember it."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args, **kwargs):
        if not is_active_user(request.user):
            return redirect_to_login(request.get_full_path())
        client = get_object_or_404(clients_visible_to(request.user), slug=slug)
        if request.session.get(SESSION_CLIENT) != client.slug:
            request.session[SESSION_CLIENT] = client.slug
        return view(request, client, *args, **kwargs)

    return require_safe(wrapper)


def _page(request: HttpRequest, template: str, client, title: str, **context) -> HttpResponse:
    return render(request, template, {
        "client": client,
        "title": title,
        "can_switch": clients_visible_to(request.user).count() > 1,
        **context,
    })


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Client staff land here: straight to their client's calls, or to the client they picked last."""
    if not is_active_user(request.user):
        return redirect_to_login(request.get_full_path())
    clients = list(clients_visible_to(request.user).order_by("name"))
    if not clients:
        raise Http404("You are not staff of any client.")
    remembered = next((c for c in clients if c.slug == request.session.get(SESSION_CLIENT)), None)
    if "choose" not in request.GET:
        if len(clients) == 1:
            return HttpResponseRedirect(reverse("portal:calls", args=[clients[0].slug]))
        if remembered is not None:
            return HttpResponseRedirect(reverse("portal:calls", args=[remembered.slug]))
    return render(request, "portal/choose.html", {"title": "Choose a client", "clients": clients, "remembered": remembered})


@portal_page
def client_home(request: HttpRequest, client) -> HttpResponse:
    return HttpResponseRedirect(reverse("portal:calls", args=[client.slug]))


@portal_page
def call_list(request: HttpRequest, client) -> HttpResponse:
    choices = selectors.portal_filter_choices(user=request.user, client=client)
    form = CallFilterForm(request.GET, choices=choices)
    filters = form.filters()
    calls = selectors.portal_calls(user=request.user, client=client, filters=filters)
    page = Paginator(calls, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return _page(
        request, "portal/calls.html", client, f"{client.name}: calls",
        form=form, page=page, sorts=_sort_links(filters.sort), nav="calls",
    )


def _sort_links(current: selectors.CallSort) -> dict[str, dict]:
    """Per sortable column: the order a click asks for (descending first, then flipping) and its arrow."""
    links = {}
    for column in ("date", "duration", "score"):
        descending = f"-{column}"
        links[column] = {
            "next": column if current == descending else descending,
            "arrow": "▼" if current == descending else "▲" if current == column else "",
        }
    return links


@portal_page
def call_detail(request: HttpRequest, client, call_id: int) -> HttpResponse:
    call = selectors.portal_call(user=request.user, client=client, call_id=call_id)
    if call is None:
        raise Http404("No such call.")
    recording = getattr(call, "recording", None)
    audio_url = reverse("recordings:call-audio", args=[call.pk])
    transcript = transcript_for_reader(transcript=getattr(call, "transcript", None), user=request.user)
    if transcript is not None:
        transcript_viewed(user=request.user, call=call, redacted=transcript.redacted)
    return _page(
        request, "portal/call.html", client, f"Call {call.external_id}",
        nav="calls",
        call=call,
        recording=recording,
        audio_ready=audio_file_for(request.user, recording) is not None,
        audio_redacted=not sees_unredacted(request.user),
        audio_url=audio_url,
        download_url=f"{audio_url}?download=1",
        waveform_url=reverse("recordings:call-waveform", args=[call.pk]),
        transcript=transcript,
        evaluation=selectors.call_evaluation_summary(call=call),
    )


@portal_page
def summary(request: HttpRequest, client) -> HttpResponse:
    form = SummaryForm(request.GET)
    period = form.period()
    if not form.errors:
        # Show the period and trend in use, defaults included.
        form = SummaryForm({"date_from": period.first, "date_to": period.last, "trend": form.trend_kind()})
    today = timezone.localdate()
    trend = selectors.client_trend(client=client, kind=form.trend_kind(), today=today)
    summary = selectors.client_summary(client=client, period=period)
    return _page(
        request, "portal/summary.html", client, f"{client.name}: summary",
        nav="summary",
        form=form,
        summary=summary,
        auto_rows=summary.auto.beside(None),
        trend=trend,
        charts=charts.trend_charts(trend, client),
    )
