from django.db import migrations

from qa.accounts.groups import groups_operation


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_login_state"),
        ("audit", "0001_audit_log"),
    ]

    operations = [groups_operation()]
