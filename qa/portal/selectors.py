"""Reads for the client portal: a client's calls, one call's evaluation summary, the account summary.

Every figure comes from its one definition (`recordings.figures`, `qa.reviews.selectors.qa_figures`);
this module only chooses the calls, compares each figure with the client's target and lays them out.
Who sees what is decided by `recordings.access` (calls, clients, originals).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import BooleanField, Case, F, FloatField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce

from qa.autoqa.selectors import AutoCoverage, auto_coverage
from qa.lib.periods import Period, previous_periods
from qa.reviews.models import Answer, Evaluation
from qa.reviews.selectors import QaFigures, counted_evaluations, qa_figures
from recordings.access import calls_visible_to
from recordings.figures import CallFigures, ServiceFigures, call_figures, service_figures
from recordings.models import Agent, Call, Client
from recordings.selectors import call_search

PAGE_SIZE = 25


class CallSort(enum.StrEnum):
    NEWEST = "-date"
    OLDEST = "date"
    LONGEST = "-duration"
    SHORTEST = "duration"
    BEST = "-score"
    WORST = "score"

    @property
    def label(self) -> str:
        return {
            "-date": "Newest first", "date": "Oldest first", "-duration": "Longest first", "duration": "Shortest first",
            "-score": "Highest score first", "score": "Lowest score first",
        }[self.value]


_ORDER = {
    CallSort.NEWEST: [F("started_at").desc(), F("id").desc()],
    CallSort.OLDEST: [F("started_at").asc(), F("id").asc()],
    CallSort.LONGEST: [F("duration").desc(nulls_last=True), F("started_at").desc()],
    CallSort.SHORTEST: [F("duration").asc(nulls_last=True), F("started_at").desc()],
    CallSort.BEST: [F("score").desc(nulls_last=True), F("started_at").desc()],
    CallSort.WORST: [F("score").asc(nulls_last=True), F("started_at").desc()],
}


@dataclass(frozen=True)
class CallFilters:
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    agent: str | None = None  # external id
    queue: str | None = None
    disposition: str | None = None
    score_min: Decimal | None = None
    score_max: Decimal | None = None
    has_recording: bool | None = None
    flagged: bool = False
    q: str | None = None
    sort: CallSort = CallSort.NEWEST


def flagged_condition(client: Client) -> Q:
    """A call is flagged when its counted evaluation failed a critical item or scored under the client's QA target."""
    return Q(critical_failed=True) | Q(score__lt=client.qa_target)


def portal_calls(*, user, client: Client, filters: CallFilters | None = None) -> QuerySet[Call]:
    """The client's calls the user may see, with `score`, `critical_failed`, `flagged` and `duration`, filtered.

    One query however many calls (the score comes from a subquery on the counted evaluation). The
    search runs over the redacted transcript: the portal shows what the client's staff may read.
    """
    filters = filters or CallFilters()
    counted = counted_evaluations(Evaluation.objects.filter(call=OuterRef("pk"))).order_by("-submitted_at", "-pk")
    calls = (
        calls_visible_to(user)
        .filter(client=client)
        .select_related("agent", "recording")
        .annotate(
            score=Subquery(counted.values("score")[:1]),
            critical_failed=Subquery(counted.values("critical_failed")[:1]),
            duration=Coalesce(F("recording__duration_seconds"), Cast("talk_seconds", FloatField())),
        )
        .annotate(flagged=Case(When(flagged_condition(client), then=Value(True)), default=Value(False), output_field=BooleanField()))
    )
    if filters.date_from:
        calls = calls.filter(started_at__gte=Period(filters.date_from, filters.date_from).start)
    if filters.date_to:
        calls = calls.filter(started_at__lt=Period(filters.date_to, filters.date_to).end)
    if filters.agent:
        calls = calls.filter(agent__external_id=filters.agent)
    if filters.queue:
        calls = calls.filter(queue=filters.queue)
    if filters.disposition:
        calls = calls.filter(disposition=filters.disposition)
    if filters.score_min is not None:
        calls = calls.filter(score__gte=filters.score_min)
    if filters.score_max is not None:
        calls = calls.filter(score__lte=filters.score_max)
    if filters.has_recording is not None:
        calls = calls.filter(recording__isnull=not filters.has_recording)
    if filters.flagged:
        calls = calls.filter(flagged_condition(client))
    if filters.q:
        calls = call_search(calls, filters.q, redacted=True)
    return calls.order_by(*_ORDER[filters.sort])


