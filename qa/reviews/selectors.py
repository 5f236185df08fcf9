"""QA reads: which rubric applies, the queue, the workspace and calibration figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, Count, F, Min, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from qa.lib.periods import period_bounds
from qa.reviews import scoring
from qa.reviews.models import (
    CalibrationSession,
    Criterion,
    Evaluation,
    MonitoringPlan,
    ReviewAssignment,
    Rubric,
    RubricAssignment,
    RubricVersion,
    SectionScore,
)
from recordings.models import Agent, Call
from recordings.selectors import transcript_for_reader


def rubric_for_client(*, client) -> Rubric | None:
    assignment = RubricAssignment.objects.filter(client=client).select_related("rubric").first()
    if assignment is not None:
        return assignment.rubric
    return Rubric.objects.filter(is_default=True).first()


def rubric_version_for_call(*, call: Call) -> RubricVersion | None:
    """The published version of the call's client's rubric (or the default rubric)."""
    rubric = rubric_for_client(client=call.client)
    if rubric is None:
        return None
    return rubric.versions.filter(status=RubricVersion.Status.PUBLISHED).first()


def version_criteria(*, version: RubricVersion) -> list[Criterion]:
    return list(
        Criterion.objects.filter(section__version=version).select_related("section").order_by(
            "section__position", "section_id", "position", "id"
        )
    )


def queue_for_reviewer(*, reviewer) -> QuerySet[ReviewAssignment]:
    return ReviewAssignment.objects.filter(reviewer=reviewer).select_related("call__client", "call__agent")


def evaluation_for_workspace(*, call: Call, reviewer, calibration_session: CalibrationSession | None) -> Evaluation | None:
    """Blind calibration: a panel member sees only their own scoring, never the regular evaluation."""
    evaluations = Evaluation.objects.select_related("reviewer", "version__rubric").prefetch_related("answers")
    if calibration_session is not None:
        return evaluations.filter(calibration_session=calibration_session, reviewer=reviewer).first()
    return evaluations.filter(call=call, calibration_session__isnull=True).first()


def transcript_lines(*, call: Call, reader) -> list[dict]:
    """The transcript as `reader` may read it (redacted unless they may see originals: recordings.access)."""
    readable = transcript_for_reader(transcript=getattr(call, "transcript", None), user=reader)
    if readable is None:
        return []
    return [
        {"speaker": line.speaker, "label": line.label, "start": line.start, "end": line.end, "text": line.text}
        for line in readable.lines
    ]


@dataclass(frozen=True)
class Workspace:
    """Everything the reviewer workspace shows for one call, loaded once."""

    call: Call
    calibration_session: CalibrationSession | None
    evaluation: Evaluation | None
    version: RubricVersion | None  # None: no published rubric applies to the client yet
    criteria: list[Criterion]
    transcript: list[dict]


def workspace_load(*, call: Call, reviewer, calibration_session: CalibrationSession | None = None) -> Workspace:
    evaluation = evaluation_for_workspace(call=call, reviewer=reviewer, calibration_session=calibration_session)
    if evaluation is not None:
        version = evaluation.version
    elif calibration_session is not None:
        version = calibration_session.version
    else:
        version = rubric_version_for_call(call=call)
    return Workspace(
        call=call,
        calibration_session=calibration_session,
        evaluation=evaluation,
        version=version,
        criteria=version_criteria(version=version) if version else [],
        transcript=transcript_lines(call=call, reader=reviewer),
    )


@dataclass(frozen=True)
class ManagerSummary:
    calls_waiting: int  # transcribed, never evaluated, not in anyone's queue
    reviews_due: int
    reviews_overdue: int
    plan_slots_short: int  # sampled slots of active plans this period still lacking a call


def manager_summary(*, now: datetime | None = None) -> ManagerSummary:
    now = now or timezone.now()
    waiting = (
        Call.objects.filter(status=Call.Status.TRANSCRIBED)
        .exclude(pk__in=Evaluation.objects.filter(calibration_session__isnull=True).values("call"))
        .exclude(pk__in=ReviewAssignment.objects.values("call"))
        .count()
    )
    return ManagerSummary(
        calls_waiting=waiting,
        reviews_due=ReviewAssignment.objects.pending().count(),
        reviews_overdue=ReviewAssignment.objects.overdue(now).count(),
        plan_slots_short=plan_slots_short(now=now),
    )


def plan_agents(*, plan: MonitoringPlan, start: datetime, end: datetime) -> QuerySet[Agent]:
    """Who a plan monitors in a period: a team's active agents, or a client's agents who took its calls."""
    if plan.team_id:
        return Agent.objects.filter(team_id=plan.team_id, is_active=True)
    took_calls = Call.objects.filter(client_id=plan.client_id, started_at__gte=start, started_at__lt=end)
    return Agent.objects.filter(is_active=True, pk__in=took_calls.values("agent"))


def plan_slots_short(*, now: datetime) -> int:
    """Over active plans, this period's quota per agent minus the slots already filled."""
    short = 0
    for plan in MonitoringPlan.objects.filter(is_active=True):
        start, end = period_bounds(period=plan.period, now=now)
        quota = plan.evaluations_per_agent * plan_agents(plan=plan, start=start, end=end).count()
        filled = ReviewAssignment.objects.filter(plan=plan, period_start=start.date()).count()
        short += max(0, quota - filled)
    return short


