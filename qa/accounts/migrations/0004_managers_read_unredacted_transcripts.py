from django.db import migrations

from qa.accounts.groups import groups_operation


class Migration(migrations.Migration):
    """QA managers read transcripts and hear recordings unredacted (recordings.view_unredacted_transcript)."""

    dependencies = [
        ("accounts", "0003_managers_read_the_audit_log"),
        ("recordings", "0007_redaction_stored_and_redacted_audio"),
    ]

    operations = [groups_operation()]