@dataclass(frozen=True)
class FilterChoices:
    agents: list[Agent]
    queues: list[str]
    dispositions: list[str]


def portal_filter_choices(*, user, client: Client) -> FilterChoices:
    """What the call list's filters offer: the agents, queues and dispositions of the client's calls."""
    calls = calls_visible_to(user).filter(client=client)
    return FilterChoices(
        agents=list(Agent.objects.filter(pk__in=calls.values("agent")).order_by("name")),
        queues=list(calls.exclude(queue="").values_list("queue", flat=True).distinct().order_by("queue")),
        dispositions=list(
            calls.exclude(disposition="").values_list("disposition", flat=True).distinct().order_by("disposition")
        ),
    )


def portal_call(*, user, client: Client, call_id: int) -> Call | None:
    return (
        calls_visible_to(user)
        .filter(client=client, pk=call_id)
        .select_related("client", "agent", "recording", "transcript")
        .first()
    )


@dataclass(frozen=True)
class CriterionComment:
    question: str
    answer: str
    comment: str


@dataclass(frozen=True)
class SectionResult:
    title: str
    score: Decimal | None  # None: every answer N/A


@dataclass(frozen=True)
class EvaluationSummary:
    """What a client may read of a call's evaluation; the rest only where the client's settings allow."""

    score: Decimal
    critical_failed: bool
    submitted_at: datetime
    comment: str
    sections: list[SectionResult]
    criterion_comments: list[CriterionComment] | None  # None: the client's settings hide them
    reviewer_name: str | None  # None: hidden


