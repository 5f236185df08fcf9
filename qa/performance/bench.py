"""Data for `bench_dashboards`: clients, teams, agents, calls, scored evaluations and automatic checks, made fast.

Rows go in with PostgreSQL's COPY (bulk_create elsewhere). Evaluations are scored by the real scoring maths
(`qa.reviews.scoring`) on the shipped default rubric, so their section scores and answers agree. A share of the
calls is transcribed (a transcript row, no segments) and most of those carry an automatic evaluation with an
answer per keyed criterion of that rubric. Seeded.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone
from psycopg.types.json import Jsonb

from qa.accounts.roles import MANAGERS_GROUP
from qa.autoqa.models import AutoAnswer, AutoEvaluation, AutoItem
from qa.performance.models import TrainingRules
from qa.reviews import scoring
from qa.reviews.models import Answer, Evaluation, MonitoringPlan, SectionScore
from qa.reviews.selectors import version_criteria
from qa.reviews.services import rubric_install_default
from recordings.models import Agent, Call, Client, Team, Transcript

BATCH = 5000


@dataclass(frozen=True)
class BenchSize:
    calls: int = 200_000
    evaluations: int = 20_000
    agents: int = 300
    teams: int = 12
    clients: int = 6
    weeks: int = 26  # calls spread over this many weeks, ending now
    transcribed_share: float = 0.3  # of the calls; 95% of those are checked automatically


@dataclass(frozen=True)
class BenchData:
    manager: object
    agent_user: object
    agent: Agent
    team: Team


def copy_rows(model, fields: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert many rows: COPY on PostgreSQL, bulk_create elsewhere (a throwaway database: no signals, no save())."""
    if connection.vendor == "postgresql":
        columns = ", ".join(f'"{model._meta.get_field(f).column}"' for f in fields)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(tuple(Jsonb(v) if isinstance(v, list | dict) else v for v in row))
        return
    batch = []
    for row in rows:
        batch.append(model(**dict(zip(fields, row))))
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            batch = []
    model.objects.bulk_create(batch)


def _fk(name: str) -> str:
    return f"{name}_id"


