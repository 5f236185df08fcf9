"""Performance writes: training-need flags (raised by the rules), coaching sessions, agents' acknowledgements
and disputes, and their resolution. Every decision is written to the agent's log (`LogEntry`)."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from qa.audit.models import Action
from qa.audit.services import audit_record
from qa.autoqa.models import AutoAnswer, AutoItem
from qa.performance import access
from qa.performance.models import Acknowledgement, CoachingSession, Dispute, LogEntry, TrainingFlag, TrainingRules
from qa.performance.rules import (
    Firing,
    Rule,
    Thresholds,
    aht_rule,
    auto_check_rule,
    critical_fail_rule,
    fcr_rule,
    monitoring_rule,
    section_rule,
    team_median,
)
from qa.performance.selectors import AgentRow, agent_rows, calls_in, dispute_deadline, evaluations_of, rules_period
from qa.reviews.models import Evaluation
from qa.reviews.selectors import counted_evaluations, qa_figures
from qa.reviews.services import AnswerInput, evaluation_amend
from recordings.figures import fcr_unresolved, handle_seconds_expression, handled
from recordings.models import Agent, Call, Client

EVIDENCE_CALLS = 20  # calls linked to a figure rule's flag, at most


def _log(agent: Agent, kind: LogEntry.Kind, text: str, *, actor=None, at: datetime | None = None, **links) -> LogEntry:
    return LogEntry.objects.create(agent=agent, kind=kind, text=text, actor=actor, at=at or timezone.now(), **links)


# --- Flags ------------------------------------------------------------------------------


class FlagOutcome(enum.Enum):
    OPENED = "opened"
    REOPENED = "reopened"
    UPDATED = "updated"  # still open: its figures and evidence refreshed
    UNCHANGED = "unchanged"  # closed, and the firing brings nothing newer than its closing


@transaction.atomic
def flag_raise(*, agent: Agent, firing: Firing, now: datetime, evidence_from: datetime | None = None) -> FlagOutcome:
    """Open the agent's flag for the rule, update it while it is open, or reopen it once closed.

    One row per agent and rule, so a rule never makes two flags. A closed flag reopens only on evidence
    from after its closing: `evidence_from` is when a figure rule's period began (evaluation rules pass
    only evaluations submitted after the closing, so theirs is always new).
    """
    flag = TrainingFlag.objects.select_for_update().filter(agent=agent, rule=firing.rule).first()
    if flag is None:
        try:
            with transaction.atomic():
                flag = TrainingFlag.objects.create(
                    agent=agent, rule=firing.rule, summary=firing.summary[:500], figures=firing.figures,
                    first_opened_at=now, opened_at=now, last_fired_at=now,
                )
        except IntegrityError:  # a concurrent run opened it a moment ago
            flag = TrainingFlag.objects.select_for_update().get(agent=agent, rule=firing.rule)
        else:
            _add_evidence(flag, firing)
            _log(agent, LogEntry.Kind.FLAG_OPENED, f"{flag.get_rule_display()}: {firing.summary}", at=now, flag=flag)
            return FlagOutcome.OPENED
    if flag.status == TrainingFlag.Status.CLOSED:
        if evidence_from is not None and evidence_from < flag.closed_at:
            return FlagOutcome.UNCHANGED
        flag.status, flag.closed_at, flag.opened_at = TrainingFlag.Status.OPEN, None, now
        flag.times_opened += 1
        outcome = FlagOutcome.REOPENED
    else:
        outcome = FlagOutcome.UPDATED
    flag.summary, flag.figures, flag.last_fired_at = firing.summary[:500], firing.figures, now
    flag.save()
    _add_evidence(flag, firing)
    if outcome is FlagOutcome.REOPENED:
        _log(agent, LogEntry.Kind.FLAG_REOPENED, f"{flag.get_rule_display()} again: {firing.summary}", at=now, flag=flag)
    return outcome


def _add_evidence(flag: TrainingFlag, firing: Firing) -> None:
    if firing.evaluation_ids:
        flag.evaluations.add(*firing.evaluation_ids)
    if firing.call_ids:
        flag.calls.add(*firing.call_ids)


# The order a flag moves in; each step needs what its check asks.
FLAG_ORDER = [
    TrainingFlag.Status.OPEN, TrainingFlag.Status.COACHING_PLANNED, TrainingFlag.Status.COACHED, TrainingFlag.Status.CLOSED,
]


def _flag_move_check(flag: TrainingFlag, to: str) -> None:
    if FLAG_ORDER.index(to) <= FLAG_ORDER.index(flag.status):
        raise ValidationError(
            f"A flag moves open → coaching planned → coached → closed; this one is already {flag.get_status_display().lower()}."
        )
    sessions = flag.coaching_sessions.all()
    if to == TrainingFlag.Status.COACHING_PLANNED and not sessions.exists():
        raise ValidationError("Plan a coaching session about this flag first.")
    if to in (TrainingFlag.Status.COACHED, TrainingFlag.Status.CLOSED) and not sessions.filter(held_at__isnull=False).exists():
        raise ValidationError("A flag is coached, then closed, only after a coaching session about it took place.")


def _flag_set_status(flag: TrainingFlag, to: str, *, by, note: str = "", now: datetime | None = None) -> TrainingFlag:
    now = now or timezone.now()
    before = flag.get_status_display().lower()
    flag.status = to
    flag.closed_at = now if to == TrainingFlag.Status.CLOSED else None
    flag.save(update_fields=["status", "closed_at"])
    text = f"{flag.get_rule_display()}: {before} → {flag.get_status_display().lower()}."
    _log(flag.agent, LogEntry.Kind.FLAG_MOVED, f"{text} {note}".strip(), actor=by, at=now, flag=flag)
    return flag


@transaction.atomic
def flag_move(*, flag: TrainingFlag, to: str, by, note: str = "") -> TrainingFlag:
    """A manager moves a flag on (open → coaching planned → coached → closed); closing needs held coaching."""
    if not access.can_manage_training(by):
        raise PermissionDenied("Only QA managers change training flags.")
    if to not in TrainingFlag.Status.values:
        raise ValidationError(f"Unknown flag status {to!r}.")
    flag = TrainingFlag.objects.select_for_update().select_related("agent").get(pk=flag.pk)
    _flag_move_check(flag, to)
    return _flag_set_status(flag, to, by=by, note=(note or "").strip())


# --- Coaching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CoachingInput:
    agent: Agent
    coach: object  # a user
    scheduled_for: datetime
    held_at: datetime | None = None
    notes: str = ""
    agreed_action: str = ""
    flags: tuple[TrainingFlag, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()
    follow_up_evaluation: Evaluation | None = None


def coaching_session_validate(data: CoachingInput) -> None:
    """Raise ValidationError (by field) for a session that cannot be saved; shared with the admin form."""
    errors: dict[str, list[str]] = {}
    if any(f.agent_id != data.agent.pk for f in data.flags):
        errors.setdefault("flags", []).append("Every flag must be the coached agent's.")
    linked = list(data.evaluations) + ([data.follow_up_evaluation] if data.follow_up_evaluation else [])
    if any(e.call.agent_id != data.agent.pk for e in linked):
        errors.setdefault("evaluations", []).append("Every evaluation must be of the coached agent's calls.")
    if data.held_at is not None and data.held_at > timezone.now() + timedelta(minutes=5):
        errors.setdefault("held_at", []).append("A session cannot have taken place in the future.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def coaching_session_save(*, session: CoachingSession | None, data: CoachingInput, by) -> CoachingSession:
    """Plan a coaching session, or update one; its flags move to coaching planned, then to coached once it is held."""
    if not access.can_manage_training(by):
        raise PermissionDenied("Only QA managers plan coaching.")
    coaching_session_validate(data)
    created = session is None or session.pk is None
    # From the database: an admin form has already copied its values onto the instance.
    was_held = not created and CoachingSession.objects.filter(pk=session.pk, held_at__isnull=False).exists()
    session = session or CoachingSession(created_by=by)
    for name in ("agent", "coach", "scheduled_for", "held_at", "notes", "agreed_action", "follow_up_evaluation"):
        setattr(session, name, getattr(data, name))
    session.full_clean(exclude=["created_by"])
    session.save()
    session.flags.set(data.flags)
    session.evaluations.set(data.evaluations)
    when = timezone.localtime(session.scheduled_for).strftime("%Y-%m-%d %H:%M")
    if created:
        _log(data.agent, LogEntry.Kind.COACHING_PLANNED, f"Coaching with {data.coach} planned for {when}.", actor=by,
             coaching_session=session)
    if session.held_at and not was_held:
        action = f" Agreed: {session.agreed_action}" if session.agreed_action else ""
        _log(data.agent, LogEntry.Kind.COACHING_HELD, f"Coaching with {data.coach} took place.{action}", actor=by,
             coaching_session=session)
    target = TrainingFlag.Status.COACHED if session.held_at else TrainingFlag.Status.COACHING_PLANNED
    for flag in TrainingFlag.objects.select_for_update().filter(pk__in=[f.pk for f in data.flags]).select_related("agent"):
        if FLAG_ORDER.index(flag.status) < FLAG_ORDER.index(target):
            _flag_set_status(flag, target, by=by)
    return session


# --- Agents' answers to evaluations -----------------------------------------------------------


def _own_counted_evaluation(evaluation: Evaluation, user) -> Evaluation:
    evaluation = (
        counted_evaluations(Evaluation.objects.filter(pk=evaluation.pk))
        .select_related("call__agent", "call__client").select_for_update(of=("self",)).first()
    )
    if evaluation is None:
        raise ValidationError("Only a submitted evaluation can be acknowledged or disputed.")
    if not access.can_respond_to_evaluation(user, evaluation):
        raise PermissionDenied("Only the agent who handled the call answers its evaluation.")
    return evaluation


@transaction.atomic
def evaluation_acknowledge(*, evaluation: Evaluation, user, now: datetime | None = None) -> Acknowledgement:
    evaluation = _own_counted_evaluation(evaluation, user)
    if Acknowledgement.objects.filter(evaluation=evaluation).exists():
        raise ValidationError("You have already acknowledged this evaluation.")
    dispute = Dispute.objects.filter(evaluation=evaluation).first()
    if dispute is not None and dispute.status == Dispute.Status.OPEN:
        raise ValidationError("This evaluation is disputed; a QA manager will decide first.")
    acknowledgement = Acknowledgement.objects.create(
        evaluation=evaluation, agent=evaluation.call.agent, acknowledged_by=user, acknowledged_at=now or timezone.now(),
    )
    _log(evaluation.call.agent, LogEntry.Kind.ACKNOWLEDGED, f"Acknowledged the evaluation of call {evaluation.call.external_id}.",
         actor=user, at=acknowledgement.acknowledged_at, evaluation=evaluation)
    return acknowledgement


@transaction.atomic
def evaluation_dispute(*, evaluation: Evaluation, user, reason: str, now: datetime | None = None) -> Dispute:
    """The agent disputes an evaluation, with a reason, within the client's dispute window after submission."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you dispute this evaluation."})
    evaluation = _own_counted_evaluation(evaluation, user)
    if Dispute.objects.filter(evaluation=evaluation).exists():
        raise ValidationError("This evaluation has already been disputed.")
    if Acknowledgement.objects.filter(evaluation=evaluation).exists():
        raise ValidationError("You acknowledged this evaluation, so it can no longer be disputed.")
    deadline = dispute_deadline(evaluation)
    if now > deadline:
        days = evaluation.call.client.dispute_window_days
        raise ValidationError(
            f"The {days}-day window to dispute this evaluation closed on {timezone.localtime(deadline):%Y-%m-%d %H:%M}."
        )
    dispute = Dispute.objects.create(
        evaluation=evaluation, agent=evaluation.call.agent, raised_by=user, raised_at=now, reason=reason,
        score_disputed=evaluation.score,
    )
    _log(evaluation.call.agent, LogEntry.Kind.DISPUTED,
         f"Disputed the evaluation of call {evaluation.call.external_id} ({evaluation.score}%): {reason}",
         actor=user, at=now, evaluation=evaluation, dispute=dispute)
    return dispute


