from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from qa import access
from recordings import services
from recordings.forms import CallUploadForm
from recordings.models import Agent, Call, CallAnalytics, Client, Recording, Team
from recordings.transcription import call_retranscribe


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "agent_channel", "language", "transcription_model", "chinese_script"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["users"]


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
    fields = ["original_filename", "container", "codec", "duration_seconds", "channels", "sample_rate", "size_bytes", "sha256"]
    readonly_fields = fields


class AnalyticsInline(admin.StackedInline):
    model = CallAnalytics
    can_delete = False
    extra = 0
    max_num = 0
    readonly_fields = [f.name for f in CallAnalytics._meta.fields if f.name not in ("id", "call")]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    change_list_template = "admin/recordings/call/change_list.html"
    list_display = ["external_id", "client", "agent", "started_at", "status", "duration", "resolved", "csat"]
    list_filter = ["status", "client", "direction", "agent__team", "resolved"]
    search_fields = ["external_id", "customer_ref", "agent__name", "agent__external_id"]
    date_hierarchy = "started_at"
    list_select_related = ["client", "agent", "recording"]
    readonly_fields = [
        "status", "failure_reason", "transcription_attempts", "claimed_at", "created_at", "updated_at",
        "review_link", "transcript_view",
    ]
    fieldsets = [
        (None, {"fields": ["client", "agent", "external_id", "direction", "started_at", "customer_ref", "queue"]}),
        ("Handling", {"fields": ["wait_seconds", "talk_seconds", "hold_seconds", "after_call_work_seconds", "disposition", "resolved", "csat", "nps"]}),
        ("Processing", {"fields": ["status", "failure_reason", "transcription_attempts", "claimed_at", "created_at", "updated_at"]}),
        ("Transcript", {"fields": ["review_link", "transcript_view"]}),
    ]
    inlines = [RecordingInline, AnalyticsInline]
    actions = ["retranscribe"]

    def get_readonly_fields(self, request, obj=None):
        # The call's identity and audio come from ingest; only the handling metadata is editable.
        if obj is not None:
            return [*self.readonly_fields, "client", "agent", "external_id"]
        return self.readonly_fields

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        return [*columns, "review_link"] if access.can_review(request.user) else columns

    @admin.display(description="QA")
    def review_link(self, call: Call) -> str:
        if call.status != Call.Status.TRANSCRIBED:
            return "-"
        return format_html('<a class="button" href="{}">Review</a>', reverse("admin:qa_workspace", args=[call.pk]))

    @admin.display(description="Duration", ordering="recording__duration_seconds")
    def duration(self, call: Call) -> str:
        recording = getattr(call, "recording", None)
        if recording is None:
            return "-"
        minutes, seconds = divmod(round(recording.duration_seconds), 60)
        return f"{minutes}:{seconds:02d}"

    @admin.display(description="Transcript")
    def transcript_view(self, call: Call) -> str:
        transcript = getattr(call, "transcript", None)
        if transcript is None:
            return "No transcript yet."
        # format_html escapes its arguments into strings first, so numbers are formatted here.
        rows = format_html_join(
            "",
            '<tr><td>{}–{}s</td><td class="speaker-{}"><strong>{}</strong></td><td>{}</td></tr>',
            (
                (f"{s.start:.1f}", f"{s.end:.1f}", s.speaker, s.get_speaker_display(), s.text)
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
            if summary["imported"] or summary["duplicates"]:
                return HttpResponseRedirect(reverse("admin:recordings_call_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Upload calls",
        }
        return TemplateResponse(request, "admin/recordings/call/upload.html", context)

    def _ingest_uploads(self, request, form: CallUploadForm) -> dict:
        summary = {"imported": 0, "duplicates": 0, "rejected": 0}
        files = form.cleaned_data["files"]
        for upload in files:
            external_id = form.cleaned_data["external_id"] or _external_id_from_name(upload.name)
            try:
                result = services.call_ingest(
                    client=form.cleaned_data["client"],
                    agent=form.cleaned_data["agent"],
                    external_id=external_id,
                    started_at=form.cleaned_data["started_at"],
                    audio=upload,
                    original_filename=upload.name,
                    **form.call_metadata(),
                )
            except services.IngestError as exc:
                summary["rejected"] += 1
                messages.error(request, f"Rejected {upload.name}: {exc}")
                continue
            if result.created:
                summary["imported"] += 1
            else:
                summary["duplicates"] += 1
                messages.warning(
                    request,
                    f"Duplicate {upload.name}: already stored as call {result.call} (same {result.duplicate_of.replace('_', ' ')}).",
                )
        messages.info(
            request,
            f"Imported {summary['imported']}, duplicates {summary['duplicates']}, rejected {summary['rejected']}.",
        )
        return summary

    @admin.action(description="Transcribe again")
    def retranscribe(self, request, queryset):
        if not access.can_retranscribe(request.user):
            self.message_user(request, "You may not re-transcribe calls.", messages.ERROR)
            return
        call_ids = list(queryset.values_list("pk", flat=True))
        for call_id in call_ids:
            call_retranscribe(call_id=call_id)
        self.message_user(request, f"Queued {len(call_ids)} call(s) for transcription.")


def _external_id_from_name(name: str) -> str:
    stem = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in stem)[:128] or "call"
