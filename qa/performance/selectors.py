"""Performance reads: an agent's figures for a period, their team's, the weekly trend, the team dashboard,
and the managers' summary.

Every figure comes from `recordings.figures.call_figures` (calls) and `qa.reviews.selectors.qa_figures`
(evaluations), over the agent's calls that started in the period; many agents or weeks at once use their
grouped twins (`call_figures_by`, `qa_figures_by`), so a page costs the same few queries however much data.
Automatic checks (`qa.autoqa.selectors.auto_coverage_by`) come beside them, kept apart: reviewers'
evaluations alone make the QA score.

Decisions made here (README, "Agent performance"):
- Teams are as they are now: an agent who changed team in the period counts wholly in their new team
  (their own figures do not depend on teams at all).
- The team figure beside an agent's is the same figure over all the team's calls (each call weighs the
  same), combined exactly from each member's; the team median AHT is the median of the members' AHTs.
- Monitoring: counted evaluations of the agent's calls in the period, against the active monitoring plans
  that cover them (the sampler fills each plan on its own, so their quotas add up): their team's plan, and
  the plan of each client whose calls they took in the period (as `qa.reviews.selectors.plan_agents`). A
  plan's quota scales with the period: a week plan by days/7, a month plan by each month's share of days,
  rounded half up, and never above the calls the agent handled in the period. No plan: no target (null),
  never under-monitored.
- Targets shown beside an agent's figures are those of the client whose calls they handled most in the period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from math import floor

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from qa.autoqa.selectors import NO_COVERAGE, AutoCoverage, auto_coverage, auto_coverage_by, combine_auto_coverage
from qa.lib.periods import MONTH, WEEK, Period, period_containing, previous_periods
from qa.performance.models import Acknowledgement, CoachingSession, Dispute, LogEntry, TrainingFlag
from qa.performance.rules import team_median
from qa.reviews.models import Answer, Evaluation, MonitoringPlan
from qa.reviews.selectors import QaFigures, combine_qa_figures, counted_evaluations, qa_figures, qa_figures_by
from recordings.figures import CallFigures, call_figures_by, combine_call_figures
from recordings.models import Agent, Call, Client, Team

TREND_WEEKS = 12
EVALUATIONS_SHOWN = 100
LOG_ENTRIES_SHOWN = 30
COACHING_SESSIONS_SHOWN = 20


def calls_in(calls: QuerySet[Call], period: Period) -> QuerySet[Call]:
    return calls.filter(started_at__gte=period.start, started_at__lt=period.end)


def evaluations_of(calls: QuerySet[Call]) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(call__in=calls.values("pk"))


# --- Monitoring ------------------------------------------------------------------------


@dataclass(frozen=True)
class Monitoring:
    evaluations: int
    target: int | None  # None: no monitoring plan covers the agent

    @property
    def under_monitored(self) -> bool:
        return self.target is not None and self.evaluations < self.target


def plan_quota(*, evaluations_per_agent: int, plan_period: str, period: Period) -> Fraction:
    """A plan's quota over `period`: a week plan by days/7; a month plan by each calendar month's share of days."""
    if plan_period == WEEK:
        return Fraction(evaluations_per_agent * period.days, 7)
    share, day = Fraction(0), period.first
    while day <= period.last:
        month = period_containing(MONTH, day)
        last = min(month.last, period.last)
        share += Fraction((last - day).days + 1, month.days)
        day = last + timedelta(days=1)
    return evaluations_per_agent * share


def round_half_up(value: Fraction) -> int:
    return floor(value + Fraction(1, 2))


def _monitoring_targets(
    agents: Iterable[Agent], *, clients_by_agent: dict[int, dict[int, int]], period: Period, team_plans: bool = True
) -> dict[int, int | None]:
    plans = list(MonitoringPlan.objects.filter(is_active=True))
    by_team = {p.team_id: p for p in plans if p.team_id} if team_plans else {}
    by_client = {p.client_id: p for p in plans if p.client_id}
    targets: dict[int, int | None] = {}
    for agent in agents:
        covering = []
        if agent.is_active:
            covering = [by_team[agent.team_id]] if agent.team_id in by_team else []
            covering += [by_client[c] for c in sorted(clients_by_agent.get(agent.pk, {})) if c in by_client]
        quota = sum(
            (plan_quota(evaluations_per_agent=p.evaluations_per_agent, plan_period=p.period, period=period) for p in covering),
            Fraction(0),
        )
        # Nobody can evaluate calls that were not taken: an agent away for the week is not under-monitored.
        handled = sum(clients_by_agent.get(agent.pk, {}).values())
        targets[agent.pk] = min(round_half_up(quota), handled) if covering else None
    return targets


def _clients_by_agent(calls: QuerySet[Call]) -> dict[int, dict[int, int]]:
    """{agent id: {client id: calls}} over `calls`, in one light query (no figures)."""
    rows = calls.filter(agent__isnull=False).order_by().values("agent_id", "client_id").annotate(n=Count("pk"))
    clients: dict[int, dict[int, int]] = defaultdict(dict)
    for row in rows:
        clients[row["agent_id"]][row["client_id"]] = row["n"]
    return clients


def _primary_client(clients: dict[int, int]) -> int | None:
    """The client whose calls the agent handled most (the lowest id on a tie)."""
    return min(clients, key=lambda c: (-clients[c], c)) if clients else None


# --- Agents' figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class AgentRow:
    """One agent's figures for a period: a line of the team dashboard, the core of a scorecard."""

    agent: Agent
    calls: CallFigures
    qa: QaFigures
    monitoring: Monitoring
    primary_client_id: int | None
    open_flags: list[TrainingFlag] = field(default_factory=list)
    auto: AutoCoverage = NO_COVERAGE  # automatic checks of the agent's transcribed calls: not the QA score


