from django.core.management.base import BaseCommand

from qa.demo.loader import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load demo data: a client, teams, agents, demo logins, the sample calls and weeks of performance data (safe to run again)."

    def handle(self, *args, **options):
        summary = demo_load()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary.calls_imported} sample call(s) newly imported."))
        if summary.portal:
            self.stdout.write(
                f"Client portal: {summary.portal.records_created} call record(s) without audio added, "
                f"{summary.portal.calls_evaluated} sample call(s) evaluated."
            )
        if summary.performance:
            perf = summary.performance
            self.stdout.write(
                f"Agent performance: {perf.calls_created} demo call(s) and {perf.evaluations_submitted} evaluation(s) added, "
                f"{perf.flags} training flag(s)."
            )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for user in summary.users:
            self.stdout.write(f"  {user.username:<9} {user.role}")