def call_evaluation_summary(*, call: Call) -> EvaluationSummary | None:
    """The call's counted evaluation (recordings' figures count the same one), or None if not scored yet."""
    evaluation = (
        counted_evaluations(Evaluation.objects.filter(call=call))
        .select_related("reviewer")
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if evaluation is None:
        return None
    client = call.client
    comments = None
    if client.portal_shows_criterion_comments:
        comments = [
            CriterionComment(question=a.criterion.question, answer=_answer_label(a.value), comment=a.comment)
            for a in Answer.objects.filter(evaluation=evaluation).exclude(comment="").select_related("criterion")
        ]
    reviewer = evaluation.reviewer
    return EvaluationSummary(
        score=evaluation.score,
        critical_failed=evaluation.critical_failed,
        submitted_at=evaluation.submitted_at,
        comment=evaluation.comment,
        sections=[SectionResult(s.title, s.score) for s in evaluation.section_scores.all()],
        criterion_comments=comments,
        reviewer_name=(reviewer.get_full_name() or reviewer.get_username()) if client.portal_shows_reviewer_names else None,
    )


def _answer_label(value: str) -> str:
    return {"yes": "Yes", "no": "No", "na": "N/A"}.get(value, value)


# --- The account summary ----------------------------------------------------------------


class Better(enum.StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True)
class Figure:
    """One figure of the summary against the client's target (if it has one)."""

    key: str
    label: str
    value: float | None
    unit: str  # "rate" (0-1), "seconds", "score" (0-100), "count", "csat", "nps", "ces"
    target: float | None = None
    better: Better | None = None
    detail: str = ""

    @property
    def met(self) -> bool | None:
        """None when there is no target or nothing to count."""
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target if self.better == Better.HIGHER else self.value <= self.target

    @property
    def missed(self) -> bool:
        return self.met is False


@dataclass(frozen=True)
class ClientSummary:
    client: Client
    period: Period
    service: ServiceFigures
    calls: CallFigures
    qa: QaFigures
    figures: list[Figure] = field(default_factory=list)
    auto: AutoCoverage | None = None  # automatic checks, apart from the QA score; None when not asked for

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def client_calls(*, client: Client, period: Period) -> QuerySet[Call]:
    """Every call the client was offered in the period: answered, abandoned, with or without audio."""
    return Call.objects.filter(client=client, started_at__gte=period.start, started_at__lt=period.end)


def client_summary(*, client: Client, period: Period, now=None, auto: bool = True) -> ClientSummary:
    """The account summary for a period, each figure against the client's target. Four queries, and two for
    the automatic checks' coverage (`auto=False` leaves it out)."""
    calls = client_calls(client=client, period=period)
    service = service_figures(
        calls, threshold_seconds=client.service_level_seconds, short_abandon_seconds=client.short_abandon_seconds
    )
    handled = call_figures(calls, now=now)
    qa = qa_figures(Evaluation.objects.filter(call__in=calls.values("pk")))
    figures = [
        Figure("calls_offered", "Calls offered", service.calls_offered, "count"),
        Figure("calls_answered", "Answered", service.calls_answered, "count"),
        Figure(
            "calls_abandoned", "Abandoned", service.calls_abandoned, "count",
            detail=f"{service.short_abandons} within {client.short_abandon_seconds} s (not counted in the rates)",
        ),
        Figure(
            "service_level", "Service level", service.service_level, "rate", float(client.service_level_target),
            Better.HIGHER, detail=f"answered within {client.service_level_seconds} s",
        ),
        Figure("asa_seconds", "Average speed of answer", service.asa_seconds, "seconds"),
        Figure("abandonment_rate", "Abandonment", service.abandonment_rate, "rate", float(client.abandonment_target), Better.LOWER),
        Figure(
            "aht_seconds", "Average handle time", handled.aht_seconds, "seconds", float(client.aht_target_seconds),
            Better.LOWER, detail=f"{handled.aht_calls} calls",
        ),
        Figure(
            "fcr_rate", "First-contact resolution", handled.fcr.rate, "rate", float(client.fcr_target), Better.HIGHER,
            detail=f"from {handled.fcr.source}",
        ),
        Figure(
            "qa_average_score", "Average QA score", qa.average_score, "score", float(client.qa_target), Better.HIGHER,
            detail=f"{qa.evaluations} evaluations, {qa.critical_fails} critical fails",
        ),
        Figure(
            "csat_average", "CSAT", handled.csat.average, "csat", float(client.csat_target), Better.HIGHER,
            detail=f"{handled.csat.responses} responses",
        ),
        Figure(
            "nps_score", "NPS", handled.nps.score, "nps", float(client.nps_target), Better.HIGHER,
            detail=f"{handled.nps.responses} responses",
        ),
        Figure(
            "ces_average", "Customer effort", handled.ces.average, "ces", float(client.ces_target), Better.HIGHER,
            detail=f"{handled.ces.responses} responses (7 = easiest)",
        ),
    ]
    return ClientSummary(
        client=client, period=period, service=service, calls=handled, qa=qa, figures=figures,
        auto=auto_coverage(calls) if auto else None,
    )


TREND_KEYS = (
    "calls_answered", "calls_abandoned", "service_level", "abandonment_rate", "aht_seconds", "qa_average_score",
    "csat_average", "fcr_rate",
)


@dataclass(frozen=True)
class Trend:
    kind: str  # week or month
    periods: list[Period]
    summaries: list[ClientSummary]

    def series(self, key: str) -> list[float | None]:
        return [s.figure(key).value for s in self.summaries]


def client_trend(*, client: Client, kind: str, today: date, count: int = 12, now=None) -> Trend:
    """The last `count` weeks or months up to today's, oldest first: the same summary for each."""
    periods = previous_periods(kind, today, count)
    return Trend(
        kind=kind, periods=periods, summaries=[client_summary(client=client, period=p, now=now, auto=False) for p in periods],
    )
