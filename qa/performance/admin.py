"""Agent performance in the admin: training rules, flags, coaching sessions, disputes and the decision log.

Registrations, filters and actions only: who may do what is decided in `qa.performance.access`, and every
change goes through `qa.performance.services`, which writes the agent's log.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from qa.performance import access, services
from qa.performance.forms import CoachingSessionForm
from qa.performance.models import CoachingSession, Dispute, LogEntry, TrainingFlag, TrainingRules


class QaStaffRead:
    """QA staff look; QA managers change (flags, coaching, rules and disputes are theirs)."""

    def has_module_permission(self, request):
        return access.can_see_dashboard(request.user)

    def has_view_permission(self, request, obj=None):
        return access.can_see_dashboard(request.user)

    def has_add_permission(self, request, *args):
        return access.can_manage_training(request.user)

    def has_change_permission(self, request, obj=None):
        return access.can_manage_training(request.user)

    def has_delete_permission(self, request, obj=None):
        return access.can_manage_training(request.user)


@admin.register(TrainingRules)
class TrainingRulesAdmin(QaStaffRead, admin.ModelAdmin):
    list_display = ["__str__", "section_rule_on", "section_threshold", "critical_fail_rule_on", "fcr_rule_on",
                    "aht_rule_on", "monitoring_rule_on", "auto_check_rule_on"]
    fieldsets = [
        ("For", {"fields": ["team", "client"], "description": "An agent's team's rules win over their client's; "
                                                              "with neither, the defaults below apply."}),
        ("Section average", {"fields": ["section_rule_on", "section_threshold", "section_last_evaluations"]}),
        ("Critical fails", {"fields": ["critical_fail_rule_on"]}),
        ("FCR and AHT (the rules week)", {"fields": ["fcr_rule_on", "fcr_target", "aht_rule_on", "aht_above_median_percent",
                                                     "minimum_calls"]}),
        ("Monitoring", {"fields": ["monitoring_rule_on"]}),
        ("Automatic checks (the rules week)", {
            "fields": ["auto_check_rule_on", "auto_check_keys", "auto_check_fail_rate", "auto_check_minimum_calls"],
            "description": "Off by default: switch it on for checks whose agreement with reviewers you trust "
                           "(Automatic checks page). Human evaluations stay the QA score.",
        }),
    ]


def _links(items, url_name: str, label) -> str:
    return format_html_join(", ", '<a href="{}">{}</a>', ((reverse(url_name, args=[i.pk]), label(i)) for i in items)) or "—"


@admin.register(TrainingFlag)
class TrainingFlagAdmin(QaStaffRead, admin.ModelAdmin):
    list_display = ["agent", "rule", "status", "opened_at", "times_opened", "summary"]
    list_filter = ["status", "rule", "agent__team"]
    search_fields = ["agent__name", "agent__external_id"]
    list_select_related = ["agent"]
    readonly_fields = ["agent", "rule", "status", "summary", "figures", "evidence_evaluations", "evidence_calls",
                       "first_opened_at", "opened_at", "last_fired_at", "closed_at", "times_opened", "scorecard"]
    fields = readonly_fields
    actions = ["mark_coached", "close"]

    def has_add_permission(self, request, *args):
        return False  # the rules open flags

    def has_delete_permission(self, request, obj=None):
        return False  # a flag's history is kept: it closes, and reopens if the rule fires again

    @admin.display(description="Evaluations")
    def evidence_evaluations(self, flag):
        return _links(flag.evaluations.select_related("call"), "reviews:workspace",
                      lambda e: f"{e.call.external_id} ({e.score}%)") if flag.pk else "—"

    @admin.display(description="Calls")
    def evidence_calls(self, flag):
        return _links(flag.calls.all(), "admin:recordings_call_change", lambda c: c.external_id) if flag.pk else "—"

    @admin.display(description="Scorecard")
    def scorecard(self, flag):
        return format_html('<a href="{}">{}</a>', reverse("performance:agent-scorecard", args=[flag.agent_id]), flag.agent.name)

    def _move(self, request, queryset, to: str) -> None:
        moved = 0
        for flag in queryset:
            try:
                services.flag_move(flag=flag, to=to, by=request.user)
                moved += 1
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, f"{flag}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
        if moved:
            messages.success(request, f"{moved} flag(s) moved to {TrainingFlag.Status(to).label.lower()}.")

    @admin.action(description="Mark coached (needs a coaching session that took place)", permissions=["change"])
    def mark_coached(self, request, queryset):
        self._move(request, queryset, TrainingFlag.Status.COACHED)

    @admin.action(description="Close (needs a coaching session that took place)", permissions=["change"])
    def close(self, request, queryset):
        self._move(request, queryset, TrainingFlag.Status.CLOSED)


@admin.register(CoachingSession)
class CoachingSessionAdmin(QaStaffRead, admin.ModelAdmin):
    form = CoachingSessionForm
    list_display = ["agent", "coach", "scheduled_for", "held_at"]
    list_filter = ["agent__team"]
    search_fields = ["agent__name", "agent__external_id"]
    autocomplete_fields = ["agent"]
    list_select_related = ["agent", "coach"]

    def save_model(self, request, obj, form, change):
        # The form ran `coaching_session_validate` already.
        saved = services.coaching_session_save(session=obj if change else None, data=form.coaching_input(), by=request.user)
        obj.pk, obj._state.adding = saved.pk, False

    def save_related(self, request, form, formsets, change):
        pass  # the service linked the flags and evaluations


@admin.register(Dispute)
class DisputeAdmin(QaStaffRead, admin.ModelAdmin):
    list_display = ["agent", "call", "score_disputed", "raised_at", "status", "resolve"]
    list_filter = ["status", "agent__team"]
    search_fields = ["agent__name", "evaluation__call__external_id"]
    list_select_related = ["agent", "evaluation__call"]
    readonly_fields = ["agent", "evaluation", "raised_by", "raised_at", "reason", "score_disputed", "status",
                       "resolved_by", "resolved_at", "resolution", "amendment"]
    fields = readonly_fields

    def has_add_permission(self, request, *args):
        return False  # agents raise disputes from their scorecard

    def has_change_permission(self, request, obj=None):
        return False  # resolved on its own page, through the services

    def has_delete_permission(self, request, obj=None):
        return False  # every decision stays on record, as the agent was told

    @admin.display(description="Call")
    def call(self, dispute):
        return dispute.evaluation.call.external_id

    @admin.display(description="")
    def resolve(self, dispute):
        label = "Resolve" if dispute.status == Dispute.Status.OPEN else "View"
        return format_html('<a class="button" href="{}">{}</a>', reverse("performance:dispute-resolve", args=[dispute.pk]), label)


@admin.register(LogEntry)
class LogEntryAdmin(QaStaffRead, admin.ModelAdmin):
    list_display = ["at", "agent", "kind", "actor", "text"]
    list_filter = ["kind", "agent__team"]
    search_fields = ["agent__name", "agent__external_id", "text"]
    list_select_related = ["agent", "actor"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the log is kept
