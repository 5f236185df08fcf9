from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from qa.lib.admin import SafeDateHierarchy
from recordings import access, services
from recordings.forms import CallUploadForm
from recordings.models import CALL_METADATA_FIELDS, Agent, Call, CallAnalytics, Client, Recording, Team
from recordings.services import BatchOutcome
from recordings.transcription import call_retranscribe


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "agent_channel", "language"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["users"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "users"]}),
        ("Recordings and transcription", {"fields": ["agent_channel", "language", "country"]}),
        ("How figures are counted", {"fields": ["fcr_window_days", "dispute_window_days", "service_level_seconds", "short_abandon_seconds"]}),
        ("Targets", {"fields": [
            "service_level_target", "abandonment_target", "aht_target_seconds", "fcr_target", "qa_target",
            "csat_target", "nps_target", "ces_target",
        ]}),
        ("Retention", {"fields": ["retention_days", "retention_scope"]}),
        ("Client portal", {"fields": ["portal_shows_criterion_comments", "portal_shows_reviewer_names"]}),
    ]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "team", "user", "is_active"]
    list_filter = ["team", "is_active"]
    search_fields = ["name", "external_id"]
    autocomplete_fields = ["user"]


class RecordingInline(admin.StackedInline):
    model = Recording
    can_delete = False
    extra = 0
    max_num = 0
    fields = [
        "original_filename", "container", "codec", "duration_seconds", "channels", "sample_rate", "size_bytes", "sha256",
        "redaction_status", "redaction_failure",
    ]
    readonly_fields = fields


class AnalyticsInline(admin.StackedInline):
    model = CallAnalytics
    verbose_name = verbose_name_plural = "speech analytics"
    can_delete = False
    extra = 0
    max_num = 0
    readonly_fields = [f.name for f in CallAnalytics._meta.fields if f.name not in ("id", "call")]