def agent_rows(
    *, agents: QuerySet[Agent], period: Period, calls: QuerySet[Call] | None = None, team_plans: bool = True,
    with_flags: bool = True, sections: bool = True, now: datetime | None = None,
) -> list[AgentRow]:
    """Every agent's figures over their calls (within `calls`, default all) in the period, in eight queries
    (seven without per-section averages, `sections=False`; one fewer without flags), two of them for the
    automatic checks."""
    agents_list = list(agents.select_related("team").order_by("name", "pk"))
    ids = [a.pk for a in agents_list]
    scope = calls_in(Call.objects.all() if calls is None else calls, period).filter(agent_id__in=ids)
    # Per agent and client: the agent's own figures combine exactly from these, and the clients they served
    # (for client plans and targets) come with them.
    by_client: dict[int, dict[int, CallFigures]] = defaultdict(dict)
    for (agent_id, client_id), figures in call_figures_by(scope, by=("agent_id", "client_id"), now=now).items():
        by_client[agent_id][client_id] = figures
    clients = {a: {c: f.calls_handled for c, f in per_client.items()} for a, per_client in by_client.items()}
    qa_by_agent = qa_figures_by(evaluations_of(scope), by="call__agent_id", sections=sections)
    auto_by_agent = auto_coverage_by(scope, by="agent_id")
    targets = _monitoring_targets(agents_list, clients_by_agent=clients, period=period, team_plans=team_plans)
    flags: dict[int, list[TrainingFlag]] = defaultdict(list)
    if with_flags:
        for flag in TrainingFlag.objects.filter(agent_id__in=ids).exclude(status=TrainingFlag.Status.CLOSED):
            flags[flag.agent_id].append(flag)
    no_qa = qa_figures(Evaluation.objects.none())  # no query
    rows = []
    for agent in agents_list:
        qa = qa_by_agent.get(agent.pk, no_qa)
        rows.append(AgentRow(
            agent=agent,
            calls=combine_call_figures(by_client.get(agent.pk, {}).values()),
            qa=qa,
            monitoring=Monitoring(evaluations=qa.evaluations, target=targets[agent.pk]),
            primary_client_id=_primary_client(clients.get(agent.pk, {})),
            open_flags=flags.get(agent.pk, []),
            auto=auto_by_agent.get(agent.pk, NO_COVERAGE),
        ))
    return rows


