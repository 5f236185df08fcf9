"""Admin helpers shared by the apps."""

from __future__ import annotations

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class SafeDateHierarchyChangeList(ChangeList):
    """A date drill-down past the calendar (year 9999's next year, year 0) is a bad lookup, not a 500."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class SafeDateHierarchy:
    """Mixin for ModelAdmins with a date_hierarchy: the admin answers a bad drill-down by resetting it."""

    def get_changelist(self, request, **kwargs):
        return SafeDateHierarchyChangeList