def bench_data_make(size: BenchSize, *, now: datetime | None = None, seed: int = 8) -> BenchData:
    now = now or timezone.now()
    rng = random.Random(seed)
    clients = [Client.objects.create(name=f"Client {i}", slug=f"client-{i}") for i in range(size.clients)]
    teams = [Team.objects.create(name=f"Team {i:02d}") for i in range(size.teams)]
    Agent.objects.bulk_create(
        Agent(name=f"Agent {i:04d}", external_id=f"AGT-{i:04d}", team=teams[i % size.teams]) for i in range(size.agents)
    )
    agents = list(Agent.objects.order_by("pk").values_list("pk", flat=True))
    for team in teams:
        MonitoringPlan.objects.create(team=team, evaluations_per_agent=2, period=MonitoringPlan.Period.WEEK)
        TrainingRules.objects.create(team=team, auto_check_rule_on=True)  # the rules run judges automatic checks too
    transcribed = random.Random(seed + 1)  # its own stream: the other data stay as they were

    span = timedelta(weeks=size.weeks).total_seconds()
    created = now
    call_fields = [
        _fk("client"), _fk("agent"), "external_id", "direction", "started_at", "customer_ref", "queue", "wait_seconds",
        "talk_seconds", "hold_seconds", "after_call_work_seconds", "disposition", "resolved", "csat", "nps", "ces",
        "answered", "status", "failure_reason", "transcription_attempts", "created_at", "updated_at",
    ]

    def calls():
        for n in range(size.calls):
            agent_index = rng.randrange(len(agents))
            # Each agent works mostly for one client, sometimes for another.
            client = clients[agent_index % size.clients] if rng.random() < 0.8 else rng.choice(clients)
            surveyed = rng.random() < 0.4
            yield (
                client.pk, agents[agent_index], f"B{n:07d}", "inbound", now - timedelta(seconds=rng.uniform(60, span)),
                f"C{rng.randrange(size.calls // 4):07d}" if rng.random() < 0.95 else "", "support", rng.randint(1, 120),
                max(30, int(rng.gauss(330, 90))) if rng.random() < 0.97 else None, rng.choice((0, 0, 0, 30, 60)),
                rng.randint(5, 90), "", (rng.random() < 0.78) if rng.random() < 0.5 else None,
                rng.randint(1, 5) if surveyed else None, rng.randint(0, 10) if surveyed and rng.random() < 0.7 else None,
                rng.randint(1, 7) if surveyed and rng.random() < 0.6 else None, True,
                Call.Status.TRANSCRIBED if transcribed.random() < size.transcribed_share else Call.Status.NO_RECORDING, "", 0,
                created, created,
            )

    copy_rows(Call, call_fields, calls())
    _evaluations(size, rng, now)
    _auto_evaluations(random.Random(seed + 2), now)
    User = get_user_model()
    manager = User.objects.create_user("bench-manager", password="unused-bench-pass", is_staff=True)
    manager.groups.add(Group.objects.get_or_create(name=MANAGERS_GROUP)[0])
    agent_user = User.objects.create_user("bench-agent", password="unused-bench-pass")
    agent = Agent.objects.get(pk=agents[0])
    agent.user = agent_user
    agent.save(update_fields=["user"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return BenchData(manager=manager, agent_user=agent_user, agent=agent, team=agent.team)


def _evaluations(size: BenchSize, rng: random.Random, now: datetime) -> None:
    rubric = rubric_install_default()
    version = rubric.versions.get(status="published")
    criteria = version_criteria(version=version)
    sections = {}
    for c in criteria:
        sections.setdefault(c.section, []).append(c)
    specs = [scoring.SectionSpec(key=s.pk, weight=s.weight, criteria=tuple(c.spec() for c in cs)) for s, cs in sections.items()]
    reviewer = get_user_model().objects.create_user("bench-reviewer", password="unused-bench-pass", is_staff=True)
    call_ids = rng.sample(list(Call.objects.values_list("pk", flat=True)), size.evaluations)

    scored = []
    for call_id in call_ids:
        values = {}
        for c in criteria:
            allowed = scoring.allowed_values(c.spec())
            best = allowed[-1] if c.answer_type in (scoring.SCALE_1_5, scoring.POINTS) else "yes"
            values[c.pk] = best if rng.random() < (0.985 if c.is_critical else 0.8) else rng.choice(allowed)
        result = scoring.score(specs, values)
        if result.percent is not None:
            scored.append((call_id, values, result))
    evaluation_fields = [_fk("call"), _fk("version"), _fk("reviewer"), "status", "score", "critical_failed", "comment",
                         "created_at", "updated_at", "submitted_at"]
    copy_rows(Evaluation, evaluation_fields, (
        (call_id, version.pk, reviewer.pk, Evaluation.Status.SUBMITTED, result.percent, result.critical_failed,
         "Benchmark evaluation.", now, now, now)
        for call_id, _, result in scored
    ))
    ids = dict(Evaluation.objects.values_list("call_id", "pk"))
    copy_rows(Answer, [_fk("evaluation"), _fk("criterion"), "value", "comment"], (
        (ids[call_id], pk, value, "") for call_id, values, _ in scored for pk, value in values.items()
    ))
    titles = {s.pk: s for s in sections}
    copy_rows(SectionScore, [_fk("evaluation"), _fk("section"), "title", "position", "score"], (
        (ids[call_id], pk, titles[pk].title, titles[pk].position, percent)
        for call_id, _, result in scored for pk, percent in result.section_percents.items()
    ))


def _auto_evaluations(rng: random.Random, now: datetime) -> None:
    """A transcript row for each transcribed call and, for 95% of them, an automatic answer per keyed criterion of
    the default rubric: 10% unknown, the rest failed at each agent's own rate (2% to 40%)."""
    version = rubric_install_default().versions.get(status="published")
    keyed = [c for c in version_criteria(version=version) if c.key]
    calls = list(Call.objects.filter(status=Call.Status.TRANSCRIBED).order_by("pk").values_list("pk", "agent_id"))
    copy_rows(Transcript, [_fk("call"), "language", "engine", "model_name", "processing_seconds", "audio_seconds", "text",
                           "redacted_text", "masked_spans", "redaction_region", "created_at"], (
        (call_id, "en", "bench", "bench", 1.0, 300.0, "", "", [], "", now) for call_id, _ in calls
    ))
    transcripts = dict(Transcript.objects.values_list("call_id", "pk"))
    checked = [(call_id, agent_id) for call_id, agent_id in calls if rng.random() < 0.95]
    copy_rows(AutoEvaluation, [_fk("call"), _fk("transcript"), _fk("rubric_version"), "semantic_model", "notes", "seconds",
                               "computed_at"], (
        (call_id, transcripts[call_id], version.pk, "", [], 0.05, now) for call_id, _ in checked
    ))
    evaluations = dict(AutoEvaluation.objects.values_list("call_id", "pk"))
    fail_rate: dict[int, float] = {}

    def items():
        for call_id, agent_id in checked:
            rate = fail_rate.setdefault(agent_id, rng.uniform(0.02, 0.4))
            for position, criterion in enumerate(keyed):
                draw = rng.random()
                answer = AutoAnswer.UNKNOWN if draw < 0.1 else AutoAnswer.FAIL if draw < 0.1 + 0.9 * rate else AutoAnswer.PASS
                yield (evaluations[call_id], criterion.pk, criterion.key, answer, 0.0 if answer == AutoAnswer.UNKNOWN else 0.9,
                       None, [], "", "bench", True, position)

    copy_rows(AutoItem, [_fk("evaluation"), _fk("criterion"), "criterion_key", "answer", "confidence", "evidence",
                         "more_evidence", "detail", "method", "applicable", "position"], items())