@dataclass(frozen=True)
class TeamFigures:
    team: Team
    calls: CallFigures  # over all the team's calls: each call weighs the same
    qa: QaFigures
    median_aht_seconds: float | None  # the median of the agents' own AHTs
    agents: int  # agents with handled calls in the period
    auto: AutoCoverage = NO_COVERAGE  # automatic checks over the team's transcribed calls


def team_figures(
    *, team: Team, period: Period, rows: list[AgentRow] | None = None, sections: bool = False, now: datetime | None = None,
) -> TeamFigures:
    """The team's figures over its current members' calls, combined from each member's (exact: counts add up,
    averages weigh by what they averaged). Give the dashboard's `rows` to need no query; otherwise four (five
    with per-section averages)."""
    if rows is None:
        team_calls = calls_in(Call.objects.filter(agent__team=team), period)
        calls_by_agent = list(call_figures_by(team_calls, by="agent_id", now=now).values())
        qa_by_agent = list(qa_figures_by(evaluations_of(team_calls), by="call__agent_id", sections=sections).values())
        auto = auto_coverage(team_calls)
    else:
        members = [r for r in rows if r.agent.team_id == team.pk]
        calls_by_agent, qa_by_agent = [r.calls for r in members], [r.qa for r in members]
        auto = combine_auto_coverage(r.auto for r in members)
    worked = [f for f in calls_by_agent if f.calls_handled]
    return TeamFigures(
        team=team,
        calls=combine_call_figures(calls_by_agent),
        qa=combine_qa_figures(qa_by_agent),
        median_aht_seconds=team_median([f.aht_seconds for f in worked]),
        agents=len(worked),
        auto=auto,
    )


# --- Trend ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    week: date  # its Monday
    calls: int
    aht_seconds: float | None
    fcr_rate: float | None
    evaluations: int
    qa_average: float | None


def _week_of(key) -> date:
    return timezone.localtime(key).date() if isinstance(key, datetime) else key


def weekly_trend(*, calls: QuerySet[Call], until: date, weeks: int = TREND_WEEKS, now: datetime | None = None) -> list[TrendPoint]:
    """QA score, AHT and FCR per week, for the `weeks` weeks ending with the one containing `until`, in three queries."""
    periods = previous_periods(WEEK, until, weeks)
    span = calls_in(calls, Period(periods[0].first, periods[-1].last))
    by_week = {_week_of(k): v for k, v in call_figures_by(span, by=TruncWeek("started_at"), now=now).items()}
    qa_by_week = {_week_of(k): v for k, v in qa_figures_by(
        evaluations_of(span), by="call__started_at", trunc="week", sections=False
    ).items()}
    points = []
    for week in periods:
        figures, qa = by_week.get(week.first), qa_by_week.get(week.first)
        points.append(TrendPoint(
            week=week.first,
            calls=figures.calls_handled if figures else 0,
            aht_seconds=figures.aht_seconds if figures else None,
            fcr_rate=figures.fcr.rate if figures else None,
            evaluations=qa.evaluations if qa else 0,
            qa_average=qa.average_score if qa else None,
        ))
    return points


def trend_chart(points: list[TrendPoint]) -> dict:
    """The trend as the chart script reads it (static/performance/charts.js)."""
    return {
        "type": "line",
        "labels": [p.week.strftime("%d %b") for p in points],
        "series": [
            {"label": "QA score (%)", "axis": "percent", "data": [_round(p.qa_average, 1) for p in points]},
            {"label": "FCR (%)", "axis": "percent", "data": [_round(p.fcr_rate * 100 if p.fcr_rate is not None else None, 1) for p in points]},
            {"label": "AHT (s)", "axis": "seconds", "data": [_round(p.aht_seconds, 0) for p in points]},
        ],
    }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


