"""The staff groups and the model permissions they carry in the admin.

Finer rules (who may amend, who sees which call) live in the access modules; these
permissions only open the admin pages QA staff work in. Made by this app's data migration.
"""

from __future__ import annotations

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
    MANAGERS_GROUP: QA_STAFF_PERMISSIONS + UNREDACTED_PERMISSIONS,
}


def groups_ensure(group_model, permission_model, group_permissions: dict[str, list[str]] = GROUP_PERMISSIONS) -> None:
    """Create each group and add its permissions; permissions granted by hand since are kept."""
    for name, wanted in group_permissions.items():
        group, _ = group_model.objects.get_or_create(name=name)
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            permission = permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            group.permissions.add(permission)


def permissions_make_now(apps) -> None:
    """In a data migration: make the model permissions now (Django makes them only after all migrations)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