@dataclass(frozen=True)
class CalibrationRow:
    criterion: Criterion
    answers: list  # per reviewer: raw value or "" (same order as CalibrationResult.reviewers)
    percents: list  # per reviewer: 0-100 or None (N/A, unanswered)
    spread: scoring.Spread
    deviations: list  # per reviewer: percent - expert's percent, or None

    @property
    def cells(self):
        return list(zip(self.answers, self.deviations))


@dataclass(frozen=True)
class CalibrationResult:
    session: CalibrationSession
    reviewers: list  # users, in a stable order
    evaluations: list  # Evaluation | None per reviewer
    totals: list  # submitted score per reviewer, or None
    rows: list[CalibrationRow]
    overall: scoring.Spread
    overall_deviations: list  # per reviewer: total - expert's total, or None
    submitted_count: int
    mean_abs_deviations: list  # per reviewer: mean |answer % - expert's answer %| over the questions both answered

    @property
    def total_cells(self):
        return list(zip(self.totals, self.overall_deviations))

    @property
    def mean_abs_cells(self):
        return self.mean_abs_deviations


def calibration_result(*, session: CalibrationSession) -> CalibrationResult:
    """Submitted answers only: drafts are still private to their reviewer."""
    reviewers = list(session.reviewers.order_by("username"))
    submitted = {
        e.reviewer_id: e
        for e in session.evaluations.filter(status=Evaluation.Status.SUBMITTED).prefetch_related("answers")
    }
    evaluations = [submitted.get(r.pk) for r in reviewers]
    totals = [e.score if e else None for e in evaluations]
    expert_index = next((i for i, r in enumerate(reviewers) if r.pk == session.expert_id), None)

    rows = []
    for criterion in version_criteria(version=session.version):
        answers, percents = [], []
        for evaluation in evaluations:
            answer = next((a for a in evaluation.answers.all() if a.criterion_id == criterion.pk), None) if evaluation else None
            value = answer.value if answer else ""
            answers.append(value)
            percents.append(scoring.criterion_percent(criterion.spec(), value) if value else None)
        expert_percent = percents[expert_index] if expert_index is not None else None
        rows.append(
            CalibrationRow(
                criterion=criterion, answers=answers, percents=percents, spread=scoring.spread(percents),
                deviations=[scoring.deviation(p, expert_percent) for p in percents],
            )
        )
    expert_total = totals[expert_index] if expert_index is not None else None
    mean_abs = []
    for i in range(len(reviewers)):
        diffs = [abs(row.deviations[i]) for row in rows if row.deviations[i] is not None]
        mean_abs.append(round(sum(diffs) / len(diffs), 2) if diffs else None)
    return CalibrationResult(
        session=session, reviewers=reviewers, evaluations=evaluations, totals=totals, rows=rows,
        overall=scoring.spread(totals),
        overall_deviations=[scoring.deviation(t, expert_total) for t in totals],
        submitted_count=len(submitted),
        mean_abs_deviations=mean_abs,
    )


# --- QA figures ------------------------------------------------------------------------


def counted_evaluations(evaluations: QuerySet[Evaluation] | None = None) -> QuerySet[Evaluation]:
    """The evaluations QA figures count: submitted ones, regular or by a calibration session's expert.

    Calibration scores of the rest of the panel never count, and an expert's calibration score
    counts only for a call with no submitted regular evaluation (a call is scored once).
    """
    evaluations = Evaluation.objects.all() if evaluations is None else evaluations
    regular = Q(calibration_session__isnull=True)
    by_expert = Q(calibration_session__isnull=False, reviewer_id=F("calibration_session__expert_id")) & ~Q(
        call__in=Evaluation.objects.filter(regular, status=Evaluation.Status.SUBMITTED).values("call")
    )
    return evaluations.filter(Q(status=Evaluation.Status.SUBMITTED) & (regular | by_expert))