def _open_dispute_for_update(dispute: Dispute, manager) -> Dispute:
    if not access.can_resolve_disputes(manager):
        raise PermissionDenied("Only a QA manager resolves disputes.")
    dispute = Dispute.objects.select_for_update().select_related("evaluation__call", "agent").get(pk=dispute.pk)
    if dispute.status != Dispute.Status.OPEN:
        raise ValidationError(f"This dispute was already resolved ({dispute.get_status_display().lower()}).")
    return dispute


def _audit_decision(dispute: Dispute, manager) -> None:
    audit_record(action=Action.DISPUTE_DECIDED, actor=manager, obj=dispute, detail={
        "outcome": dispute.status, "evaluation": dispute.evaluation_id, "score_disputed": str(dispute.score_disputed),
        "score_now": str(dispute.evaluation.score),
    })


def _resolution(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"resolution": "Give the agent your reasons."})
    return text


@transaction.atomic
def dispute_uphold(*, dispute: Dispute, manager, resolution: str) -> Dispute:
    resolution = _resolution(resolution)
    dispute = _open_dispute_for_update(dispute, manager)
    dispute.status, dispute.resolved_by, dispute.resolved_at = Dispute.Status.UPHELD, manager, timezone.now()
    dispute.resolution = resolution
    dispute.save()
    _audit_decision(dispute, manager)
    _log(dispute.agent, LogEntry.Kind.DISPUTE_UPHELD,
         f"The score of {dispute.evaluation.score}% on call {dispute.evaluation.call.external_id} stands: {resolution}",
         actor=manager, evaluation=dispute.evaluation, dispute=dispute)
    return dispute


