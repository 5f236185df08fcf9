from django.db import migrations

from qa.accounts.groups import groups_operation


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("recordings", "0003_transcription_recovery_schedule"),
    ]

    operations = [groups_operation()]
