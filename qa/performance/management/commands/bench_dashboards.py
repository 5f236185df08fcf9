"""Time the team dashboard, an agent's scorecard page and the scorecard API on a large generated data set.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/callqa_bench_perf python manage.py bench_dashboards

It builds a throwaway test database (test_<name>) beside the configured one, fills it (200,000 calls, 20,000
evaluations, 300 agents, 12 teams, 6 clients by default; 30% of the calls transcribed, 95% of those checked
automatically), then requests each page through Django's test client
as a person would (middleware, templates, JSON) and prints the median and p95 wall time and the queries per
request. The figures are for the last full calendar month; the test client keeps the database connection
open between requests, as a server with DB_CONN_MAX_AGE > 0 (or a connection pooler) does.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from qa.autoqa.models import AutoEvaluation
from qa.lib.periods import MONTH, period_containing
from qa.performance.bench import BenchSize, bench_data_make
from qa.performance.services import training_rules_run
from recordings.models import Call

TARGET_MEDIAN_MS = 150
TARGETS = ("team dashboard (month)", "agent scorecard page", "scorecard API")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class Command(BaseCommand):
    help = "Time the team dashboard, an agent's scorecard and the scorecard API on generated data (PostgreSQL)."

    def add_arguments(self, parser):
        defaults = BenchSize()
        for name in ("calls", "evaluations", "agents", "teams", "clients", "weeks"):
            parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
        parser.add_argument("--transcribed-share", type=float, default=defaults.transcribed_share,
                            help="Share of the calls transcribed (0-1); 95%% of those are checked automatically.")
        parser.add_argument("--repeat", type=int, default=30, help="Timed requests per page (after two warm-ups).")
        parser.add_argument("--rules", action="store_true", help="Also time one run of the training-need rules over all agents.")
        parser.add_argument("--allow-sqlite", action="store_true", help="Run on SQLite (for a quick check; figures mean little).")
        parser.add_argument("--in-place", action="store_true", help="Fill the configured database itself (a test database).")

    def handle(self, *args, repeat: int, rules: bool, allow_sqlite: bool, in_place: bool, **options):
        if connection.vendor != "postgresql" and not allow_sqlite:
            raise CommandError("bench_dashboards measures PostgreSQL: set DATABASE_URL=postgres://… (or pass --allow-sqlite).")
        if not 0 <= options["transcribed_share"] <= 1:
            raise CommandError(f"--transcribed-share is a share from 0 to 1, got {options['transcribed_share']}.")
        size = BenchSize(
            **{name: options[name] for name in ("calls", "evaluations", "agents", "teams", "clients", "weeks")},
            transcribed_share=options["transcribed_share"],
        )
        old_name = None if in_place else connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False, QA_EVALUATION_TASKS=[]):
                self._run(size, max(1, repeat), rules)
        finally:
            if old_name is not None:
                connection.creation.destroy_test_db(old_name, verbosity=0)

    def _run(self, size: BenchSize, repeat: int, rules: bool) -> None:
        started = time.perf_counter()
        data = bench_data_make(size)
        self.stdout.write(
            f"Generated {size.calls:,} calls, {size.evaluations:,} evaluations, {size.agents} agents, {size.teams} teams, "
            f"{size.clients} clients over {size.weeks} weeks in {time.perf_counter() - started:.1f} s ({connection.vendor}); "
            f"{Call.objects.filter(status=Call.Status.TRANSCRIBED).count():,} calls transcribed, "
            f"{AutoEvaluation.objects.count():,} checked automatically."
        )
        month = period_containing(MONTH, period_containing(MONTH, timezone.localdate()).first - timedelta(days=1))
        period = {"from": month.first.isoformat(), "to": month.last.isoformat()}
        manager, agent = HttpClient(), HttpClient()
        manager.force_login(data.manager)
        agent.force_login(data.agent_user)
        pages = [
            ("team dashboard (month)", manager, reverse("performance:dashboard"), {"team": data.team.pk, **period}),
            ("agent scorecard page", agent, reverse("performance:my-scorecard"), period),
            ("scorecard API", agent, reverse("api:agent-scorecard", args=[data.agent.pk]), period),
            ("team trend, 12 weeks (the dashboard fetches it)", manager, reverse("performance:team-trend", args=[data.team.pk]),
             {"to": period["to"]}),
            ("all-teams dashboard (month, not a target)", manager, reverse("performance:dashboard"), {"team": "", **period}),
        ]
        self.stdout.write(f"Period {month.first} to {month.last}; {repeat} timed requests each.\n")
        self.stdout.write(f"{'page':<50}{'median ms':>10}{'p95 ms':>10}{'queries':>9}")
        for label, client, url, query in pages:
            for _ in range(2):  # warm-up: connections, caches, the planner
                assert client.get(url, query).status_code == 200, f"{label}: {url} failed"
            connection.queries_log.clear()  # a full log (migrations) would hide new queries
            with CaptureQueriesContext(connection) as queries:
                client.get(url, query)
            query_count = len(queries.captured_queries)  # now: the next request clears the log
            timings = []
            for _ in range(repeat):
                start = time.perf_counter()
                response = client.get(url, query)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            median = statistics.median(timings)
            flag = "" if median < TARGET_MEDIAN_MS or label not in TARGETS else "  (over target)"
            self.stdout.write(
                f"{label:<50}{median:>10.1f}{percentile(timings, 0.95):>10.1f}{query_count:>9}{flag}"
            )
        if rules:
            start = time.perf_counter()
            run = training_rules_run()
            self.stdout.write(
                f"\ntraining-need rules over {run.agents} agents: {time.perf_counter() - start:.1f} s "
                f"(opened {run.opened} flags)"
            )
