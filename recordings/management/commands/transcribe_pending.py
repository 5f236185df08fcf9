"""Queue calls that still need a transcript: received ones, stale claims and lost tasks (optionally failed ones)."""

from django.core.management.base import BaseCommand

from recordings.transcription import calls_queue_untranscribed


class Command(BaseCommand):
    help = "Queue every call not transcribed yet, and recover calls whose worker died."

    def add_arguments(self, parser):
        parser.add_argument("--include-failed", action="store_true", help="Also retry calls that failed.")

    def handle(self, *args, include_failed: bool, **options):
        count = calls_queue_untranscribed(include_failed=include_failed)
        self.stdout.write(f"Queued {count} call(s) for transcription.")
