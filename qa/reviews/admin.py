"""QA in the admin: rubrics, plans, "My queue", evaluations and calibration sessions.

Registrations, filters and actions only: who may do what is decided in `qa.reviews.access`,
the workspace and calibration results are views of their own (`qa.reviews.views`).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from qa.accounts.roles import reviewers
from qa.reviews import access, auto_admin, sampling, selectors, services  # noqa: F401 - auto_admin registers itself
from qa.reviews.forms import CalibrationSessionForm, CriterionFormSet, ReviewAssignmentForm
from qa.reviews.models import (
    CalibrationSession,
    Criterion,
    Evaluation,
    EvaluationAmendment,
    MonitoringPlan,
    QueueItem,
    ReviewAssignment,
    Rubric,
    RubricAssignment,
    RubricVersion,
    Section,
)
from qa.reviews.views import workspace_url
from recordings.admin import CallAdmin
from recordings.models import Call


class ManagersOnly:
    """QA configuration: managers edit it, reviewers may look."""

    def has_module_permission(self, request):
        return access.can_review(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_review(request.user)

    def has_add_permission(self, request, *args):
        return access.can_manage_qa(request.user)

    def has_change_permission(self, request, obj=None):
        return access.can_manage_qa(request.user)

    def has_delete_permission(self, request, obj=None):
        return access.can_manage_qa(request.user)


def _version_of(obj) -> RubricVersion | None:
    """The rubric version a row belongs to (a version, or a section of one); None for anything else."""
    return obj if isinstance(obj, RubricVersion) else getattr(obj, "version", None)


class InlineAccess:
    """Inlines ask `qa.reviews.access` too; `obj` is the parent row (a rubric, version or section)."""

    def _parent_locked(self, obj) -> bool:
        version = _version_of(obj)
        return version is not None and version.is_locked

    def has_view_permission(self, request, obj=None):
        return access.can_review(request.user)

    def has_add_permission(self, request, obj=None):
        return access.can_manage_qa(request.user) and not self._parent_locked(obj)

    def has_change_permission(self, request, obj=None):
        return access.can_manage_qa(request.user) and not self._parent_locked(obj)

    def has_delete_permission(self, request, obj=None):
        return access.can_manage_qa(request.user) and not self._parent_locked(obj)


# --- Rubrics -----------------------------------------------------------------------


class RubricVersionInline(admin.TabularInline):
    model = RubricVersion
    fields = ["number", "status", "published_at", "notes"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True


class RubricAssignmentInline(InlineAccess, admin.TabularInline):
    model = RubricAssignment
    extra = 0
    verbose_name = "client using this rubric"
    verbose_name_plural = "clients using this rubric"


@admin.register(Rubric)
class RubricAdmin(ManagersOnly, admin.ModelAdmin):
    list_display = ["name", "is_default", "current_version"]
    inlines = [RubricAssignmentInline, RubricVersionInline]

    @admin.display(description="Published version")
    def current_version(self, rubric):
        version = rubric.versions.filter(status=RubricVersion.Status.PUBLISHED).first()
        return f"v{version.number}" if version else "none yet"

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = services.rubric_create(name=obj.name, description=obj.description, is_default=obj.is_default)
        obj.pk = created.pk
        obj._state.adding = False


class SectionInline(InlineAccess, admin.TabularInline):
    model = Section
    fields = ["position", "title", "weight"]
    extra = 0
    show_change_link = True


class CriterionInline(InlineAccess, admin.StackedInline):
    model = Criterion
    fields = [("position", "answer_type", "weight", "max_points", "is_critical"), "question", "guidance",
              ("key", "auto_check_enabled"), "auto_check"]
    formset = CriterionFormSet
    extra = 0


class LockedWhenInUse:
    """A version that has been scored against is read-only: editing makes a new version."""

    def has_change_permission(self, request, obj=None):
        version = _version_of(obj)
        if version is not None and version.is_locked:
            return False
        return access.can_manage_qa(request.user)

    has_delete_permission = has_change_permission


@admin.register(RubricVersion)
class RubricVersionAdmin(LockedWhenInUse, ManagersOnly, admin.ModelAdmin):
    list_display = ["rubric", "number", "status", "published_at"]
    list_filter = ["rubric", "status"]
    fields = ["rubric", "number", "status", "published_at", "notes"]
    readonly_fields = ["rubric", "number", "status", "published_at"]
    inlines = [SectionInline]
    change_form_template = "admin/reviews/rubricversion/change_form.html"

    def has_add_permission(self, request, *args):
        return False  # new versions come from "Edit as a new version" or a new rubric

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/start-edit/", wrap(self.start_edit_view), name="reviews_rubricversion_start_edit"),
            path("<int:pk>/publish/", wrap(self.publish_view), name="reviews_rubricversion_publish"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "version": version, "in_use": bool(version and version.is_in_use)}
        return super().change_view(request, object_id, form_url, extra_context)

    def start_edit_view(self, request, pk):
        if request.method != "POST" or not access.can_manage_qa(request.user):
            raise PermissionDenied
        version = get_object_or_404(RubricVersion, pk=pk)
        editable = services.rubric_version_start_edit(version=version)
        if editable.pk != version.pk:
            messages.info(request, f"Version {version.number} is in use, so you are editing a new draft, version {editable.number}.")
        return HttpResponseRedirect(reverse("admin:reviews_rubricversion_change", args=[editable.pk]))

    def publish_view(self, request, pk):
        if request.method != "POST" or not access.can_manage_qa(request.user):
            raise PermissionDenied
        version = get_object_or_404(RubricVersion, pk=pk)
        try:
            services.rubric_version_publish(version=version)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Version {version.number} is now used for new evaluations.")
        return HttpResponseRedirect(reverse("admin:reviews_rubricversion_change", args=[pk]))


@admin.register(Section)
class SectionAdmin(LockedWhenInUse, ManagersOnly, admin.ModelAdmin):
    list_display = ["title", "version", "weight", "position"]
    inlines = [CriterionInline]

    def has_module_permission(self, request):
        return False  # reached from its rubric version

    def has_add_permission(self, request, *args):
        return False


# --- Evaluations and the workspace --------------------------------------------------


class AmendmentInline(admin.TabularInline):
    model = EvaluationAmendment
    fields = ["changed_at", "changed_by", "reason", "score_before", "score_after", "changes"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False


class ReviewerListFilter(admin.SimpleListFilter):
    """Only QA staff: client staff and agents never review, so they are not offered."""

    title = "reviewer"
    parameter_name = "reviewer"

    def lookups(self, request, model_admin):
        return [(str(user.pk), user.get_username()) for user in reviewers().order_by("username")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(reviewer_id=int(value)) if value.isdigit() else queryset.none()


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["call", "reviewer", "status", "score", "critical_item", "submitted_at", "open_link"]
    list_filter = ["status", "critical_failed", "call__client", ReviewerListFilter]
    list_select_related = ["call__client", "reviewer"]
    search_fields = ["call__external_id", "call__agent__name"]
    fields = ["call", "version", "reviewer", "calibration_session", "status", "score", "critical_failed", "comment", "submitted_at"]
    readonly_fields = fields
    inlines = [AmendmentInline]

    def has_module_permission(self, request):
        return access.can_review(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_review(request.user)

    def has_add_permission(self, request):
        return False  # evaluations are made in the workspace

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return access.can_manage_qa(request.user) and (obj is None or not obj.is_locked)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.can_manage_qa(request.user):
            return queryset
        # Blind calibration: reviewers see their own calibration scoring only.
        return queryset.filter(Q(calibration_session__isnull=True) | Q(reviewer=request.user))

    @admin.display(description="Critical item", ordering="critical_failed")
    def critical_item(self, evaluation):
        # A failed critical item is bad news: say it in words, not with a reassuring green tick.
        if evaluation.critical_failed:
            return format_html('<strong class="qa-critical-failed">{}</strong>', "Failed")
        return "Passed" if evaluation.is_locked else "–"

    @admin.display(description="")
    def open_link(self, evaluation):
        return format_html('<a href="{}">Open</a>', workspace_url(evaluation.call_id, evaluation.calibration_session_id))


# --- Queue and plans ----------------------------------------------------------------


class QueueStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("todo", "To do"), ("overdue", "Overdue"), ("done", "Done")]

    def queryset(self, request, queryset):
        if self.value() == "todo":
            return queryset.pending()
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "done":
            return queryset.filter(status=ReviewAssignment.Status.DONE)
        return queryset


@admin.register(QueueItem)
class MyQueueAdmin(admin.ModelAdmin):
    list_display = ["call_link", "client", "agent", "started_at", "due", "status", "open_link"]
    list_filter = [QueueStatusFilter]
    list_display_links = None
    ordering = ["status", "due_at"]

    def has_module_permission(self, request):
        return access.can_review(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_review(request.user) and (obj is None or obj.reviewer_id == request.user.pk)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return selectors.queue_for_reviewer(reviewer=request.user)

    @admin.display(description="Call")
    def call_link(self, item):
        return item.call.external_id

    @admin.display(description="Client")
    def client(self, item):
        return item.call.client

    @admin.display(description="Agent")
    def agent(self, item):
        return item.call.agent.name

    @admin.display(description="Call started", ordering="call__started_at")
    def started_at(self, item):
        return item.call.started_at

    @admin.display(description="Due", ordering="due_at")
    def due(self, item):
        if item.is_overdue:
            return format_html('<strong class="qa-overdue">{} (overdue)</strong>', item.due_at.strftime("%Y-%m-%d %H:%M"))
        return item.due_at.strftime("%Y-%m-%d %H:%M")

    @admin.display(description="")
    def open_link(self, item):
        return format_html('<a class="button" href="{}">Review</a>', workspace_url(item.call_id))


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ManagersOnly, admin.ModelAdmin):
    """Every reviewer's queue, for managers; add or change one to assign a call by hand."""

    form = ReviewAssignmentForm
    list_display = ["call", "reviewer", "due_at", "status", "plan", "assigned_by"]
    list_filter = ["status", ReviewerListFilter, "plan"]
    list_select_related = ["call__client", "reviewer", "plan", "assigned_by"]
    raw_id_fields = ["call"]

    def has_module_permission(self, request):
        return access.can_manage_qa(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_manage_qa(request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["call"] if obj else []

    def save_model(self, request, obj, form, change):
        try:
            saved = services.review_assign(
                call=form.cleaned_data.get("call") or obj.call, reviewer=form.cleaned_data["reviewer"],
                due_at=form.cleaned_data["due_at"], assigned_by=request.user,
            )
        except ValidationError as exc:
            # Raised after form validation: report it instead of a 500.
            messages.error(request, " ".join(exc.messages))
            return
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(MonitoringPlan)
class MonitoringPlanAdmin(ManagersOnly, admin.ModelAdmin):
    list_display = ["__str__", "client", "team", "evaluations_per_agent", "period", "is_active"]
    list_filter = ["period", "is_active"]
    actions = ["fill_now"]

    @admin.action(description="Fill the selected plans now")
    def fill_now(self, request, queryset):
        summary = sampling.plans_fill(plan_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"Sampled {summary.assigned} call(s); {summary.short} slot(s) still lack a call.")


# --- Calibration --------------------------------------------------------------------


@admin.register(CalibrationSession)
class CalibrationSessionAdmin(ManagersOnly, admin.ModelAdmin):
    form = CalibrationSessionForm
    list_display = ["title", "call", "created_by", "created_at", "progress"]
    raw_id_fields = ["call"]

    def has_module_permission(self, request):
        return access.can_review(request.user)

    def has_view_permission(self, request, obj=None):
        if access.can_manage_qa(request.user):
            return True
        return access.can_review(request.user) and (obj is None or obj.reviewers.filter(pk=request.user.pk).exists())

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if access.can_manage_qa(request.user) else queryset.filter(reviewers=request.user)

    def get_readonly_fields(self, request, obj=None):
        return ["title", "call", "reviewers", "due_at"] if obj else []

    @admin.display(description="Submitted")
    def progress(self, session):
        return f"{session.evaluations.filter(status=Evaluation.Status.SUBMITTED).count()} / {session.reviewers.count()}"

    def get_list_display(self, request):
        if access.can_manage_qa(request.user):
            return [*self.list_display, "score_link", "result_link"]
        return ["title", "call", "due_at", "score_link"]  # reviewers score blind: no progress, no results

    @admin.display(description="")
    def score_link(self, session):
        return format_html('<a class="button" href="{}">Score it</a>', workspace_url(session.call_id, session.pk))

    @admin.display(description="")
    def result_link(self, session):
        return format_html('<a href="{}">Results</a>', reverse("reviews:calibration-result", args=[session.pk]))

    def save_model(self, request, obj, form, change):
        if change:
            services.calibration_session_set_expert(session=obj, expert=form.cleaned_data["expert"], changed_by=request.user)
            return
        created = services.calibration_session_create(
            title=form.cleaned_data["title"], call=form.cleaned_data["call"],
            reviewers=form.cleaned_data["reviewers"], created_by=request.user,
            expert=form.cleaned_data["expert"], due_at=form.cleaned_data["due_at"],
        )
        obj.pk = created.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # the service sets the panel


# --- Calls: the QA app adds its Review button to the call list and page -------------------


class ReviewableCallAdmin(CallAdmin):
    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        return [*columns, "review_link"] if access.can_review(request.user) else columns

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not access.can_review(request.user):
            return fieldsets
        # The transcript field is the one recordings chose for this user (original or redacted).
        return [*fieldsets[:-1], ("Transcript", {"fields": ["review_link", *fieldsets[-1][1]["fields"]]})]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "review_link"]

    @admin.display(description="QA")
    def review_link(self, call: Call) -> str:
        if call.status != Call.Status.TRANSCRIBED:
            return "–"
        return format_html('<a class="button" href="{}">Review</a>', workspace_url(call.pk))


admin.site.unregister(Call)
admin.site.register(Call, ReviewableCallAdmin)
