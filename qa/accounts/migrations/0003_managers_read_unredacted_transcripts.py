from django.db import migrations

from qa.accounts.groups import GROUP_PERMISSIONS, groups_ensure, permissions_make_now
from qa.accounts.roles import MANAGERS_GROUP


def grant(apps, schema_editor):
    # The permission is new in recordings' migration: make it now so the group can hold it.
    permissions_make_now(apps)
    groups_ensure(
        apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"),
        {MANAGERS_GROUP: GROUP_PERMISSIONS[MANAGERS_GROUP]},
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="recordings", codename="view_unredacted_transcript"
    ).first()
    group = Group.objects.filter(name=MANAGERS_GROUP).first()
    if permission and group:
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_login_state"),
        ("recordings", "0005_redaction_stored_and_redacted_audio"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
