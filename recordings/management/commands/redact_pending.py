"""Redact what is not redacted yet: transcripts stored before redaction existed, and redacted audio copies
still missing (queued tasks lost, workers that died mid-copy; optionally failed ones)."""

from django.core.management.base import BaseCommand

from recordings.redaction_store import redactions_catch_up


class Command(BaseCommand):
    help = "Redact transcripts not redacted yet and queue every missing redacted copy of a recording."

    def add_arguments(self, parser):
        parser.add_argument("--include-failed", action="store_true", help="Also retry copies that failed.")

    def handle(self, *args, include_failed: bool, **options):
        done = redactions_catch_up(include_failed=include_failed)
        self.stdout.write(
            f"Redacted {done.transcripts_redacted} transcript(s); queued {done.recordings_queued} more recording(s) "
            "for their redacted copy."
        )