# --- The scorecard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    client: Client
    aht_seconds: int
    fcr: float
    qa: float
    csat: float
    nps: int
    ces: float

    @classmethod
    def of(cls, client: Client) -> Targets:
        return cls(
            client=client, aht_seconds=client.aht_target_seconds, fcr=float(client.fcr_target), qa=float(client.qa_target),
            csat=float(client.csat_target), nps=client.nps_target, ces=float(client.ces_target),
        )


@dataclass(frozen=True)
class AgentFigures:
    """What the scorecard API answers: the agent's figures for the period, and their flags not closed."""

    agent: Agent
    period: Period
    row: AgentRow
    flags: list[TrainingFlag]  # empty unless the viewer sees all the agent's calls
    team: TeamFigures | None = None


def agent_figures(
    *, agent: Agent, period: Period, calls: QuerySet[Call], whole: bool, with_team: bool = False,
    now: datetime | None = None,
) -> AgentFigures:
    """The agent's figures over `calls` (what the viewer may see of theirs). `whole`: the viewer sees all of the
    agent's calls (QA staff, the agent): their team's plan and their training flags count too, and `with_team`
    adds their current team's figures from the same queries (the team's members are grouped with them)."""
    team_too = whole and with_team and agent.team_id is not None
    agents = Agent.objects.filter(pk=agent.pk)
    if team_too:
        agents = Agent.objects.filter(Q(pk=agent.pk) | Q(team_id=agent.team_id, is_active=True))
    rows = agent_rows(agents=agents, period=period, calls=None if team_too else calls, team_plans=whole,
                      with_flags=False, now=now)
    row = next(r for r in rows if r.agent.pk == agent.pk)
    flags = []
    if whole:
        flags = list(
            TrainingFlag.objects.filter(agent=agent).exclude(status=TrainingFlag.Status.CLOSED)
            .prefetch_related("evaluations__call", "calls")
        )
    team = team_figures(team=agent.team, period=period, rows=rows) if team_too else None
    return AgentFigures(agent=agent, period=period, row=row, flags=flags, team=team)


def dispute_deadline(evaluation: Evaluation) -> datetime:
    """The end of the client's window to dispute a submitted evaluation."""
    return evaluation.submitted_at + timedelta(days=evaluation.call.client.dispute_window_days)


@dataclass(frozen=True)
class EvaluationItem:
    """An evaluation on the scorecard, with the agent's answer to it."""

    evaluation: Evaluation
    acknowledgement: Acknowledgement | None
    dispute: Dispute | None
    dispute_deadline: datetime

    def dispute_window_open(self, now: datetime) -> bool:
        return now <= self.dispute_deadline

    @property
    def answered(self) -> bool:
        return self.acknowledgement is not None or self.dispute is not None


def scorecard_evaluations(calls: QuerySet[Call]) -> list[EvaluationItem]:
    """The counted evaluations of these calls, newest call first, with answers, changes and the agent's answer."""
    answers = Answer.objects.select_related("criterion__section").order_by(
        "criterion__section__position", "criterion__position", "criterion_id"
    )
    order = ("-call__started_at", "-pk")
    # Which ones first, then their details: one query with every join would be too many tables for the planner
    # to reorder, and it would read every evaluation before narrowing to these calls.
    ids = list(counted_evaluations(evaluations_of(calls)).order_by(*order).values_list("pk", flat=True)[:EVALUATIONS_SHOWN])
    evaluations = (
        Evaluation.objects.filter(pk__in=ids)
        .select_related("call__client", "call__recording", "reviewer", "acknowledgement", "dispute__resolved_by")
        .prefetch_related(Prefetch("answers", queryset=answers), "amendments__changed_by")
        .order_by(*order)
    )
    return [
        EvaluationItem(
            evaluation=e, acknowledgement=getattr(e, "acknowledgement", None), dispute=getattr(e, "dispute", None),
            dispute_deadline=dispute_deadline(e),
        )
        for e in evaluations
    ]


