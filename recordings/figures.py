"""What each call figure means, in SQL: the one definition behind the agent scorecard, the team
dashboard and the client summary.

Each function takes calls already narrowed to what is measured (an agent, a team, a client,
a period) and aggregates them in one query. A figure with nothing to count is None, never 0.

- Handled calls: answered calls (an abandoned call has no agent and counts in no agent's figures).
- AHT: (talk + hold + after-call work) / handled calls. Talk is the call's `talk_seconds`, or the
  recording's duration when that is missing; hold and after-call work count 0 when missing. A call
  with neither talk seconds nor a recording is left out (its handle time is unknown).
- FCR: a call's explicit `resolved` flag decides. Otherwise the repeat-contact rule: resolved unless
  the same customer (same `customer_ref`, same client) calls again within the client's window
  (`Client.fcr_window_days`), counting calls outside the measured set and period. A call with no
  customer reference, or whose window is still open without a repeat, is pending: out of the rate.
- CSAT (1-5): the average, and the share of 4s and 5s. NPS: % promoters (9-10) minus % detractors
  (0-6), from -100 to 100. CES (1-7, 7 = easiest): the average. Each with its number of responses.
- Service level: answered calls with `wait_seconds` within the client's threshold, over answered
  calls plus calls abandoned after the short-abandon time; short abandons count in neither.
  Answered calls whose wait is unknown are left out of it (and out of ASA).
- ASA: the mean wait of answered calls. Abandonment: calls abandoned after the short-abandon time
  over answered calls plus those abandoned calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from recordings.models import Call

INDUSTRY_AHT_SECONDS = 363  # about 6 min 3 s, the usual reference for inbound service calls


def handled(calls: QuerySet[Call]) -> QuerySet[Call]:
    return calls.filter(answered=True)


def talk_seconds_expression():
    return Coalesce(Cast("talk_seconds", FloatField()), F("recording__duration_seconds"))


def handle_seconds_expression():
    return ExpressionWrapper(
        talk_seconds_expression()
        + Cast(Coalesce("hold_seconds", Value(0)), FloatField())
        + Cast(Coalesce("after_call_work_seconds", Value(0)), FloatField()),
        output_field=FloatField(),
    )


class DaysAsDuration(Func):
    """A whole number of days as an interval, on PostgreSQL and on SQLite (which stores durations in microseconds)."""

    output_field = DurationField()
    template = "(%(expressions)s * INTERVAL '1 day')"

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s * 86400000000)", **extra)


def with_repeat_contact(calls: QuerySet[Call]) -> QuerySet[Call]:
    """Annotate `fcr_window_end` and `repeated`: the same customer called again within the window."""
    window = DaysAsDuration("client__fcr_window_days")
    calls = calls.annotate(
        fcr_window_end=ExpressionWrapper(F("started_at") + window, output_field=DateTimeField())
    )
    later = Call.objects.filter(
        client_id=OuterRef("client_id"),
        customer_ref=OuterRef("customer_ref"),
        started_at__gt=OuterRef("started_at"),
        started_at__lte=OuterRef("fcr_window_end"),
    )
    return calls.annotate(repeated=Exists(later))


def _ratio(numerator: int | float | None, denominator: int | float | None) -> float | None:
    if not denominator or numerator is None:
        return None
    return numerator / denominator


@dataclass(frozen=True)
class FcrFigure:
    rate: float | None  # 0-1
    resolved: int
    explicit_calls: int  # decided by their `resolved` flag
    repeat_rule_calls: int  # decided by the repeat-contact rule
    pending_calls: int  # no customer reference, or the window still open

    @property
    def source(self) -> str:
        if self.explicit_calls and self.repeat_rule_calls:
            return "resolved flag and repeat contacts"
        if self.explicit_calls:
            return "resolved flag"
        if self.repeat_rule_calls:
            return "repeat contacts"
        return "none yet"


@dataclass(frozen=True)
class CsatFigure:
    average: float | None
    satisfied_share: float | None  # 4s and 5s, 0-1
    responses: int


@dataclass(frozen=True)
class NpsFigure:
    score: float | None  # -100 to 100
    promoters: int
    detractors: int
    responses: int


@dataclass(frozen=True)
class CesFigure:
    average: float | None
    responses: int


@dataclass(frozen=True)
class SpeechFigure:
    """Averages of the call analytics over the calls that have them (transcribed two-channel calls)."""

    talk_listen_ratio: float | None
    dead_air_seconds: float | None
    overtalk_seconds: float | None
    calls: int
    ratio_calls: int = 0  # calls with a talk/listen ratio (it is empty when nobody spoke)


@dataclass(frozen=True)
class CallFigures:
    calls_handled: int
    aht_seconds: float | None
    aht_calls: int
    fcr: FcrFigure
    csat: CsatFigure
    nps: NpsFigure
    ces: CesFigure
    speech: SpeechFigure


# The repeat-contact rule decides a call with no `resolved` flag and a customer reference.
REPEAT_RULE_APPLIES = Q(resolved__isnull=True) & ~Q(customer_ref="")


def fcr_unresolved(calls: QuerySet[Call]) -> QuerySet[Call]:
    """The handled calls FCR counts as not resolved: flagged so, or followed by a repeat contact (evidence for people)."""
    return with_repeat_contact(handled(calls)).filter(Q(resolved=False) | (REPEAT_RULE_APPLIES & Q(repeated=True)))


def _call_aggregates(now: datetime) -> dict:
    """The aggregates behind `CallFigures`, shared by the whole-set and the grouped queries."""
    rule_applies = REPEAT_RULE_APPLIES
    return dict(
        handled=Count("pk"),
        handle_total=Sum(handle_seconds_expression()),
        handle_calls=Count("pk", filter=Q(talk_seconds__isnull=False) | Q(recording__isnull=False)),
        explicit=Count("pk", filter=Q(resolved__isnull=False)),
        explicit_resolved=Count("pk", filter=Q(resolved=True)),
        rule_resolved=Count("pk", filter=rule_applies & Q(repeated=False, fcr_window_end__lte=now)),
        rule_unresolved=Count("pk", filter=rule_applies & Q(repeated=True)),
        csat_avg=Avg("csat"),
        csat_n=Count("csat"),
        csat_satisfied=Count("pk", filter=Q(csat__gte=4)),
        nps_n=Count("nps"),
        promoters=Count("pk", filter=Q(nps__gte=9)),
        detractors=Count("pk", filter=Q(nps__lte=6)),
        ces_avg=Avg("ces"),
        ces_n=Count("ces"),
        ratio_avg=Avg("analytics__talk_listen_ratio"),
        ratio_n=Count("analytics__talk_listen_ratio"),
        dead_air_avg=Avg("analytics__dead_air_seconds"),
        overtalk_avg=Avg("analytics__overtalk_seconds"),
        analytics_n=Count("analytics"),
    )


def _call_figures_from(rows: dict) -> CallFigures:
    rule_calls = rows["rule_resolved"] + rows["rule_unresolved"]
    decided = rows["explicit"] + rule_calls
    return CallFigures(
        calls_handled=rows["handled"],
        aht_seconds=_ratio(rows["handle_total"], rows["handle_calls"]),
        aht_calls=rows["handle_calls"],
        fcr=FcrFigure(
            rate=_ratio(rows["explicit_resolved"] + rows["rule_resolved"], decided),
            resolved=rows["explicit_resolved"] + rows["rule_resolved"],
            explicit_calls=rows["explicit"],
            repeat_rule_calls=rule_calls,
            pending_calls=rows["handled"] - decided,
        ),
        csat=CsatFigure(
            average=rows["csat_avg"], satisfied_share=_ratio(rows["csat_satisfied"], rows["csat_n"]), responses=rows["csat_n"],
        ),
        nps=NpsFigure(
            score=_ratio(100 * (rows["promoters"] - rows["detractors"]), rows["nps_n"]),
            promoters=rows["promoters"], detractors=rows["detractors"], responses=rows["nps_n"],
        ),
        ces=CesFigure(average=rows["ces_avg"], responses=rows["ces_n"]),
        speech=SpeechFigure(
            talk_listen_ratio=rows["ratio_avg"], dead_air_seconds=rows["dead_air_avg"],
            overtalk_seconds=rows["overtalk_avg"], calls=rows["analytics_n"], ratio_calls=rows["ratio_n"],
        ),
    )


def call_figures(calls: QuerySet[Call], *, now: datetime | None = None) -> CallFigures:
    """The handled-call figures of `calls`, in one query."""
    now = now or timezone.now()
    return _call_figures_from(with_repeat_contact(handled(calls)).aggregate(**_call_aggregates(now)))


def call_figures_by(calls: QuerySet[Call], *, by, now: datetime | None = None) -> dict:
    """`call_figures` per group, in one query: {key: CallFigures} for each group with handled calls.

    `by` is a field path ("agent_id"), an expression (`TruncWeek("started_at")`) on Call, or a tuple of
    field paths (("agent_id", "client_id")), whose keys are then tuples. Groups combine exactly back
    into larger ones with `combine_call_figures`.
    """
    now = now or timezone.now()
    paths = by if isinstance(by, tuple) else (by,)
    groups = {f"figures_group_{i}": F(path) if isinstance(path, str) else path for i, path in enumerate(paths)}
    rows = (
        with_repeat_contact(handled(calls))
        .annotate(**groups)
        .order_by()
        .values(*groups)
        .annotate(**_call_aggregates(now))
    )
    if isinstance(by, tuple):
        return {tuple(row[name] for name in groups): _call_figures_from(row) for row in rows}
    return {row["figures_group_0"]: _call_figures_from(row) for row in rows}


def _weighted(pairs: Iterable[tuple[float | None, int]]) -> float | None:
    """The mean of averages weighted by how many values each averaged; None when nothing was counted."""
    pairs = [(average, n) for average, n in pairs if n and average is not None]
    total = sum(n for _, n in pairs)
    return sum(average * n for average, n in pairs) / total if total else None


def combine_call_figures(parts: Iterable[CallFigures]) -> CallFigures:
    """The figures of several disjoint sets of calls (each agent's, say) as one set's, exactly and without a query:
    counts add up, averages are weighted by what they averaged."""
    parts = list(parts)
    fcr = [p.fcr for p in parts]
    resolved, explicit = sum(f.resolved for f in fcr), sum(f.explicit_calls for f in fcr)
    rule_calls = sum(f.repeat_rule_calls for f in fcr)
    csat_n = sum(p.csat.responses for p in parts)
    satisfied = sum(round((p.csat.satisfied_share or 0) * p.csat.responses) for p in parts)
    promoters, detractors = sum(p.nps.promoters for p in parts), sum(p.nps.detractors for p in parts)
    nps_n = sum(p.nps.responses for p in parts)
    return CallFigures(
        calls_handled=sum(p.calls_handled for p in parts),
        aht_seconds=_weighted((p.aht_seconds, p.aht_calls) for p in parts),
        aht_calls=sum(p.aht_calls for p in parts),
        fcr=FcrFigure(
            rate=_ratio(resolved, explicit + rule_calls), resolved=resolved, explicit_calls=explicit,
            repeat_rule_calls=rule_calls, pending_calls=sum(f.pending_calls for f in fcr),
        ),
        csat=CsatFigure(
            average=_weighted((p.csat.average, p.csat.responses) for p in parts),
            satisfied_share=_ratio(satisfied, csat_n), responses=csat_n,
        ),
        nps=NpsFigure(
            score=_ratio(100 * (promoters - detractors), nps_n), promoters=promoters, detractors=detractors, responses=nps_n,
        ),
        ces=CesFigure(average=_weighted((p.ces.average, p.ces.responses) for p in parts), responses=sum(p.ces.responses for p in parts)),
        speech=SpeechFigure(
            talk_listen_ratio=_weighted((p.speech.talk_listen_ratio, p.speech.ratio_calls) for p in parts),
            dead_air_seconds=_weighted((p.speech.dead_air_seconds, p.speech.calls) for p in parts),
            overtalk_seconds=_weighted((p.speech.overtalk_seconds, p.speech.calls) for p in parts),
            calls=sum(p.speech.calls for p in parts), ratio_calls=sum(p.speech.ratio_calls for p in parts),
        ),
    )


@dataclass(frozen=True)
class ServiceFigures:
    calls_offered: int
    calls_answered: int
    calls_abandoned: int  # all abandoned calls, short ones included
    short_abandons: int
    threshold_seconds: int
    answered_within_threshold: int
    service_level: float | None  # 0-1
    asa_seconds: float | None
    abandonment_rate: float | None  # 0-1


def service_figures(calls: QuerySet[Call], *, threshold_seconds: int, short_abandon_seconds: int) -> ServiceFigures:
    """Calls offered, answered and abandoned, service level, ASA and abandonment, in one query."""
    abandoned = Q(answered=False)
    short = abandoned & Q(wait_seconds__lte=short_abandon_seconds)
    # Aggregate names must not shadow the fields filtered on.
    rows = calls.aggregate(
        n_offered=Count("pk"),
        n_answered=Count("pk", filter=Q(answered=True)),
        n_answered_known_wait=Count("pk", filter=Q(answered=True, wait_seconds__isnull=False)),
        n_within=Count("pk", filter=Q(answered=True, wait_seconds__lte=threshold_seconds)),
        n_abandoned=Count("pk", filter=abandoned),
        n_short=Count("pk", filter=short),
        mean_wait=Avg("wait_seconds", filter=Q(answered=True)),
    )
    counted_abandons = rows["n_abandoned"] - rows["n_short"]
    return ServiceFigures(
        calls_offered=rows["n_offered"],
        calls_answered=rows["n_answered"],
        calls_abandoned=rows["n_abandoned"],
        short_abandons=rows["n_short"],
        threshold_seconds=threshold_seconds,
        answered_within_threshold=rows["n_within"],
        service_level=_ratio(rows["n_within"], rows["n_answered_known_wait"] + counted_abandons),
        asa_seconds=rows["mean_wait"],
        abandonment_rate=_ratio(counted_abandons, rows["n_answered"] + counted_abandons),
    )
