"""Auto-QA in the QA admin: "Automatic checks" leads managers to their page (qa.reviews.auto_views)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse

from qa.autoqa.admin import ReadOnly
from qa.reviews import access
from qa.reviews.models import AutoCheck


@admin.register(AutoCheck)
class AutoCheckAdmin(ReadOnly, admin.ModelAdmin):
    """The checks, their agreement with reviewers and their switch are one page, not a model list."""

    def has_module_permission(self, request):
        return access.can_manage_qa(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_manage_qa(request.user)

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("reviews:auto-checks"))
