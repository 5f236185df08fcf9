"""Demo performance data: two teams, eight weeks of handled calls (no audio: figures need none), six weeks of evaluations
scored on the default rubric through the real services, and what managers act on: flags, coaching, a dispute.

Each agent has a profile, so the dashboard tells stories: James is slow, Mark's customers call back, Kevin
is rude and skips the disclosure, Emma is barely monitored. Seeded, so every run makes the same data, and
safe to run again: existing demo calls are kept and nothing is scored twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from qa.performance import services as performance
from qa.performance.models import CoachingSession, Dispute, TrainingFlag
from qa.reviews import scoring
from qa.reviews.models import Evaluation
from qa.reviews.selectors import rubric_version_for_call, version_criteria
from qa.reviews.services import AnswerInput, evaluation_submit
from recordings import services
from recordings.models import Agent, Call, Client

WEEKS = 8
EVALUATED_WEEKS = 6
CALL_PREFIX = "PERF-"  # the portal demo's records start DEMO-
SECOND_TEAM = "Billing support"
SECOND_TEAM_AGENTS = [("AGT-1201", "Priya Shah"), ("AGT-1202", "Omar Haddad"), ("AGT-1203", "Lucia Romero"),
                      ("AGT-1204", "Noah Fischer")]
CUSTOMERS = 600  # a small pool, so some customers call again within the FCR window
COMMENTS = [
    "Warm greeting and a clear summary at the end.",
    "Good hold etiquette; check the account before quoting prices.",
    "Talked over the customer twice; let them finish.",
    "Resolved first time and confirmed the next step.",
    "Forgot to ask whether there was anything else.",
]


@dataclass(frozen=True)
class Profile:
    talk_seconds: int  # mean talk time
    resolves: float  # chance a call is resolved
    quality: float  # chance of the best answer to each question
    critical_miss: float  # chance of failing a critical question
    evaluations_per_week: int = 2
    csat_bias: float = 0.0
    misses_disclosure_lately: bool = False  # their latest evaluation fails a critical question


PROFILES = {
    "AGT-1042": Profile(talk_seconds=290, resolves=0.82, quality=0.85, critical_miss=0.0, misses_disclosure_lately=True),  # Sarah
    "AGT-1077": Profile(talk_seconds=470, resolves=0.78, quality=0.8, critical_miss=0.0),  # James: slow
    "AGT-1093": Profile(talk_seconds=310, resolves=0.85, quality=0.9, critical_miss=0.0),  # Daniel
    "AGT-1101": Profile(talk_seconds=300, resolves=0.8, quality=0.85, critical_miss=0.0, evaluations_per_week=1),  # Emma
    "AGT-1102": Profile(talk_seconds=280, resolves=0.55, quality=0.8, critical_miss=0.0),  # Mark: callbacks
    "AGT-1103": Profile(talk_seconds=260, resolves=0.7, quality=0.45, critical_miss=0.35, csat_bias=-1.2),  # Kevin
    "AGT-1201": Profile(talk_seconds=340, resolves=0.84, quality=0.9, critical_miss=0.0),
    "AGT-1202": Profile(talk_seconds=360, resolves=0.8, quality=0.75, critical_miss=0.05),
    "AGT-1203": Profile(talk_seconds=320, resolves=0.88, quality=0.92, critical_miss=0.0, csat_bias=0.4),
    "AGT-1204": Profile(talk_seconds=380, resolves=0.76, quality=0.7, critical_miss=0.0),
}
DEFAULT_PROFILE = Profile(talk_seconds=320, resolves=0.8, quality=0.8, critical_miss=0.0)


@dataclass(frozen=True)
class PerformanceDemo:
    calls_created: int
    evaluations_submitted: int
    flags: int


def demo_performance_roster() -> None:
    """The second team. Made with the roster, before other demo data picks among the agents (the portal's
    records do, seeded: the same agents each run keep a re-run from adding any)."""
    for external_id, name in SECOND_TEAM_AGENTS:
        services.agent_upsert(external_id=external_id, name=name, team_name=SECOND_TEAM)


@transaction.atomic  # one commit, not one per evaluation and flag
def demo_performance(client: Client, *, now: datetime | None = None) -> PerformanceDemo:
    now = now or timezone.now()
    rng = random.Random(8)
    demo_performance_roster()
    agents = list(Agent.objects.filter(external_id__in=PROFILES).order_by("external_id"))
    created = _calls(client, agents, rng, now)
    reviewer = get_user_model().objects.get(username="reviewer")
    # The rules run once below, rather than once per evaluation from the task queue.
    with override_settings(QA_EVALUATION_TASKS=[]):
        submitted = _evaluations(agents, reviewer, rng, now)
    performance.training_rules_run(now=now)
    _coaching_and_dispute(now)
    return PerformanceDemo(calls_created=created, evaluations_submitted=submitted, flags=TrainingFlag.objects.count())


def _calls(client: Client, agents: list[Agent], rng: random.Random, now: datetime) -> int:
    before = Call.objects.filter(client=client, external_id__startswith=CALL_PREFIX).count()
    calls = []
    for agent in agents:
        profile = PROFILES.get(agent.external_id, DEFAULT_PROFILE)
        for n in range(WEEKS * 11):
            started = now - timedelta(days=rng.uniform(0.05, WEEKS * 7))
            explicit = rng.random() < 0.5  # half the calls carry a resolved flag; the rest go by repeat contacts
            surveyed = rng.random() < 0.45
            csat = min(5, max(1, round(rng.gauss(4.1 + profile.csat_bias, 0.9)))) if surveyed else None
            calls.append(Call(
                client=client, agent=agent, external_id=f"{CALL_PREFIX}{agent.external_id}-{n:03d}", started_at=started,
                customer_ref=f"ACM-{rng.randrange(CUSTOMERS):06d}", queue=rng.choice(["billing", "support", "sales"]),
                wait_seconds=rng.randint(2, 90), talk_seconds=max(40, round(rng.gauss(profile.talk_seconds, 70))),
                hold_seconds=rng.choice([0, 0, 0, 20, 45, 90]), after_call_work_seconds=rng.randint(10, 60),
                resolved=(rng.random() < profile.resolves) if explicit else None, csat=csat,
                nps=min(10, max(0, round(rng.gauss(7.5 + 2 * profile.csat_bias, 2)))) if surveyed and rng.random() < 0.7 else None,
                ces=min(7, max(1, round(rng.gauss(5.5 + profile.csat_bias, 1.1)))) if surveyed and rng.random() < 0.6 else None,
                status=Call.Status.NO_RECORDING,
            ))
    Call.objects.bulk_create(calls, ignore_conflicts=True, batch_size=500)
    return Call.objects.filter(client=client, external_id__startswith=CALL_PREFIX).count() - before


def _answer(criterion, profile: Profile, rng: random.Random) -> str:
    values = scoring.allowed_values(criterion.spec())
    applicable = [v for v in values if v != scoring.NA]
    best, worst = (applicable[-1], applicable[0]) if criterion.answer_type in (scoring.SCALE_1_5, scoring.POINTS) else ("yes", "no")
    if scoring.NA in values and rng.random() < 0.3:
        return scoring.NA
    if criterion.is_critical:
        return worst if rng.random() < profile.critical_miss else best
    if rng.random() < profile.quality:
        return best
    return rng.choice(applicable)


def _evaluations(agents: list[Agent], reviewer, rng: random.Random, now: datetime) -> int:
    submitted, criteria = 0, None
    for agent in agents:
        profile = PROFILES.get(agent.external_id, DEFAULT_PROFILE)
        for week in reversed(range(EVALUATED_WEEKS)):  # oldest first, as reviews happen
            # Emma has not been monitored for the last three weeks.
            wanted = 0 if agent.external_id == "AGT-1101" and week < 3 else profile.evaluations_per_week
            start, end = now - timedelta(days=7 * (week + 1)), now - timedelta(days=7 * week)
            week_calls = Call.objects.filter(
                agent=agent, external_id__startswith=CALL_PREFIX, started_at__gte=start, started_at__lt=end
            )
            wanted -= week_calls.filter(evaluations__isnull=False).count()  # a second run adds none
            candidates = list(week_calls.exclude(evaluations__isnull=False).order_by("external_id")[:max(0, wanted)])
            for target in candidates:
                criteria = criteria or version_criteria(version=rubric_version_for_call(call=target))  # one client, one rubric
                answers = {c.pk: AnswerInput(value=_answer(c, profile, rng)) for c in criteria}
                if profile.misses_disclosure_lately and week == 0 and target is candidates[-1]:
                    first_critical = next(c for c in criteria if c.is_critical)
                    answers[first_critical.pk] = AnswerInput(value="no", comment="No recording disclosure before the account details.")
                try:
                    evaluation_submit(call=target, reviewer=reviewer, answers=answers, comment=rng.choice(COMMENTS))
                except ValidationError:  # an all-N/A draw: nothing to score, leave that call
                    continue
                submitted += 1
    return submitted


def _coaching_and_dispute(now: datetime) -> None:
    """Kevin's flags get a coaching session (held), Sarah's one planned; Sarah disputes her lowest-scored evaluation."""
    manager = get_user_model().objects.get(username="manager")
    if not CoachingSession.objects.exists():
        for external_id, held in (("AGT-1103", True), ("AGT-1042", False)):
            agent = Agent.objects.get(external_id=external_id)
            flags = tuple(TrainingFlag.objects.filter(agent=agent).exclude(status=TrainingFlag.Status.CLOSED))
            evaluations = tuple(Evaluation.objects.filter(call__agent=agent, critical_failed=True)[:2])
            performance.coaching_session_save(session=None, by=manager, data=performance.CoachingInput(
                agent=agent, coach=manager, scheduled_for=now - timedelta(days=1) if held else now + timedelta(days=2),
                held_at=now - timedelta(days=1) if held else None, flags=flags, evaluations=evaluations,
                notes="Listened to two calls together." if held else "",
                agreed_action="Read the recording disclosure before anything else; let the customer finish." if held else "",
            ))
    if not Dispute.objects.exists():
        sarah = Agent.objects.select_related("user").get(external_id="AGT-1042")
        lowest = Evaluation.objects.filter(call__agent=sarah, status=Evaluation.Status.SUBMITTED).order_by("score", "pk").first()
        if lowest is not None and sarah.user is not None:
            performance.evaluation_dispute(
                evaluation=lowest, user=sarah.user, now=now,
                reason="The customer asked me to skip the script; listen from 0:40.",
            )
