from django.core.management.base import BaseCommand
from django_q.models import Schedule

from qa.schedules import SAMPLER_SCHEDULE_NAME, ensure_schedules


class Command(BaseCommand):
    help = "Create the QA sampler's hourly django-q2 schedule if it is missing (safe to re-run)."

    def handle(self, *args, **options):
        created = ensure_schedules(Schedule)
        self.stdout.write(f"{SAMPLER_SCHEDULE_NAME}: {'created' if created else 'already there'}")
