"""The admin with the product's name, and a landing page that starts the day's work.

Reviewers land on their due reviews; managers on a summary of what needs them.
"""

from __future__ import annotations

from django.contrib import admin

from qa.accounts.forms import AdminLoginForm
from qa.accounts.roles import is_manager, is_reviewer
from qa.performance.selectors import performance_summary
from qa.reviews.selectors import manager_summary, queue_for_reviewer

PRODUCT_NAME = "Call-centre QA"
DUE_REVIEWS_SHOWN = 10


class CallQaAdminSite(admin.AdminSite):
    site_header = PRODUCT_NAME
    site_title = PRODUCT_NAME
    index_title = "Today"
    # The list pages need the width (the call list's CSAT and QA columns must fit 1400 px beside
    # the filters); the landing page and breadcrumbs lead everywhere the sidebar did.
    enable_nav_sidebar = False
    login_form = AdminLoginForm  # logins and failed logins go to the audit log

    def index(self, request, extra_context=None):
        user = request.user
        context = {}
        if is_reviewer(user):
            due = queue_for_reviewer(reviewer=user).pending().order_by("due_at", "pk")
            context["due_reviews"] = list(due[:DUE_REVIEWS_SHOWN])
            context["due_reviews_total"] = due.count()
        if is_manager(user):
            context["manager_summary"] = manager_summary()
            context["performance_summary"] = performance_summary()
        return super().index(request, {**context, **(extra_context or {})})
