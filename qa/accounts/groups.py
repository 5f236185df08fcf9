"""The staff groups and the model permissions they carry in the admin.

Finer rules (who may amend, who sees which call) live in the access modules; these
permissions only open the admin pages QA staff work in. Made by this app's data migration.
"""

from __future__ import annotations

from django.db import migrations

from qa.accounts.roles import MANAGERS_GROUP, REVIEWERS_GROUP

# "app_label.codename"
QA_STAFF_PERMISSIONS = [
    "recordings.view_call",
    "recordings.add_call",
    "recordings.change_call",
    "recordings.view_recording",
    "recordings.view_transcript",
    "recordings.view_segment",
    "recordings.view_callanalytics",
    "recordings.view_client",
    "recordings.view_agent",
    "recordings.view_team",
]

# Originals of redacted transcripts and recordings (card numbers, e-mails, phone numbers, ids):
# managers only by default; everyone else reads and hears the redacted copies (recordings.access).
UNREDACTED_PERMISSIONS = ["recordings.view_unredacted_transcript"]

GROUP_PERMISSIONS: dict[str, list[str]] = {
    REVIEWERS_GROUP: QA_STAFF_PERMISSIONS,
    MANAGERS_GROUP: [*QA_STAFF_PERMISSIONS, "audit.view_auditentry", *UNREDACTED_PERMISSIONS],
}


def groups_ensure(group_model, permission_model, group_permissions: dict[str, list[str]] = GROUP_PERMISSIONS) -> None:
    """Create each group and add its permissions; permissions granted by hand since are kept."""
    for name, wanted in group_permissions.items():
        group, _ = group_model.objects.get_or_create(name=name)
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            permission = permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            group.permissions.add(permission)


def groups_operation() -> migrations.RunPython:
    """The data-migration step that (re)makes the groups with their permissions.

    Permissions are normally made after all migrations; they are made here first, so the groups
    can hold permissions of models migrated in the same run. Apps that add a permission for a
    group add a migration with this step, depending on the migration that made the model.
    """

    def make(apps, schema_editor):
        from django.contrib.auth.management import create_permissions

        for app_config in apps.get_app_configs():
            app_config.models_module = True
            create_permissions(app_config, verbosity=0)
            app_config.models_module = None
        groups_ensure(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))

    return migrations.RunPython(make, migrations.RunPython.noop)
