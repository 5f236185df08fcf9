"""Demo data for `make run`: a client, a team, agents, logins for every role, and the sample calls.

Safe to run again: existing rows are kept and sample calls come back as duplicates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

import recordings
from qa.accounts.roles import MANAGERS_GROUP, REVIEWERS_GROUP
from qa.demo.performance import PerformanceDemo, demo_performance, demo_performance_roster
from qa.demo.portal_data import PortalDemo, portal_demo_load
from qa.reviews.auto_services import call_auto_evaluate
from qa.reviews.models import MonitoringPlan
from qa.reviews.services import rubric_install_default
from recordings import services
from recordings.models import Agent, Call, Client, Team

SAMPLES_DIR = Path(recordings.__file__).resolve().parent / "samples"
DEMO_PASSWORD = "demo-pass-1"
TEAM_NAME = "Tier 1 support"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    is_staff: bool = False
    groups: tuple[str, ...] = ()


DEMO_USERS = [
    DemoUser("admin", "administrator", is_staff=True),
    DemoUser("manager", "QA manager", is_staff=True, groups=(MANAGERS_GROUP,)),
    DemoUser("reviewer", "QA reviewer", is_staff=True, groups=(REVIEWERS_GROUP,)),
    DemoUser("client", "client staff of Acme Telecom"),
    DemoUser("sarah", "agent Sarah (AGT-1042)"),
]


@dataclass(frozen=True)
class DemoSummary:
    calls_imported: int
    users: list[DemoUser]
    portal: PortalDemo | None = None
    performance: PerformanceDemo | None = None


def demo_load() -> DemoSummary:
    client = _roster()
    demo_performance_roster()
    _users(client)
    imported = _sample_calls(client)
    _qa_setup(client)
    _auto_qa()
    portal = portal_demo_load(client, samples=sample_metadata())
    performance = demo_performance(client)
    return DemoSummary(calls_imported=imported, users=DEMO_USERS, portal=portal, performance=performance)


@transaction.atomic
def _roster() -> Client:
    client, _ = services.client_upsert(slug="acme-telecom", name="Acme Telecom")
    Team.objects.get_or_create(name=TEAM_NAME)
    for meta in sample_metadata():
        services.agent_upsert(external_id=meta["agent_external_id"], name=meta["agent_name"], team_name=TEAM_NAME)
    return client


@transaction.atomic
def _users(client: Client) -> None:
    User = get_user_model()
    users = {}
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(username=demo.username, defaults={"is_staff": demo.is_staff})
        if created:
            user.set_password(DEMO_PASSWORD)
        user.is_superuser = demo.username == "admin"
        user.is_staff = demo.is_staff
        user.save()
        # The groups and their permissions come from qa.accounts' migration.
        user.groups.add(*Group.objects.filter(name__in=demo.groups))
        users[demo.username] = user
    client.users.add(users["client"])
    Agent.objects.filter(external_id="AGT-1042").update(user=users["sarah"])


def _sample_calls(client: Client) -> int:
    imported = 0
    today = timezone.localdate()
    for days_ago, meta in enumerate(sample_metadata(), start=1):
        original = datetime.fromisoformat(meta["started_at"])
        # Recent dates, so this week's monitoring plans and dashboards have something to show.
        started_at = timezone.make_aware(
            datetime.combine(today - timedelta(days=days_ago), original.time().replace(tzinfo=None))
        )
        result = services.call_ingest(
            client=client,
            agent=Agent.objects.get(external_id=meta["agent_external_id"]),
            external_id=meta["external_id"],
            started_at=started_at,
            audio=SAMPLES_DIR / meta["file"],
            original_filename=meta["file"],
            direction=meta["direction"],
            customer_ref=meta["customer_ref"],
            queue=meta["queue"],
            wait_seconds=meta["wait_seconds"],
            talk_seconds=round(meta["duration_seconds"]) - meta["hold_seconds"],
            hold_seconds=meta["hold_seconds"],
            after_call_work_seconds=meta["after_call_work_seconds"],
            disposition=meta["disposition"],
            resolved=meta["resolved"],
            csat=meta["csat"],
            nps=meta["nps"],
        )
        imported += int(result.created)
    return imported


def _qa_setup(client: Client) -> None:
    """The default rubric and a plan of two reviews per agent a week (the sampler's schedule comes from migrate)."""
    rubric_install_default()
    MonitoringPlan.objects.get_or_create(
        client=client, is_active=True, defaults={"evaluations_per_agent": 2, "period": MonitoringPlan.Period.WEEK}
    )


def _auto_qa() -> None:
    """Automatic evaluations of the calls already transcribed (a re-run); the worker checks the others as it
    transcribes them (settings.AFTER_TRANSCRIPT_TASKS)."""
    for call_id in Call.objects.filter(status=Call.Status.TRANSCRIBED, auto_evaluation__isnull=True).values_list("pk", flat=True):
        call_auto_evaluate(call_id=call_id)


def sample_metadata() -> list[dict]:
    metas = []
    for path in sorted(SAMPLES_DIR.glob("*.json")):
        data = json.loads(path.read_text())
        metas.append({**data["metadata"], "file": data["file"], "duration_seconds": data["duration_seconds"]})
    return metas