@transaction.atomic
def dispute_rescore(
    *, dispute: Dispute, manager, answers: Mapping[int, AnswerInput], resolution: str,
    comment: str | None = None, comment_at_seconds: float | None = None,
) -> Dispute:
    """Re-score through the amend flow (`evaluation_amend`, which logs the change); the dispute keeps the amendment."""
    resolution = _resolution(resolution)
    dispute = _open_dispute_for_update(dispute, manager)
    evaluation = evaluation_amend(
        evaluation=dispute.evaluation, manager=manager, answers=answers, reason=f"Dispute by {dispute.agent.name}: {resolution}",
        comment=comment, comment_at_seconds=comment_at_seconds,
    )
    dispute.status, dispute.resolved_by, dispute.resolved_at = Dispute.Status.RESCORED, manager, timezone.now()
    dispute.resolution, dispute.amendment = resolution, evaluation.amendments.order_by("-changed_at", "-pk").first()
    dispute.evaluation = evaluation  # as re-scored
    dispute.save()
    _audit_decision(dispute, manager)
    _log(dispute.agent, LogEntry.Kind.DISPUTE_RESCORED,
         f"Call {evaluation.call.external_id} re-scored {dispute.score_disputed}% → {evaluation.score}%: {resolution}",
         actor=manager, evaluation=evaluation, dispute=dispute)
    return dispute