@admin.register(Call)
class CallAdmin(SafeDateHierarchy, admin.ModelAdmin):
    change_list_template = "admin/recordings/call/change_list.html"
    list_display = ["external_id", "client", "agent_name", "started", "status", "duration", "resolved", "csat"]
    list_filter = ["status", "client", "direction", "agent__team", "resolved"]
    search_fields = ["external_id", "customer_ref", "agent__name", "agent__external_id"]
    date_hierarchy = "started_at"
    list_select_related = ["client", "agent", "recording"]
    readonly_fields = [
        "status", "failure_reason", "transcription_attempts", "claimed_at", "audio_deleted_at", "created_at", "updated_at",
        "transcript_view", "redacted_transcript_view",
    ]
    fieldsets = [
        (None, {"fields": ["client", "agent", "external_id", "started_at", "answered"]}),
        ("Handling", {"fields": list(CALL_METADATA_FIELDS)}),
        ("Processing", {"fields": ["status", "failure_reason", "transcription_attempts", "claimed_at", "audio_deleted_at", "created_at", "updated_at"]}),
        ("Transcript", {"fields": ["transcript_view"]}),
    ]
    inlines = [RecordingInline, AnalyticsInline]
    actions = ["retranscribe"]

    def get_readonly_fields(self, request, obj=None):
        # The call's identity and audio come from ingest; only the handling metadata is editable.
        if obj is not None:
            return [*self.readonly_fields, "client", "agent", "external_id"]
        return self.readonly_fields

    @admin.display(description="Agent", ordering="agent__name")
    def agent_name(self, call: Call) -> str:
        return call.agent.name if call.agent else "–"

    @admin.display(description="Started", ordering="started_at")
    def started(self, call: Call) -> str:
        # Compact, so the whole row fits a laptop screen beside the filters.
        return timezone.localtime(call.started_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description="Duration", ordering="recording__duration_seconds")
    def duration(self, call: Call) -> str:
        recording = getattr(call, "recording", None)
        if recording is None:
            return "-"
        minutes, seconds = divmod(round(recording.duration_seconds), 60)
        return f"{minutes}:{seconds:02d}"

    @admin.display(description="Transcript")
    def transcript_view(self, call: Call) -> str:
        return self._transcript_table(call, redacted=False)

    @admin.display(description="Transcript (redacted)")
    def redacted_transcript_view(self, call: Call) -> str:
        return self._transcript_table(call, redacted=True)

    def get_fieldsets(self, request, obj=None):
        # Who may not read originals gets the redacted transcript: the rule is recordings.access.sees_unredacted.
        if access.sees_unredacted(request.user):
            return super().get_fieldsets(request, obj)
        return [
            (name, {**options, "fields": ["redacted_transcript_view" if f == "transcript_view" else f for f in options["fields"]]})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def _transcript_table(self, call: Call, *, redacted: bool) -> str:
        transcript = getattr(call, "transcript", None)
        if transcript is None:
            return "No transcript yet."
        if redacted and transcript.redacted_at is None:
            return "The redacted transcript is not ready; only QA staff allowed to read originals see this one."
        # format_html escapes its arguments into strings first, so numbers are formatted here.
        rows = format_html_join(
            "",
            '<tr><td>{}–{}s</td><td class="speaker-{}"><strong>{}</strong></td><td>{}</td></tr>',
            (
                (f"{s.start:.1f}", f"{s.end:.1f}", s.speaker, s.get_speaker_display(), s.redacted_text if redacted else s.text)
                for s in transcript.segments.all()
            ),
        )
        return format_html(
            "<p>{} · {} · {}s to process</p><table>{}</table>",
            transcript.engine, transcript.model_name, f"{transcript.processing_seconds:.1f}", rows or "(no speech)",
        )

    def add_view(self, request, form_url="", extra_context=None):
        # A call without its recording makes no sense: adding means uploading.
        return HttpResponseRedirect(reverse("admin:recordings_call_upload"))

    def get_urls(self):
        return [
            path("upload/", self.admin_site.admin_view(self.upload_view), name="recordings_call_upload"),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:recordings_call_changelist"))
        form = CallUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            summary = self._ingest_uploads(request, form)
            if summary.count(BatchOutcome.REJECTED) == 0:
                return HttpResponseRedirect(reverse("admin:recordings_call_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Upload calls",
        }
        return TemplateResponse(request, "admin/recordings/call/upload.html", context)

    def _ingest_uploads(self, request, form: CallUploadForm) -> services.BatchSummary:
        data = form.cleaned_data

        def item(upload):
            return upload.name, lambda: {
                "client": data["client"],
                "agent": data["agent"],
                "external_id": data["external_id"] or _external_id_from_name(upload.name),
                "started_at": data["started_at"],
                "audio": upload,
                "original_filename": upload.name,
                **form.call_metadata(),
            }

        summary = services.calls_ingest_batch(item(upload) for upload in data["files"])
        for entry in summary.entries:
            if entry.outcome == BatchOutcome.REJECTED:
                messages.error(request, f"Rejected {entry.label}: {entry.detail}")
            elif entry.outcome == BatchOutcome.DUPLICATE:
                messages.warning(request, f"Duplicate {entry.label}: already stored ({entry.detail}).")
        messages.info(request, summary.line)
        return summary

    @admin.action(description="Transcribe again")
    def retranscribe(self, request, queryset):
        if not access.can_retranscribe(request.user):
            self.message_user(request, "You may not re-transcribe calls.", messages.ERROR)
            return
        # Call records without audio (abandoned, or the recording still to come) have nothing to transcribe.
        call_ids = list(queryset.filter(recording__isnull=False).values_list("pk", flat=True))
        for call_id in call_ids:
            call_retranscribe(call_id=call_id)
        skipped = queryset.count() - len(call_ids)
        note = f" {skipped} call(s) without a recording were left alone." if skipped else ""
        self.message_user(request, f"Queued {len(call_ids)} call(s) for transcription.{note}")


def _external_id_from_name(name: str) -> str:
    stem = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in stem)[:128] or "call"
