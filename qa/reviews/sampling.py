"""The sampler: fills monitoring plans with random calls and assigns them to reviewers.

Each plan gives every agent N numbered slots per period. Slot i draws from the
i-th equal slice of the period, so the sample spreads over it; once a slice is
over and had no call, its slot may take any call from the period. Each run also
finishes the previous period, whose last slice only ends as the new one starts.
A slot is filled once: the database refuses a second row for it, so a re-run
never over-fills.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from qa.accounts.roles import reviewers
from qa.lib.periods import period_bounds
from qa.reviews.models import Evaluation, MonitoringPlan, ReviewAssignment
from qa.reviews.selectors import plan_agents
from recordings.models import Call

logger = logging.getLogger(__name__)


@dataclass
class FillSummary:
    assigned: int = 0
    short: int = 0  # slots due by now that found no eligible call (or no reviewer)

    def __iadd__(self, other: FillSummary) -> FillSummary:
        self.assigned += other.assigned
        self.short += other.short
        return self


def slot_window(*, start: datetime, end: datetime, slot: int, slots: int) -> tuple[datetime, datetime]:
    length = (end - start) / slots
    return start + length * slot, start + length * (slot + 1)


def plans_fill(*, plan_ids: list[int] | None = None, now: datetime | None = None, rng: random.Random | None = None) -> FillSummary:
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    plans = MonitoringPlan.objects.filter(is_active=True)
    if plan_ids is not None:
        plans = plans.filter(pk__in=plan_ids)
    summary = FillSummary()
    for plan_id in plans.values_list("pk", flat=True):
        summary += plan_fill(plan_id=plan_id, now=now, rng=rng)
    logger.info("Sampler: assigned %s call(s), %s slot(s) short", summary.assigned, summary.short)
    return summary


def _reviewer_loads() -> dict[int, int]:
    """Open queue items per QA reviewer or manager: the sampler gives work to the least loaded."""
    open_items = (
        ReviewAssignment.objects.pending().filter(reviewer__in=reviewers())
        .values("reviewer").annotate(n=Count("pk")).values_list("reviewer", "n")
    )
    loads = dict.fromkeys(reviewers().values_list("pk", flat=True), 0)
    loads.update(open_items)
    return loads


@transaction.atomic
def plan_fill(*, plan_id: int, now: datetime, rng: random.Random) -> FillSummary:
    # Locking the plan row makes two sampler runs on one plan take turns.
    plan = MonitoringPlan.objects.select_for_update(of=("self",)).select_related("client", "team").get(pk=plan_id)
    current_start, _ = period_bounds(period=plan.period, now=now)
    summary = FillSummary()
    for start, end in (period_bounds(period=plan.period, now=current_start - timedelta(seconds=1)),
                       period_bounds(period=plan.period, now=now)):
        summary += _plan_fill_period(plan=plan, start=start, end=end, now=now, rng=rng)
    return summary


def _plan_fill_period(*, plan: MonitoringPlan, start: datetime, end: datetime, now: datetime, rng: random.Random) -> FillSummary:
    calls = Call.objects.filter(client=plan.client) if plan.client_id else Call.objects.filter(agent__team=plan.team)
    candidates = (
        calls.filter(status=Call.Status.TRANSCRIBED, started_at__gte=start, started_at__lt=min(end, now))
        .exclude(pk__in=Evaluation.objects.filter(calibration_session__isnull=True).values("call"))
        .exclude(pk__in=ReviewAssignment.objects.values("call"))
    )
    agents = plan_agents(plan=plan, start=start, end=end)
    loads = _reviewer_loads()
    summary = FillSummary()
    quota = plan.evaluations_per_agent

    for agent in agents.order_by("pk"):
        filled = set(
            ReviewAssignment.objects.filter(plan=plan, agent=agent, period_start=start.date()).values_list("slot", flat=True)
        )
        taken: set[int] = set()
        for slot in range(quota):
            if slot in filled:
                continue
            window_start, window_end = slot_window(start=start, end=end, slot=slot, slots=quota)
            pool = candidates.filter(agent=agent).exclude(pk__in=taken)
            ids = list(pool.filter(started_at__gte=window_start, started_at__lt=window_end).values_list("pk", flat=True))
            if not ids and window_end <= now:
                ids = list(pool.values_list("pk", flat=True))
            if not ids:
                if window_end <= now:
                    summary.short += 1
                continue
            eligible = {pk: load for pk, load in loads.items() if pk != agent.user_id}
            if not eligible:
                logger.warning("Sampler: no QA reviewer to assign plan %s's calls to", plan.pk)
                summary.short += 1
                continue
            reviewer_id = min(eligible, key=lambda pk: (eligible[pk], pk))  # least loaded first
            call_id = rng.choice(sorted(ids))
            assignment = ReviewAssignment(
                call_id=call_id, reviewer_id=reviewer_id, plan=plan, agent=agent, period_start=start.date(),
                slot=slot, due_at=now + timedelta(days=plan.days_to_review),
            )
            assignment.full_clean(validate_constraints=False)
            try:
                with transaction.atomic():
                    assignment.save()
            except IntegrityError:
                continue  # the slot or the call was taken meanwhile: never a second one
            taken.add(call_id)
            loads[reviewer_id] += 1
            summary.assigned += 1
    return summary
