from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils import timezone

from qa.audit.models import AuditEntry
from qa.lib.admin import SafeDateHierarchy
from qa.lib.csvexport import csv_response

EXPORT_COLUMNS = ["at", "actor_name", "action", "object_type", "object_id", "address", "detail"]


@admin.register(AuditEntry)
class AuditEntryAdmin(SafeDateHierarchy, admin.ModelAdmin):
    """Managers browse, filter and export the log; no one adds, changes or deletes entries here."""

    list_display = ["at", "actor_name", "action", "object_type", "object_id", "address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_id", "address"]
    date_hierarchy = "at"
    readonly_fields = ["at", "actor", "actor_name", "action", "object_type", "object_id", "address", "detail"]
    change_list_template = "admin/audit/auditentry/change_list.html"

    # The QA managers group holds this permission (qa.accounts.groups).
    def has_module_permission(self, request):
        return request.user.has_perm("audit.view_auditentry")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("audit.view_auditentry")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [path("export.csv", self.admin_site.admin_view(self.export_view), name="audit_auditentry_export"), *super().get_urls()]

    def export_view(self, request):
        """The entries the list shows (same filters and search), as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        entries = changelist.get_queryset(request).order_by("at", "id")
        rows = ([getattr(e, c) for c in EXPORT_COLUMNS] for e in entries.iterator(chunk_size=2000))
        return csv_response(f"audit-log-{timezone.localdate():%Y-%m-%d}.csv", EXPORT_COLUMNS, rows)