# --- The rules ------------------------------------------------------------------------------


@dataclass
class RulesRun:
    agents: int = 0
    opened: int = 0
    reopened: int = 0
    updated: int = 0

    def count(self, outcome: FlagOutcome) -> None:
        if outcome is FlagOutcome.OPENED:
            self.opened += 1
        elif outcome is FlagOutcome.REOPENED:
            self.reopened += 1
        elif outcome is FlagOutcome.UPDATED:
            self.updated += 1


def _thresholds_for(row: AgentRow, rules: list[TrainingRules], clients: dict[int, Client]) -> Thresholds:
    """The agent's team's rules, else those of the client whose calls they handled most, else the defaults."""
    by_team = {r.team_id: r for r in rules if r.team_id}
    by_client = {r.client_id: r for r in rules if r.client_id}
    chosen = by_team.get(row.agent.team_id) or by_client.get(row.primary_client_id) or TrainingRules()
    primary = clients.get(row.primary_client_id)
    return chosen.thresholds(client_fcr_target=primary.fcr_target if primary else None)


def _latest_evaluations(agent: Agent, *, since: datetime | None, n: int) -> list[Evaluation]:
    latest = counted_evaluations(Evaluation.objects.filter(call__agent=agent))
    if since is not None:
        latest = latest.filter(submitted_at__gt=since)
    return list(latest.order_by("-submitted_at", "-pk")[:n])


def _closed_at(flags: dict, rule: Rule) -> datetime | None:
    flag = flags.get(rule)
    return flag.closed_at if flag is not None and flag.status == TrainingFlag.Status.CLOSED else None


