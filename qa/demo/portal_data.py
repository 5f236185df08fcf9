"""Demo data for the client portal: twelve weeks of call records without audio (answered and abandoned,
with waits), and a submitted evaluation of each sample call, so the client login sees a living account.

Fast (one bulk insert) and safe to run again: records have fixed ids per day, evaluated calls are skipped.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from qa.reviews import scoring
from qa.reviews.models import Evaluation
from qa.reviews.selectors import rubric_version_for_call, version_criteria
from qa.reviews.services import AnswerInput, evaluation_submit
from recordings.models import Agent, Call, Client

DAYS = 84  # twelve weeks
QUEUES = {
    "billing": ["refund_issued", "balance_explained", "payment_plan"],
    "payments": ["payment_taken", "payment_failed"],
    "technical_support": ["engineer_booked", "outage_informed", "fixed_on_call"],
    "sales": ["upgrade_sold", "no_sale"],
    "retention": ["cancelled", "retained"],
}
SEED = 20261101

# Per sample call: (section title, criterion position) -> answer, where it differs from the best one,
# and the reviewer's comment on the whole call.
SAMPLE_REVIEWS: dict[str, tuple[dict[tuple[str, int], str], str]] = {
    "card_payment": ({}, "Clear payment steps; the card number was not read back. Well done."),
    "billing_double_charge": ({("Resolution", 0): "2"}, "Refund issued; confirm the refund date with the caller next time."),
    "cancel_subscription_interruption": (
        {("Listening and empathy", 0): "2", ("Listening and empathy", 1): "3"},
        "Talked over the customer twice while they explained why they were leaving.",
    ),
    "outage_hold": ({("Listening and empathy", 1): "4"}, "Good hold etiquette during the outage."),
    "rude_agent": (
        {("Listening and empathy", 0): "1", ("Listening and empathy", 1): "1", ("Resolution", 0): "1",
         ("Hold and closing", 2): "no"},
        "Dismissive tone throughout; coaching booked on empathy.",
    ),
    "unannounced_hold": ({("Hold and closing", 0): "no"}, "Placed the caller on hold without asking first."),
    "asked_hold_no_disclosure": ({("Opening", 1): "no"}, "The recording disclosure was missing: a compliance failure."),
}


@dataclass(frozen=True)
class PortalDemo:
    records_created: int
    calls_evaluated: int


def portal_demo_load(client: Client, *, samples: list[dict]) -> PortalDemo:
    """`samples`: the sample calls' metadata (file, external_id), as the loader imported them."""
    Client.objects.filter(pk=client.pk).update(portal_shows_criterion_comments=True)
    sample_calls = {
        meta["file"].rsplit(".", 1)[0]: call
        for meta in samples
        if (call := Call.objects.filter(client=client, external_id=meta["external_id"]).first()) is not None
    }
    return PortalDemo(records_created=_call_records(client), calls_evaluated=_sample_evaluations(sample_calls))


def _call_records(client: Client) -> int:
    agents = list(Agent.objects.filter(is_active=True).order_by("external_id"))
    rng = random.Random(SEED)
    today = timezone.localdate()
    customers = [f"ACM-{n:06d}" for n in rng.sample(range(100_000, 999_999), 400)]
    records = []
    for days_ago in range(DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        weekend = day.weekday() >= 5
        # Busier some weeks, so service level and abandonment move in the trend.
        busy = 1.0 + 0.6 * ((days_ago // 7) % 3 == 1)
        for n in range(rng.randint(4, 8) if weekend else rng.randint(14, 22)):
            started = timezone.make_aware(datetime.combine(day, time(8)) + timedelta(minutes=rng.randint(0, 600)))
            wait = int(rng.expovariate(1 / (12 * busy)))
            queue = rng.choice(list(QUEUES))
            fields = {
                "client": client, "external_id": f"DEMO-{day:%Y%m%d}-{n:03d}", "started_at": started,
                "queue": queue, "customer_ref": rng.choice(customers), "wait_seconds": wait,
            }
            if rng.random() < 0.04 * busy + min(wait, 120) / 1500:  # the longer the wait, the likelier a hang-up
                records.append(Call(**fields, answered=False, agent=None, status=Call.Status.ABANDONED))
                continue
            records.append(Call(
                **fields, answered=True, agent=rng.choice(agents), status=Call.Status.NO_RECORDING,
                talk_seconds=rng.randint(90, 540), hold_seconds=rng.choice([0, 0, 0, rng.randint(10, 120)]),
                after_call_work_seconds=rng.randint(10, 60), disposition=rng.choice(QUEUES[queue]),
                resolved=rng.random() < 0.78 if rng.random() < 0.7 else None,
                csat=rng.choices([1, 2, 3, 4, 5], [3, 5, 12, 35, 45])[0] if rng.random() < 0.55 else None,
                nps=rng.choices(range(11), [2, 1, 1, 2, 2, 4, 6, 10, 16, 24, 32])[0] if rng.random() < 0.3 else None,
                ces=rng.choices(range(1, 8), [2, 3, 6, 12, 22, 30, 25])[0] if rng.random() < 0.25 else None,
            ))
    before = Call.objects.filter(client=client).count()
    Call.objects.bulk_create(records, ignore_conflicts=True)
    return Call.objects.filter(client=client).count() - before


def _sample_evaluations(sample_calls: dict[str, Call]) -> int:
    reviewer = get_user_model().objects.get(username="reviewer")
    evaluated = 0
    for name, call in sample_calls.items():
        if name not in SAMPLE_REVIEWS or Evaluation.objects.filter(call=call, calibration_session__isnull=True).exists():
            continue
        version = rubric_version_for_call(call=call)
        if version is None:
            continue
        overrides, comment = SAMPLE_REVIEWS[name]
        answers = {}
        for criterion in version_criteria(version=version):
            key = (criterion.section.title, criterion.position)
            answers[criterion.pk] = AnswerInput(value=overrides.get(key) or _best(criterion, payment=name == "card_payment"))
        with transaction.atomic():
            evaluation_submit(call=call, reviewer=reviewer, answers=answers, comment=comment)
        evaluated += 1
    return evaluated


def _best(criterion, *, payment: bool) -> str:
    if criterion.answer_type == scoring.YES_NO_NA and "card" in criterion.question.lower() and not payment:
        return "na"  # no payment taken on the call
    return {scoring.YES_NO: "yes", scoring.YES_NO_NA: "yes", scoring.SCALE_1_5: "5"}.get(
        criterion.answer_type, str(criterion.max_points or 0)
    )
