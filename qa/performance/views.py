"""Performance pages. Agents: their scorecard (/me/), their calls, acknowledge and dispute. QA staff: the team
dashboard (admin look, CSV export), an agent's scorecard, and managers resolve disputes.

Thin: access rules from `qa.performance.access`, data from `qa.performance.selectors`, writes through services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from qa.lib.periods import Period
from qa.performance import access, selectors, services
from qa.performance.export import dashboard_csv
from qa.performance.forms import DisputeForm, DisputeResolutionForm, PeriodForm, period_presets
from qa.performance.models import Dispute
from qa.performance.templatetags.performance_format import duration, number, percent
from qa.reviews.forms import EvaluationForm, add_service_errors
from qa.reviews.models import Evaluation
from qa.reviews.selectors import counted_evaluations, version_criteria
from recordings.access import audio_file_for, calls_visible_to
from recordings.audit_hooks import transcript_viewed
from recordings.figures import INDUSTRY_AHT_SECONDS
from recordings.models import Agent, Call, Team
from recordings.selectors import transcript_for_reader

# --- Figures as cards -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: str
    detail: str = ""
    target: str = ""
    team: str = ""
    state: str = ""  # "met", "missed" or "" (no target, or nothing to judge)


def _state(value, target, *, higher_is_better: bool = True) -> str:
    if value is None or target is None:
        return ""
    return "met" if (value >= target if higher_is_better else value <= target) else "missed"


def figure_cards(card: selectors.Scorecard) -> list[Card]:
    calls, qa, monitoring = card.row.calls, card.row.qa, card.row.monitoring
    targets, team = card.targets, card.team
    fcr = calls.fcr
    return [
        Card("calls", "Calls handled", str(calls.calls_handled),
             detail=f"team: {team.calls.calls_handled} by {team.agents} agents" if team else ""),
        Card("aht", "Average handle time", duration(calls.aht_seconds),
             detail=f"industry reference {duration(INDUSTRY_AHT_SECONDS)} · {calls.aht_calls} calls timed",
             target=f"at most {duration(targets.aht_seconds)}" if targets else "",
             team=f"{duration(team.calls.aht_seconds)} (median agent {duration(team.median_aht_seconds)})" if team else "",
             state=_state(calls.aht_seconds, targets.aht_seconds if targets else None, higher_is_better=False)),
        Card("fcr", "First-contact resolution", percent(fcr.rate),
             detail=f"{fcr.source}: {fcr.explicit_calls} by flag, {fcr.repeat_rule_calls} by repeat contacts, "
                    f"{fcr.pending_calls} pending",
             target=f"at least {percent(targets.fcr)}" if targets else "",
             team=percent(team.calls.fcr.rate) if team else "",
             state=_state(fcr.rate, targets.fcr if targets else None)),
        Card("qa", "QA score", percent(qa.average_score / 100 if qa.average_score is not None else None, 1),
             detail=f"{qa.evaluations} evaluations · {qa.critical_fails} critical fails",
             target=f"at least {number(targets.qa, 0)}%" if targets else "",
             team=percent(team.qa.average_score / 100, 1) if team and team.qa.average_score is not None else ("—" if team else ""),
             state=_state(qa.average_score, targets.qa if targets else None)),
        Card("monitoring", "Monitoring", f"{monitoring.evaluations} / {'—' if monitoring.target is None else monitoring.target}",
             detail="under-monitored" if monitoring.under_monitored else ("no monitoring plan" if monitoring.target is None else "on plan"),
             state="missed" if monitoring.under_monitored else ("met" if monitoring.target is not None else "")),
        Card("csat", "CSAT", number(calls.csat.average, 2),
             detail=f"{percent(calls.csat.satisfied_share)} gave 4 or 5 · {calls.csat.responses} responses",
             target=f"at least {number(targets.csat, 2)}" if targets else "",
             team=number(team.calls.csat.average, 2) if team else "",
             state=_state(calls.csat.average, targets.csat if targets else None)),
        Card("nps", "NPS", number(calls.nps.score, 0), detail=f"{calls.nps.responses} responses",
             target=f"at least {targets.nps}" if targets else "", team=number(team.calls.nps.score, 0) if team else "",
             state=_state(calls.nps.score, targets.nps if targets else None)),
        Card("ces", "Customer effort", number(calls.ces.average, 2), detail=f"1-7, 7 easiest · {calls.ces.responses} responses",
             target=f"at least {number(targets.ces, 2)}" if targets else "", team=number(team.calls.ces.average, 2) if team else "",
             state=_state(calls.ces.average, targets.ces if targets else None)),
        Card("speech", "Talk / listen", number(calls.speech.talk_listen_ratio, 2),
             detail=f"dead air {number(calls.speech.dead_air_seconds, 1)} s · overtalk {number(calls.speech.overtalk_seconds, 1)} s "
                    f"· {calls.speech.calls} transcribed calls"),
    ]


def _period_form(request: HttpRequest) -> tuple[PeriodForm, Period]:
    today = timezone.localdate()
    bound = "from" in request.GET or "to" in request.GET
    form = PeriodForm(request.GET if bound else None, today=today)
    period = form.period()
    if not bound:  # show the period in the picker
        form = PeriodForm(None, today=today, initial={"from": period.first, "to": period.last})
    return form, period


def _preset_links(request: HttpRequest, extra: dict | None = None) -> list[dict]:
    return [
        {"label": p.label, "query": urlencode({**(extra or {}), "from": p.period.first, "to": p.period.last})}
        for p in period_presets(timezone.localdate())
    ]


def _period_query(period: Period) -> str:
    return urlencode({"from": period.first, "to": period.last})


# --- Scorecard -----------------------------------------------------------------------------------


def _scorecard(request: HttpRequest, agent: Agent, *, template: str = "performance/scorecard.html") -> HttpResponse:
    form, period = _period_form(request)
    scope = access.figures_scope(request.user, agent)
    card = selectors.scorecard_load(agent=agent, period=period, calls=scope.calls, whole=scope.whole)
    is_agent = agent.user_id == request.user.pk
    now = timezone.now()
    context = {
        "title": f"Scorecard: {agent.name}",
        "card": card,
        "agent": agent,
        "period": period,
        "period_form": form,
        "presets": _preset_links(request),
        "period_query": _period_query(period),
        "cards": figure_cards(card),
        "chart": selectors.trend_chart(card.trend),
        "is_agent": is_agent,
        "can_manage": access.can_manage_training(request.user),
        "can_see_dashboard": access.can_see_dashboard(request.user),
        "evaluations": [
            {"item": item, "window_open": item.dispute_window_open(now),
             "can_answer": is_agent and not item.answered, "can_dispute": is_agent and not item.answered and item.dispute_window_open(now)}
            for item in card.evaluations
        ],
        "dispute_form": DisputeForm(),
        # Automatic checks, in their own block: the QA score stays reviewers' evaluations.
        "auto": card.row.auto,
        "team_auto": card.team.auto if card.team else None,
        "auto_rows": card.row.auto.beside(card.team.auto if card.team else None),
    }
    return render(request, template, context)


@login_required
def my_scorecard(request: HttpRequest) -> HttpResponse:
    agent = access.own_agent(request.user)
    if agent is None:
        raise Http404("No agent is linked to your login.")
    return _scorecard(request, agent)


@login_required
def agent_scorecard(request: HttpRequest, agent_id: int) -> HttpResponse:
    """QA staff drill down from the dashboard; anyone else sees only their own (another agent's is a 404)."""
    agent = get_object_or_404(access.scorecard_agents(request.user).select_related("team"), pk=agent_id)
    if not access.figures_scope(request.user, agent).whole:
        raise Http404
    return _scorecard(request, agent)


@login_required
def my_call(request: HttpRequest, call_id: int) -> HttpResponse:
    """One of the agent's own calls: the recording, the transcript and its evaluation."""
    call = get_object_or_404(
        calls_visible_to(request.user).filter(agent__user=request.user).select_related("client", "agent", "recording"),
        pk=call_id,
    )
    evaluation = (
        counted_evaluations(Evaluation.objects.filter(call=call)).select_related("reviewer")
        .prefetch_related("answers__criterion__section").first()
    )
    # What an agent may read and hear: the redacted transcript and copy (recordings.access), never the originals.
    transcript = transcript_for_reader(transcript=getattr(call, "transcript", None), user=request.user)
    if transcript is not None:
        transcript_viewed(user=request.user, call=call, redacted=transcript.redacted)
    recording = getattr(call, "recording", None)
    context = {
        "title": f"Call {call.external_id}",
        "call": call,
        "recording": recording,
        "audio_url": reverse("recordings:call-audio", args=[call.pk]) if audio_file_for(request.user, recording) else "",
        "transcript": transcript,
        "evaluation": evaluation,
    }
    return render(request, "performance/call.html", context)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = reverse("performance:my-scorecard")
    return HttpResponseRedirect(target)


def _own_evaluation(request: HttpRequest, evaluation_id: int) -> Evaluation:
    """Another agent's evaluation is a 404, as if it did not exist."""
    return get_object_or_404(
        Evaluation.objects.select_related("call__agent", "call__client").filter(call__agent__user=request.user),
        pk=evaluation_id,
    )


@login_required
@require_POST
def evaluation_acknowledge(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = _own_evaluation(request, evaluation_id)
    try:
        services.evaluation_acknowledge(evaluation=evaluation, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"You acknowledged the evaluation of call {evaluation.call.external_id}.")
    return _back(request)


@login_required
@require_POST
def evaluation_dispute(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    evaluation = _own_evaluation(request, evaluation_id)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why you dispute this evaluation.")
        return _back(request)
    try:
        services.evaluation_dispute(evaluation=evaluation, user=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"Your dispute of call {evaluation.call.external_id} was sent to the QA managers.")
    return _back(request)


# --- Managers -------------------------------------------------------------------------------------


def _none_last(value, descending: bool):
    """Sort key: figures with nothing to count go last whichever way the column is sorted."""
    if value is None:
        return (1, 0)
    return (0, -value if descending and isinstance(value, int | float) else value)


SORTS = {
    "name": lambda r: r.agent.name.lower(),
    "team": lambda r: r.agent.team.name.lower() if r.agent.team else None,
    "calls": lambda r: r.calls.calls_handled,
    "aht": lambda r: r.calls.aht_seconds,
    "fcr": lambda r: r.calls.fcr.rate,
    "csat": lambda r: r.calls.csat.average,
    "nps": lambda r: r.calls.nps.score,
    "ces": lambda r: r.calls.ces.average,
    "qa": lambda r: r.qa.average_score,
    "critical": lambda r: r.qa.critical_fails,
    "monitoring": lambda r: r.monitoring.evaluations,
    "flags": lambda r: len(r.open_flags),
    "auto_checked": lambda r: r.auto.checked_share,
    "auto_pass": lambda r: r.auto.pass_rate,
}


def sort_rows(rows: list, key: str, descending: bool) -> list:
    pick = SORTS.get(key, SORTS["name"])
    if key in ("name", "team"):
        ordered = sorted(rows, key=lambda r: (pick(r) is None, pick(r) or ""), reverse=False)
        return ordered[::-1] if descending else ordered
    return sorted(rows, key=lambda r: _none_last(pick(r), descending))


def agents_chart(rows: list) -> dict:
    shown = [r for r in rows if r.calls.calls_handled or r.qa.evaluations]
    return {
        "type": "bar",
        "labels": [r.agent.name for r in shown],
        "series": [
            {"label": "QA score (%)", "axis": "percent", "data": [selectors._round(r.qa.average_score, 1) for r in shown]},
            {"label": "AHT (s)", "axis": "seconds", "data": [selectors._round(r.calls.aht_seconds, 0) for r in shown]},
        ],
    }


def survey_chart(rows: list) -> dict:
    shown = [r for r in rows if r.calls.calls_handled]
    return {
        "type": "bar",
        "labels": [r.agent.name for r in shown],
        "series": [
            {"label": "FCR (%)", "axis": "percent", "data": [
                selectors._round(r.calls.fcr.rate * 100 if r.calls.fcr.rate is not None else None, 1) for r in shown]},
            {"label": "CSAT satisfied (%)", "axis": "percent", "data": [
                selectors._round(r.calls.csat.satisfied_share * 100 if r.calls.csat.satisfied_share is not None else None, 1)
                for r in shown]},
        ],
    }


def team_trend(request: HttpRequest, team_id: int) -> JsonResponse:
    """The team's 12-week trend as chart data; the dashboard fetches it once its table is on screen."""
    if not access.can_see_dashboard(request.user):
        raise PermissionDenied
    team = get_object_or_404(Team, pk=team_id)
    today = timezone.localdate()
    try:
        until = date.fromisoformat(request.GET["to"]) if request.GET.get("to") else today
    except ValueError:
        return JsonResponse({"to": ["Give a date as YYYY-MM-DD."]}, status=400)
    points = selectors.weekly_trend(calls=Call.objects.filter(agent__team=team), until=min(until, today))
    return JsonResponse(selectors.trend_chart(points))


def dashboard(request: HttpRequest) -> HttpResponse:
    if not access.can_see_dashboard(request.user):
        raise PermissionDenied
    form, period = _period_form(request)
    teams = list(Team.objects.order_by("name"))
    raw_team = request.GET.get("team")
    team = None
    if raw_team is None and teams:
        team = teams[0]
    elif raw_team:
        team = next((t for t in teams if str(t.pk) == raw_team), None)
        if team is None:
            raise Http404("No such team.")
    agents = Agent.objects.filter(is_active=True)
    if team is not None:
        agents = agents.filter(team=team)
    rows = selectors.agent_rows(agents=agents, period=period, sections=False)
    if request.GET.get("export") == "csv":
        response = HttpResponse(dashboard_csv(rows), content_type="text/csv; charset=utf-8")
        name = f"performance-{team.name if team else 'all-teams'}-{period.first}-{period.last}".replace(" ", "-").lower()
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    sort, descending = request.GET.get("sort", "name"), request.GET.get("dir") == "desc"
    base = {"team": team.pk if team else "", "from": period.first, "to": period.last}
    context = {
        **admin.site.each_context(request),
        "title": f"Team dashboard: {team.name if team else 'all teams'}",
        "teams": teams,
        "team": team,
        "period": period,
        "period_form": form,
        "presets": _preset_links(request, {"team": team.pk if team else ""}),
        "period_query": _period_query(period),
        "rows": sort_rows(rows, sort, descending),
        "sort": sort,
        "descending": descending,
        "columns": [
            {"key": key, "label": label, "query": urlencode({**base, "sort": key, "dir": "asc" if sort == key and descending else (
                "desc" if sort == key or key not in ("name", "team") else "asc")})}
            for key, label in [
                ("name", "Agent"), ("team", "Team"), ("calls", "Calls"), ("aht", "AHT"), ("fcr", "FCR"), ("csat", "CSAT"),
                ("nps", "NPS"), ("ces", "CES"), ("qa", "QA score"), ("critical", "Critical fails"),
                ("monitoring", "Monitoring"), ("flags", "Open flags"),
                ("auto_checked", "Auto-checked"), ("auto_pass", "Auto pass rate"),
            ]
        ],
        "first_auto_column": "auto_checked",
        "csv_query": urlencode({**base, "export": "csv"}),
        "team_figures": selectors.team_figures(team=team, period=period, rows=rows) if team else None,
        "agents_chart": agents_chart(rows),
        "survey_chart": survey_chart(rows),
        "trend_url": f"{reverse('performance:team-trend', args=[team.pk])}?{urlencode({'to': period.last})}" if team else "",
        "industry_aht": INDUSTRY_AHT_SECONDS,
    }
    return TemplateResponse(request, "performance/dashboard.html", context)


def dispute_resolve(request: HttpRequest, dispute_id: int) -> HttpResponse:
    if not access.can_resolve_disputes(request.user):
        raise PermissionDenied
    dispute = get_object_or_404(
        Dispute.objects.select_related("agent", "evaluation__call__client", "evaluation__version__rubric", "evaluation__reviewer"),
        pk=dispute_id,
    )
    evaluation = dispute.evaluation
    criteria = version_criteria(version=evaluation.version)
    answers_form = EvaluationForm(request.POST or None, criteria=criteria, evaluation=evaluation)
    form = DisputeResolutionForm(request.POST or None)
    if request.method == "POST" and dispute.status == Dispute.Status.OPEN and form.is_valid() and answers_form.is_valid():
        try:
            if form.cleaned_data["outcome"] == DisputeResolutionForm.RESCORE:
                services.dispute_rescore(
                    dispute=dispute, manager=request.user, answers=answers_form.answers(),
                    resolution=form.cleaned_data["resolution"], comment=answers_form.cleaned_data["comment"],
                    comment_at_seconds=answers_form.cleaned_data["comment_at"],
                )
                messages.success(request, "Re-scored; the change is logged and the agent sees your reasons.")
            else:
                services.dispute_uphold(dispute=dispute, manager=request.user, resolution=form.cleaned_data["resolution"])
                messages.success(request, "The score stands; the agent sees your reasons.")
            return HttpResponseRedirect(reverse("admin:performance_dispute_changelist"))
        except ValidationError as exc:
            add_service_errors(form, exc)
    context = {
        **admin.site.each_context(request),
        "title": f"Dispute of call {evaluation.call.external_id} by {dispute.agent.name}",
        "dispute": dispute,
        "evaluation": evaluation,
        "form": form,
        "answers_form": answers_form,
        "sections": answers_form.sections(),
        "workspace_url": reverse("reviews:workspace", args=[evaluation.call_id]),
        "amendments": evaluation.amendments.select_related("changed_by"),
    }
    return TemplateResponse(request, "performance/dispute_resolve.html", context)
