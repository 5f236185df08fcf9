"""Demo data for `make run`: a client, a team, agents, logins for every role, and the sample calls.

Safe to run again: existing rows are kept and sample calls come back as duplicates.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from qa import services as qa_services
from qa.access import MANAGERS_GROUP, REVIEWERS_GROUP
from qa.models import MonitoringPlan
from recordings import services
from recordings.models import Agent, Client, Team

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"
DEMO_PASSWORD = "demo-pass-1"
# username: (role, staff?, groups)
DEMO_USERS = {
    "admin": ("administrator", True, []),
    "manager": ("QA manager", True, [MANAGERS_GROUP]),
    "reviewer": ("QA reviewer", True, [REVIEWERS_GROUP]),
    "client": ("client staff of Acme Telecom", False, []),
    "sarah": ("agent Sarah (AGT-1042)", False, []),
}
# Permissions QA staff need in the admin; finer rules live in qa.access.
STAFF_PERMISSIONS = ["view_call", "add_call", "change_call", "view_agent", "view_client", "view_team", "view_recording"]


class Command(BaseCommand):
    help = "Load demo data: a client, team, agents, demo logins and the sample calls."

    def handle(self, *args, **options):
        client = self._roster()
        self._users(client)
        imported = self._sample_calls(client)
        self._qa_setup(client)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {imported} sample call(s) newly imported."))
        self.stdout.write("Demo logins (password for all: %s):" % DEMO_PASSWORD)
        for username, (role, _, _) in DEMO_USERS.items():
            self.stdout.write(f"  {username:<9} {role}")

    @transaction.atomic
    def _roster(self) -> Client:
        client, _ = services.client_upsert(slug="acme-telecom", name="Acme Telecom")
        Team.objects.get_or_create(name="Tier 1 support")
        for meta in _sample_metadata():
            services.agent_upsert(
                external_id=meta["agent_external_id"], name=meta["agent_name"], team_name="Tier 1 support"
            )
        return client

    @transaction.atomic
    def _users(self, client: Client) -> dict:
        User = get_user_model()
        users = {}
        for username, (_, is_staff, groups) in DEMO_USERS.items():
            user, created = User.objects.get_or_create(username=username, defaults={"is_staff": is_staff})
            if created:
                user.set_password(DEMO_PASSWORD)
            user.is_superuser = username == "admin"
            user.is_staff = is_staff
            user.save()
            for name in groups:
                group, _ = Group.objects.get_or_create(name=name)
                group.permissions.add(*Permission.objects.filter(codename__in=STAFF_PERMISSIONS))
                user.groups.add(group)
            users[username] = user
        client.users.add(users["client"])
        Agent.objects.filter(external_id="AGT-1042").update(user=users["sarah"])
        return users

    def _sample_calls(self, client: Client) -> int:
        imported = 0
        today = timezone.localdate()
        for days_ago, meta in enumerate(_sample_metadata(), start=1):
            original = datetime.fromisoformat(meta["started_at"])
            # Recent dates, so this week's monitoring plans and dashboards have something to show.
            started_at = timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), original.time().replace(tzinfo=None)))
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

    def _qa_setup(self, client: Client) -> None:
        """The default rubric, the sampler's schedule, and a plan of two reviews per agent a week."""
        qa_services.rubric_install_default()
        qa_services.schedules_ensure()
        MonitoringPlan.objects.get_or_create(
            client=client, is_active=True, defaults={"evaluations_per_agent": 2, "period": MonitoringPlan.Period.WEEK}
        )


def _sample_metadata() -> list[dict]:
    metas = []
    for path in sorted(SAMPLES_DIR.glob("*.json")):
        data = json.loads(path.read_text())
        metas.append({**data["metadata"], "file": data["file"], "duration_seconds": data["duration_seconds"]})
    return metas