@dataclass(frozen=True)
class Scorecard:
    figures: AgentFigures
    targets: Targets | None
    team: TeamFigures | None
    trend: list[TrendPoint]
    evaluations: list[EvaluationItem]
    coaching_sessions: list[CoachingSession]
    log: list[LogEntry]

    @property
    def agent(self) -> Agent:
        return self.figures.agent

    @property
    def row(self) -> AgentRow:
        return self.figures.row


def scorecard_load(
    *, agent: Agent, period: Period, calls: QuerySet[Call], whole: bool, now: datetime | None = None,
) -> Scorecard:
    """The scorecard page: the agent's figures, targets, the team's figures, the 12-week trend, the period's
    evaluations, and (when `whole`) coaching and the decision log. A fixed number of queries."""
    now = now or timezone.now()
    figures = agent_figures(agent=agent, period=period, calls=calls, whole=whole, with_team=True, now=now)
    client = Client.objects.filter(pk=figures.row.primary_client_id).first() if figures.row.primary_client_id else None
    sessions, log = [], []
    if whole:
        sessions = list(
            CoachingSession.objects.filter(agent=agent).select_related("coach", "follow_up_evaluation__call")
            .prefetch_related("flags")[:COACHING_SESSIONS_SHOWN]
        )
        log = list(LogEntry.objects.filter(agent=agent).select_related("actor")[:LOG_ENTRIES_SHOWN])
    agent_calls = calls.filter(agent=agent)
    return Scorecard(
        figures=figures,
        targets=Targets.of(client) if client else None,
        team=figures.team,
        trend=weekly_trend(calls=agent_calls, until=min(period.last, timezone.localdate(now)), now=now),
        evaluations=scorecard_evaluations(calls_in(agent_calls, period)),
        coaching_sessions=sessions,
        log=log,
    )


# --- Managers ------------------------------------------------------------------------------------


def rules_period(now: datetime) -> Period:
    """The week the figure rules and the managers' summary judge: the latest full week (from Monday) that
    ended at least three days ago, so reviews of its last calls and its customers' repeat calls can land."""
    return period_containing(WEEK, timezone.localdate(now) - timedelta(days=10))


@dataclass(frozen=True)
class PerformanceSummary:
    period: Period
    under_monitored: int
    monitored: int  # active agents with a target above 0
    open_flags: int
    open_disputes: int


def performance_summary(*, now: datetime | None = None) -> PerformanceSummary:
    """The managers' landing page: under-monitored agents (rules week), flags not closed, disputes open. Six queries."""
    now = now or timezone.now()
    period = rules_period(now)
    agents = list(Agent.objects.filter(is_active=True))
    scope = calls_in(Call.objects.filter(agent__is_active=True), period)
    evaluated = dict(
        counted_evaluations(evaluations_of(scope)).order_by().values("call__agent_id").annotate(n=Count("pk"))
        .values_list("call__agent_id", "n")
    )
    targets = _monitoring_targets(agents, clients_by_agent=_clients_by_agent(scope), period=period)
    monitored = [pk for pk, target in targets.items() if target]  # a plan, and calls to evaluate
    return PerformanceSummary(
        period=period,
        under_monitored=sum(1 for pk in monitored if evaluated.get(pk, 0) < targets[pk]),
        monitored=len(monitored),
        open_flags=TrainingFlag.objects.exclude(status=TrainingFlag.Status.CLOSED).count(),
        open_disputes=Dispute.objects.filter(status=Dispute.Status.OPEN).count(),
    )