def _agent_firings(row: AgentRow, thresholds: Thresholds, *, median: float | None, flags: dict, period) -> list:
    """[(firing, evidence_from)] for one agent."""
    agent, label = row.agent, f"the week of {period.first:%d %b %Y}"
    firings = []
    # Evaluation rules: the last N evaluations, only those after the flag's closing once it is closed.
    n = thresholds.section_last_evaluations
    latest = _latest_evaluations(agent, since=_closed_at(flags, Rule.SECTION_BELOW), n=n)
    if latest:
        sections = qa_figures(Evaluation.objects.filter(pk__in=[e.pk for e in latest])).sections
        firings.append((section_rule(
            thresholds, section_averages={s.title: s.average_score for s in sections}, evaluation_ids=[e.pk for e in latest],
        ), None))
    latest = _latest_evaluations(agent, since=_closed_at(flags, Rule.CRITICAL_FAIL), n=n)
    firings.append((critical_fail_rule(thresholds, failed_evaluation_ids=[e.pk for e in latest if e.critical_failed]), None))
    # Figure rules: the rules week; evidence is looked up only for a rule that fires.
    week_calls = calls_in(Call.objects.filter(agent=agent), period)
    fcr = row.calls.fcr
    firing = fcr_rule(thresholds, rate=fcr.rate, decided_calls=fcr.explicit_calls + fcr.repeat_rule_calls, period=label)
    if firing:
        unresolved = fcr_unresolved(week_calls).order_by("started_at").values_list("pk", flat=True)[:EVIDENCE_CALLS]
        firings.append((replace(firing, call_ids=tuple(unresolved)), period.start))
    firing = aht_rule(
        thresholds, aht_seconds=row.calls.aht_seconds, team_median_seconds=median, calls=row.calls.aht_calls, period=label,
    )
    if firing:
        longest = (
            handled(week_calls).annotate(handle_seconds=handle_seconds_expression()).filter(handle_seconds__isnull=False)
            .order_by("-handle_seconds").values_list("pk", flat=True)[:EVIDENCE_CALLS]
        )
        firings.append((replace(firing, call_ids=tuple(longest)), period.start))
    firing = monitoring_rule(thresholds, evaluations=row.monitoring.evaluations, target=row.monitoring.target, period=label)
    if firing:
        evaluated = counted_evaluations(evaluations_of(week_calls)).values_list("pk", flat=True)
        firings.append((replace(firing, evaluation_ids=tuple(evaluated)), period.start))
    firing = auto_check_rule(thresholds, checks=row.auto.items, period=label)
    if firing:
        failed = AutoItem.objects.filter(
            evaluation__call__in=week_calls.values("pk"), criterion_key__in=list(firing.figures["checks"]), answer=AutoAnswer.FAIL,
        )
        calls = week_calls.filter(pk__in=failed.values("evaluation__call_id")).order_by("started_at", "pk")
        firings.append((replace(firing, call_ids=tuple(calls.values_list("pk", flat=True)[:EVIDENCE_CALLS])), period.start))
    return [(firing, since) for firing, since in firings if firing is not None]


def training_rules_run(*, agent_ids: Iterable[int] | None = None, now: datetime | None = None) -> RulesRun:
    """Run every training-need rule for active agents (all, or those given) and open, update or reopen flags.

    Evaluation rules look at each agent's last N evaluations; figure rules (automatic checks' fail rates
    included) at the rules week (`selectors.rules_period`), with the team median AHT over the agent's whole
    current team.
    """
    now = now or timezone.now()
    period = rules_period(now)
    judged = Agent.objects.filter(is_active=True)
    if agent_ids is not None:
        judged = judged.filter(pk__in=list(agent_ids))
    judged_ids = set(judged.values_list("pk", flat=True))
    population = Agent.objects.filter(Q(pk__in=judged_ids) | Q(team__in=judged.values("team"), is_active=True))
    rows = agent_rows(agents=population, period=period, with_flags=False, now=now)
    medians: dict[int, float | None] = {}
    for team_id in {r.agent.team_id for r in rows if r.agent.team_id}:
        medians[team_id] = team_median([r.calls.aht_seconds for r in rows if r.agent.team_id == team_id and r.agent.is_active])
    rules = list(TrainingRules.objects.all())
    clients = Client.objects.in_bulk({r.primary_client_id for r in rows if r.primary_client_id})
    flags: dict[int, dict] = {}
    for flag in TrainingFlag.objects.filter(agent_id__in=judged_ids):
        flags.setdefault(flag.agent_id, {})[flag.rule] = flag
    run = RulesRun()
    for row in rows:
        if row.agent.pk not in judged_ids:
            continue
        run.agents += 1
        thresholds = _thresholds_for(row, rules, clients)
        median = medians.get(row.agent.team_id)
        for firing, evidence_from in _agent_firings(
            row, thresholds, median=median, flags=flags.get(row.agent.pk, {}), period=period,
        ):
            run.count(flag_raise(agent=row.agent, firing=firing, now=now, evidence_from=evidence_from))
    return run
