"""QA in the admin: rubrics, plans, "My queue", the reviewer workspace and calibration.

Who may do what is decided in qa.access; these classes only ask it.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from qa import access, sampling, selectors, services
from qa.forms import CalibrationSessionForm, EvaluationForm, ReviewAssignmentForm
from qa.models import (
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
from recordings.models import Call


def workspace_url(call_id: int, calibration_session_id: int | None = None) -> str:
    url = reverse("admin:qa_workspace", args=[call_id])
    return f"{url}?calibration={calibration_session_id}" if calibration_session_id else url


def workspace_link(call: Call) -> str:
    """For the call list and change page: `Review` opens the workspace."""
    return format_html('<a class="button" href="{}">Review</a>', workspace_url(call.pk))


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


class InlineAccess:
    """Inlines ask qa.access too; `obj` is the parent row (a rubric, version or section)."""

    def _parent_locked(self, obj) -> bool:
        version = obj if isinstance(obj, RubricVersion) else getattr(obj, "version", None)
        return version is not None and (version.is_in_use or version.status == RubricVersion.Status.RETIRED)

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
    fields = [("position", "answer_type", "weight", "max_points", "is_critical"), "question", "guidance"]
    extra = 0


class LockedWhenInUse:
    """A version that has been scored against is read-only: editing makes a new version."""

    def _version_of(self, obj):
        return obj if isinstance(obj, RubricVersion) else (obj.version if obj else None)

    def has_change_permission(self, request, obj=None):
        version = self._version_of(obj)
        if version is not None and (version.is_in_use or version.status == RubricVersion.Status.RETIRED):
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
    change_form_template = "admin/qa/rubricversion/change_form.html"

    def has_add_permission(self, request, *args):
        return False  # new versions come from "Edit as a new version" or a new rubric

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/start-edit/", wrap(self.start_edit_view), name="qa_rubricversion_start_edit"),
            path("<int:pk>/publish/", wrap(self.publish_view), name="qa_rubricversion_publish"),
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
        return HttpResponseRedirect(reverse("admin:qa_rubricversion_change", args=[editable.pk]))

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
        return HttpResponseRedirect(reverse("admin:qa_rubricversion_change", args=[pk]))


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


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["call", "reviewer", "status", "score", "critical_failed", "submitted_at", "open_link"]
    list_filter = ["status", "critical_failed", "call__client", "reviewer"]
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

    @admin.display(description="")
    def open_link(self, evaluation):
        return format_html('<a href="{}">Open</a>', workspace_url(evaluation.call_id, evaluation.calibration_session_id))

    def get_urls(self):
        return [
            path("workspace/<int:call_id>/", self.admin_site.admin_view(self.workspace_view), name="qa_workspace"),
            *super().get_urls(),
        ]

    def workspace_view(self, request, call_id: int):
        if not access.can_review(request.user):
            raise PermissionDenied
        call = get_object_or_404(Call.objects.select_related("client", "agent"), pk=call_id)
        session = None
        if calibration_id := request.GET.get("calibration"):
            if not calibration_id.isdigit() or len(calibration_id) > 18:
                raise Http404("No such calibration session.")
            session = get_object_or_404(CalibrationSession, pk=int(calibration_id), call=call)
            if not session.reviewers.filter(pk=request.user.pk).exists():
                raise PermissionDenied
        evaluation = selectors.evaluation_for_workspace(call=call, reviewer=request.user, calibration_session=session)
        version = evaluation.version if evaluation else (session.version if session else selectors.rubric_version_for_call(call=call))
        if version is None:
            messages.error(request, f"No published rubric applies to {call.client}'s calls yet.")
            return HttpResponseRedirect(reverse("admin:qa_evaluation_changelist"))
        criteria = selectors.version_criteria(version=version)

        can_edit = evaluation is None or access.can_edit_evaluation(request.user, evaluation)
        can_amend = evaluation is not None and access.can_amend_evaluation(request.user, evaluation)
        form = EvaluationForm(request.POST or None, criteria=criteria, evaluation=evaluation)
        if request.method == "POST" and (can_edit or can_amend) and form.is_valid():
            done = self._workspace_save(request, form, call=call, session=session, evaluation=evaluation)
            if done:
                return HttpResponseRedirect(request.get_full_path())
        if not (can_edit or can_amend):
            for field in form.fields.values():
                field.disabled = True

        context = {
            **self.admin_site.each_context(request),
            "opts": Evaluation._meta,
            "title": f"Review call {call.external_id}",
            "call": call,
            "session": session,
            "evaluation": evaluation,
            "version": version,
            "form": form,
            "sections": _group_by_section(form.rows()),
            "can_edit": can_edit,
            "can_amend": can_amend,
            "audio_url": reverse("recordings:call-audio", args=[call.pk]),
            "waveform_url": reverse("recordings:call-waveform", args=[call.pk]),
            "transcript": selectors.transcript_lines(call=call),
            "duration": getattr(getattr(call, "recording", None), "duration_seconds", None),
            "amendments": evaluation.amendments.select_related("changed_by") if evaluation else [],
        }
        return TemplateResponse(request, "admin/qa/workspace.html", context)

    def _workspace_save(self, request, form, *, call, session, evaluation) -> bool:
        action = request.POST.get("action", "save")
        data = form.cleaned_data
        common = {"answers": form.answers(), "comment": data["comment"], "comment_at_seconds": data["comment_at"]}
        try:
            if action == "amend":
                services.evaluation_amend(evaluation=evaluation, manager=request.user, reason=data["reason"], **common)
                messages.success(request, "The evaluation was changed and the change logged.")
            elif action == "submit":
                result = services.evaluation_submit(call=call, reviewer=request.user, calibration_session=session, **common)
                note = " (critical item failed)" if result.critical_failed else ""
                messages.success(request, f"Submitted: {result.score}%{note}. The evaluation is now locked.")
            else:
                services.evaluation_save_draft(call=call, reviewer=request.user, calibration_session=session, **common)
                messages.success(request, "Draft saved.")
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "You may not change this evaluation.")
            return False
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errors in exc.message_dict.items():
                    field = key if key in form.fields else None
                    for error in errors:
                        form.add_error(field, error)
            else:
                for error in exc.messages:
                    form.add_error(None, error)
            return False
        return True


def _group_by_section(rows):
    sections: list[tuple[Section, list]] = []
    for row in rows:
        section = row[0].section
        if not sections or sections[-1][0].pk != section.pk:
            sections.append((section, []))
        sections[-1][1].append(row)
    return sections


# --- Queue and plans ----------------------------------------------------------------


class QueueStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("todo", "To do"), ("overdue", "Overdue"), ("done", "Done")]

    def queryset(self, request, queryset):
        if self.value() == "todo":
            return queryset.filter(status=ReviewAssignment.Status.PENDING)
        if self.value() == "overdue":
            return queryset.filter(status=ReviewAssignment.Status.PENDING, due_at__lt=timezone.now())
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
            return format_html('<strong style="color:#ba2121">{} (overdue)</strong>', item.due_at.strftime("%Y-%m-%d %H:%M"))
        return item.due_at.strftime("%Y-%m-%d %H:%M")

    @admin.display(description="")
    def open_link(self, item):
        return format_html('<a class="button" href="{}">Review</a>', workspace_url(item.call_id))


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ManagersOnly, admin.ModelAdmin):
    """Every reviewer's queue, for managers; add or change one to assign a call by hand."""

    form = ReviewAssignmentForm
    list_display = ["call", "reviewer", "due_at", "status", "plan", "assigned_by"]
    list_filter = ["status", "reviewer", "plan"]
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
        return format_html('<a href="{}">Results</a>', reverse("admin:qa_calibration_result", args=[session.pk]))

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

    def get_urls(self):
        return [
            path("<int:pk>/result/", self.admin_site.admin_view(self.result_view), name="qa_calibration_result"),
            *super().get_urls(),
        ]

    def result_view(self, request, pk: int):
        if not access.can_manage_qa(request.user):
            raise PermissionDenied  # results would unblind the panel
        session = get_object_or_404(CalibrationSession.objects.select_related("call", "version", "expert"), pk=pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": CalibrationSession._meta,
            "title": f"Calibration: {session.title}",
            "result": selectors.calibration_result(session=session),
            "session": session,
        }
        return TemplateResponse(request, "admin/qa/calibration_result.html", context)