@dataclass(frozen=True)
class SectionFigure:
    title: str
    average_score: float | None
    evaluations: int  # with a score on this section (all-N/A sections left out)


@dataclass(frozen=True)
class QaFigures:
    evaluations: int
    average_score: float | None  # 0-100
    critical_fails: int
    sections: list[SectionFigure]


def _qa_figures_from(row: dict, sections) -> QaFigures:
    return QaFigures(
        evaluations=row["n"],
        average_score=float(row["average"]) if row["average"] is not None else None,
        critical_fails=row["critical"],
        sections=[
            SectionFigure(title=s["title"], average_score=float(s["average"]) if s["average"] is not None else None,
                          evaluations=s["n"])
            for s in sections
        ],
    )


def _qa_aggregates() -> dict:
    return dict(n=Count("pk"), average=Avg("score"), critical=Count("pk", filter=Q(critical_failed=True)))


def qa_figures(evaluations: QuerySet[Evaluation]) -> QaFigures:
    """Average score, critical fails and per-section averages of the counted evaluations, in two queries."""
    counted = counted_evaluations(evaluations)
    row = counted.aggregate(**_qa_aggregates())
    sections = (
        SectionScore.objects.filter(evaluation__in=counted.values("pk"))
        .values("title")
        .annotate(average=Avg("score"), n=Count("score"), first=Min("position"))
        .order_by("first", "title")
    )
    return _qa_figures_from(row, sections)


def qa_figures_by(evaluations: QuerySet[Evaluation], *, by: str, trunc: str | None = None, sections: bool = True) -> dict:
    """`qa_figures` per group, in two queries: {key: QaFigures} for each group with counted evaluations.

    `by` is a field path on Evaluation ("call__agent_id", "call__started_at"); `trunc="week"`
    groups a date-time by its week (from Monday, in the service's time zone). `sections=False`
    leaves the per-section averages out (one query).
    """

    def key(prefix: str = ""):
        path = F(f"{prefix}{by}")
        return TruncWeek(path) if trunc == "week" else path

    if trunc not in (None, "week"):
        raise ValueError(f"unknown truncation {trunc!r}")
    counted = counted_evaluations(evaluations)
    rows = counted.annotate(figures_group=key()).order_by().values("figures_group").annotate(**_qa_aggregates())
    by_group: dict = {}
    if not sections:
        return {row["figures_group"]: _qa_figures_from(row, []) for row in rows}
    section_rows = (
        SectionScore.objects.filter(evaluation__in=counted.values("pk"))
        .annotate(figures_group=key("evaluation__"))
        .order_by()
        .values("figures_group", "title")
        .annotate(average=Avg("score"), n=Count("score"), first=Min("position"))
    )
    for s in sorted(section_rows, key=lambda s: (s["first"], s["title"])):
        by_group.setdefault(s["figures_group"], []).append(s)
    return {row["figures_group"]: _qa_figures_from(row, by_group.get(row["figures_group"], [])) for row in rows}


def combine_qa_figures(parts) -> QaFigures:
    """The QA figures of several disjoint sets of evaluations (each agent's) as one set's, exactly, without a query."""
    parts = list(parts)
    n = sum(p.evaluations for p in parts)
    scored = [(p.average_score, p.evaluations) for p in parts if p.evaluations and p.average_score is not None]
    sections: dict[str, list] = {}
    order: dict[str, int] = {}
    for p in parts:
        for position, s in enumerate(p.sections):
            sections.setdefault(s.title, []).append(s)
            order[s.title] = min(order.get(s.title, position), position)
    combined = []
    for title in sorted(sections, key=lambda t: (order[t], t)):
        counted = [(s.average_score, s.evaluations) for s in sections[title] if s.evaluations and s.average_score is not None]
        total = sum(k for _, k in counted)
        combined.append(SectionFigure(
            title=title, average_score=sum(a * k for a, k in counted) / total if total else None, evaluations=total,
        ))
    total_scored = sum(k for _, k in scored)
    return QaFigures(
        evaluations=n,
        average_score=sum(a * k for a, k in scored) / total_scored if total_scored else None,
        critical_fails=sum(p.critical_fails for p in parts),
        sections=combined,
    )
