"""Auto-QA results in the admin, read-only: each call's automatic evaluation, and the recompute jobs.

The managers' page of checks (agreement, switch, recompute) is in qa.reviews (auto_views), which owns rubrics.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from qa.accounts.roles import is_manager, is_reviewer
from qa.autoqa.models import AutoEvaluation, AutoItem, RecomputeJob


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AutoItemInline(ReadOnly, admin.TabularInline):
    model = AutoItem
    fields = ["criterion_key", "answer", "confidence", "quote", "detail", "method"]
    readonly_fields = fields
    extra = 0

    def has_view_permission(self, request, obj=None):
        return is_reviewer(request.user)

    @admin.display(description="Evidence")
    def quote(self, item):
        if not item.evidence:
            return "–"
        e = item.evidence
        return format_html("“{}” <small>({}, {}–{} s)</small>", e["text"], e["speaker"] or "silence", e["start"], e["end"])


@admin.register(AutoEvaluation)
class AutoEvaluationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["call", "summary", "semantic_model", "computed_at"]
    list_select_related = ["call__client"]
    search_fields = ["call__external_id"]
    fields = ["call", "rubric_version", "transcript", "semantic_model", "notes", "seconds", "computed_at"]
    readonly_fields = fields
    inlines = [AutoItemInline]

    def has_module_permission(self, request):
        return is_reviewer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_reviewer(request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("items")

    @admin.display(description="Pass / fail / unknown")
    def summary(self, evaluation):
        answers = [item.answer for item in evaluation.items.all()]
        return f"{answers.count('pass')} / {answers.count('fail')} / {answers.count('unknown')}"


@admin.register(RecomputeJob)
class RecomputeJobAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "status", "progress", "stored", "failed", "requested_by", "created_at", "finished_at"]
    list_select_related = ["client", "requested_by"]

    def has_module_permission(self, request):
        return is_manager(request.user)

    def has_view_permission(self, request, obj=None):
        return is_manager(request.user)

    @admin.display(description="Progress")
    def progress(self, job):
        return format_html('<progress max="{}" value="{}"></progress> {} / {} ({}%)', job.total or 1, job.processed,
                           job.processed, job.total, job.percent)
