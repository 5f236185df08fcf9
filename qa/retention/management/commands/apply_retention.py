from django.core.management.base import BaseCommand

from qa.retention.services import retention_apply, retention_due


class Command(BaseCommand):
    help = "Delete recordings past their client's retention period (daily on the task schedule too)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would go; change nothing.")

    def handle(self, *args, dry_run: bool, **options):
        if dry_run:
            due = retention_due()
            for item in due:
                what = "recording, transcript, evaluations" if item.removes_transcript_and_evaluations else "recording"
                self.stdout.write(f"{item.client}/{item.external_id}  started {item.started_at:%Y-%m-%d}  would delete: {what}")
            self.stdout.write(f"{len(due)} call(s) would lose their recording. Nothing was changed.")
            return
        summary = retention_apply()
        self.stdout.write(
            f"Deleted {summary.calls} recording(s) ({summary.files_deleted} files), {summary.transcripts_deleted} "
            f"transcript(s), {summary.evaluations_deleted} evaluation(s)."
        )
        for name in summary.files_failed:
            self.stderr.write(f"  could not delete {name}")
