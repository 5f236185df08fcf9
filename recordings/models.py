import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

EARLIEST_CALL = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_CALL_AHEAD = timedelta(days=1)


def validate_call_time(value: datetime) -> None:
    """The one rule for call times on every way in: from 2000 to a day ahead of now.

    The database could store far stranger dates (year 1 with a +14:00 offset is a BC date in
    PostgreSQL) that Python then cannot read back; such input never gets that far.
    """
    if value is None:
        return
    if timezone.is_naive(value):
        raise ValidationError("Give a time zone (e.g. 2026-11-02T09:30:00Z).")
    try:
        latest = timezone.now() + LATEST_CALL_AHEAD
        if not (EARLIEST_CALL <= value <= latest):
            raise ValidationError(
                f"must lie between {EARLIEST_CALL:%Y-%m-%d} and a day from now ({latest:%Y-%m-%d %H:%M} UTC)."
            )
    except OverflowError:  # so far from the range that converting it to UTC fails
        raise ValidationError(f"must lie between {EARLIEST_CALL:%Y-%m-%d} and a day from now.") from None


def recordings_storage():
    return storages["recordings"]


def recording_upload_to(instance: "Recording", filename: str) -> str:
    # The user's file name never reaches the filesystem: only the extension
    # we derived from the decoded container does.
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"{instance.client_id}/{uuid.uuid4().hex}.{ext}"


class Channel(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"


class Client(models.Model):
    """A company whose customers' calls the centre handles."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    agent_channel = models.CharField(
        max_length=5, choices=Channel.choices, default=Channel.LEFT,
        help_text="Which stereo channel carries the agent.",
    )
    language = models.CharField(
        max_length=8, blank=True,
        help_text="Transcription language for this client's calls; blank uses the server default.",
    )
    transcription_model = models.CharField(
        max_length=16, blank=True, choices=[("tiny.en", "tiny.en (English only)"), ("base", "base (multilingual)")],
        help_text="Whisper model for this client's calls; blank uses the server default (WHISPER_MODEL).",
    )
    chinese_script = models.CharField(
        max_length=12, blank=True, choices=[("simplified", "Simplified"), ("traditional", "Traditional")],
        help_text="Chinese transcripts are written in this script; blank keeps the model's own.",
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="client_accounts",
        help_text="Client staff who may listen to this client's calls.",
    )
    country = models.CharField(
        max_length=2, blank=True,
        help_text="ISO country code (GB, US, DE…): the default region for phone numbers in redaction; blank uses the server default.",
        validators=[RegexValidator(r"^[A-Z]{2}$", "Two capital letters, e.g. GB.")],
    )
    # How figures are counted for this client.
    fcr_window_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="A call counts as resolved unless the same customer calls again within this many days.",
    )
    dispute_window_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Agents may dispute an evaluation for this many days after it is submitted.",
    )
    service_level_seconds = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(1)], help_text="Answered within this many seconds counts toward service level.",
    )
    short_abandon_seconds = models.PositiveSmallIntegerField(
        default=5, help_text="Calls abandoned within this many seconds count in neither service level nor abandonment.",
    )
    # Targets, shown beside each figure and highlighted when missed.
    service_level_target = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("0.800"), validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Share of calls answered within the service-level time (0-1).",
    )
    abandonment_target = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("0.050"), validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Highest acceptable abandonment rate (0-1).",
    )
    aht_target_seconds = models.PositiveIntegerField(
        default=363, validators=[MinValueValidator(1)], help_text="Average handle time to aim at (the industry reference is about 6 min 3 s).",
    )
    fcr_target = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("0.700"), validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Lowest acceptable first-contact resolution rate (0-1).",
    )
    qa_target = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("85.00"), validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Lowest acceptable average QA score (0-100).",
    )
    csat_target = models.DecimalField(
        max_digits=3, decimal_places=2, default=Decimal("4.00"), validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="Lowest acceptable average CSAT (1-5).",
    )
    nps_target = models.SmallIntegerField(
        default=30, validators=[MinValueValidator(-100), MaxValueValidator(100)], help_text="Lowest acceptable NPS (-100 to 100).",
    )
    ces_target = models.DecimalField(
        max_digits=3, decimal_places=2, default=Decimal("5.00"), validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text="Lowest acceptable average customer effort score (1-7, 7 = easiest).",
    )
    # How long recordings are kept.
    class RetentionScope(models.TextChoices):
        AUDIO = "audio", "Recordings only (transcripts and evaluations stay)"
        EVERYTHING = "everything", "Recordings, transcripts and evaluations"

    retention_days = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)],
        help_text="Delete recordings older than this many days; empty keeps them.",
    )
    retention_scope = models.CharField(
        max_length=10, choices=RetentionScope.choices, default=RetentionScope.AUDIO,
        help_text="What goes when a recording's time is up.",
    )
    # What the client's staff see in the portal.
    portal_shows_criterion_comments = models.BooleanField(
        default=False, help_text="Show reviewers' comments on each question, not only the comment on the whole call.",
    )
    portal_shows_reviewer_names = models.BooleanField(default=False, help_text="Show who reviewed each call.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(agent_channel__in=["left", "right"]), name="client_agent_channel_valid"),
            models.CheckConstraint(condition=Q(fcr_window_days__gte=1), name="client_fcr_window_positive"),
            models.CheckConstraint(condition=Q(service_level_target__gte=0, service_level_target__lte=1), name="client_service_level_target_fraction"),
            models.CheckConstraint(condition=Q(abandonment_target__gte=0, abandonment_target__lte=1), name="client_abandonment_target_fraction"),
            models.CheckConstraint(condition=Q(fcr_target__gte=0, fcr_target__lte=1), name="client_fcr_target_fraction"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from recordings.whisper_models import client_language_errors

        errors = client_language_errors(self.transcription_model, self.language)
        if errors:
            raise ValidationError(errors)


class Team(models.Model):
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    name = models.CharField(max_length=200)
    external_id = models.CharField(
        max_length=128, unique=True, help_text="The agent's id in the telephony system.",
        validators=[RegexValidator(r"^[^\s]+$", "External ids may not contain whitespace.")],
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="agents")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="agent",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"


class Call(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        QUEUED = "queued", "Queued"
        TRANSCRIBING = "transcribing", "Transcribing"
        TRANSCRIBED = "transcribed", "Transcribed"
        FAILED = "failed", "Failed"
        # Call records without audio: never queued for transcription or sampled for review.
        NO_RECORDING = "no_recording", "No recording (yet)"
        ABANDONED = "abandoned", "Abandoned"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="calls")
    agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.PROTECT, related_name="calls",
        help_text="Who handled it; empty only for a call the customer abandoned before an agent answered.",
    )
    external_id = models.CharField(max_length=128, help_text="The call's id in the telephony system.")
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.INBOUND)
    started_at = models.DateTimeField(validators=[validate_call_time])
    customer_ref = models.CharField(max_length=128, blank=True, help_text="Caller number or CRM id.")
    queue = models.CharField(max_length=128, blank=True)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveIntegerField(null=True, blank=True)
    after_call_work_seconds = models.PositiveIntegerField(null=True, blank=True)
    disposition = models.CharField(max_length=128, blank=True)
    resolved = models.BooleanField(null=True, blank=True, help_text="Resolved on this contact (FCR).")
    csat = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)], verbose_name="CSAT",
    )
    nps = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)], verbose_name="NPS",
    )
    ces = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(7)], verbose_name="CES",
        help_text="Customer effort score, 1-7 (7 = easiest).",
    )
    answered = models.BooleanField(default=True, help_text="False: the customer hung up before an agent answered.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True)
    audio_deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the client's retention period removed the recording.",
    )
    failure_reason = models.TextField(blank=True)
    transcription_attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When a worker claimed it.")
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="The claiming worker's last sign of life.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["agent", "started_at"]),
            models.Index(fields=["client", "started_at"]),
            # The FCR repeat-contact rule looks for the same customer's next call (recordings.figures).
            models.Index(fields=["client", "customer_ref", "started_at"], name="call_repeat_contact_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["client", "external_id"], name="call_external_id_unique_per_client"),
            models.CheckConstraint(condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5), name="call_csat_1_to_5"),
            models.CheckConstraint(condition=Q(nps__isnull=True) | Q(nps__gte=0, nps__lte=10), name="call_nps_0_to_10"),
            models.CheckConstraint(condition=Q(ces__isnull=True) | Q(ces__gte=1, ces__lte=7), name="call_ces_1_to_7"),
            models.CheckConstraint(
                condition=Q(
                    status__in=["received", "queued", "transcribing", "transcribed", "failed", "no_recording", "abandoned"]
                ),
                name="call_status_valid",
            ),
            models.CheckConstraint(condition=Q(answered=False) | Q(agent__isnull=False), name="call_answered_has_agent"),
            models.CheckConstraint(
                condition=Q(answered=True) | Q(status="abandoned", agent__isnull=True), name="call_abandoned_has_no_agent",
            ),
            models.CheckConstraint(condition=Q(direction__in=["inbound", "outbound"]), name="call_direction_valid"),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(failure_reason=""), name="call_failure_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client.slug}/{self.external_id}"

    def clean(self):
        # The one rule for answered and abandoned calls, whichever way they come in (API, CLI, admin).
        if self.answered and self.agent_id is None:
            raise ValidationError({"agent": "An answered call needs the agent who answered it."})
        if not self.answered:
            problems = {}
            if self.agent_id is not None:
                problems["agent"] = "An abandoned call has no agent: the customer hung up before anyone answered."
            if self.wait_seconds is None:
                problems["wait_seconds"] = "An abandoned call needs wait_seconds: how long the customer waited before hanging up."
            if problems:
                raise ValidationError(problems)



# Optional call metadata, accepted the same way by every way in (admin upload, API, CLI).
# Forms and serializers are built from these model fields, so validation lives on the model.
CALL_METADATA_FIELDS = (
    "direction",
    "customer_ref",
    "queue",
    "wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "after_call_work_seconds",
    "disposition",
    "resolved",
    "csat",
    "nps",
    "ces",
)


class RedactionStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for the transcript"
    PENDING = "pending", "Queued"
    WORKING = "working", "Being made"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Recording(models.Model):
    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="recording")
    # Denormalised from the call so the database itself keeps one copy of each audio per client.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(storage=recordings_storage, upload_to=recording_upload_to, max_length=255)
    original_filename = models.CharField(max_length=255, blank=True, help_text="As uploaded; kept as data only.")
    sha256 = models.CharField(max_length=64)
    container = models.CharField(max_length=32)
    codec = models.CharField(max_length=32)
    duration_seconds = models.FloatField()
    channels = models.PositiveSmallIntegerField()
    sample_rate = models.PositiveIntegerField()
    size_bytes = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    # The copy everyone but QA staff with `view_unredacted_transcript` hears: masked spans silenced
    # (recordings.redaction_store). Served only while READY, so a stale copy never plays.
    redacted_file = models.FileField(storage=recordings_storage, max_length=255, blank=True)
    redaction_status = models.CharField(
        max_length=10, choices=RedactionStatus.choices, default=RedactionStatus.WAITING, db_index=True,
    )
    redaction_failure = models.TextField(blank=True)
    redaction_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the redaction status last changed (queued, taken by a worker, done).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "sha256"], name="recording_audio_unique_per_client"),
            models.CheckConstraint(
                condition=~Q(redaction_status="ready") | ~Q(redacted_file=""), name="recording_redaction_ready_has_file",
            ),
            models.CheckConstraint(condition=Q(duration_seconds__gt=0), name="recording_duration_positive"),
            models.CheckConstraint(condition=Q(size_bytes__gt=0), name="recording_size_positive"),
            models.CheckConstraint(condition=Q(channels__gte=1), name="recording_has_channels"),
        ]

    def __str__(self) -> str:
        return f"Recording of {self.call}"


class Speaker(models.TextChoices):
    AGENT = "agent", "Agent"
    CUSTOMER = "customer", "Customer"
    UNKNOWN = "unknown", "Unknown"


class Transcript(models.Model):
    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="transcript")
    language = models.CharField(max_length=8, blank=True)
    engine = models.CharField(max_length=32)
    model_name = models.CharField(max_length=255)
    processing_seconds = models.FloatField()
    audio_seconds = models.FloatField(default=0)
    text = models.TextField(blank=True, help_text="All segments' text, for search.")
    # Filled on PostgreSQL only (GIN-indexed there); SQLite searches `text` instead.
    search_vector = SearchVectorField(null=True, editable=False)
    # Redaction, computed once when the transcript is stored (recordings.redaction_store). Until
    # `redacted_at` is set, people who may only read redacted text see no transcript at all.
    redacted_text = models.TextField(blank=True, help_text="All segments' redacted text, for search by redacted readers.")
    redacted_search_vector = SearchVectorField(null=True, editable=False)
    masked_spans = models.JSONField(default=list, blank=True, help_text="recordings.redaction.MaskedSpan.as_dict() each.")
    redaction_region = models.CharField(max_length=2, blank=True, help_text="The default phone region redaction used.")
    redacted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        permissions = [("view_unredacted_transcript", "Can read transcripts and hear recordings unredacted")]

    def __str__(self) -> str:
        return f"Transcript of {self.call}"


class Segment(models.Model):
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="segments")
    index = models.PositiveIntegerField()
    speaker = models.CharField(max_length=8, choices=Speaker.choices)
    start = models.FloatField()
    end = models.FloatField()
    text = models.TextField()
    # [[start, end, word, probability], ...]: read together with the segment, never alone.
    words = models.JSONField(default=list, blank=True)
    redacted_text = models.TextField(blank=True)
    redacted_words = models.JSONField(default=list, blank=True, help_text="Same shape as words; a masked run is one label.")

    class Meta:
        ordering = ["transcript", "index"]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "index"], name="segment_index_unique"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="segment_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.speaker} {self.start:.1f}-{self.end:.1f}s"


class CallAnalytics(models.Model):
    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="analytics")
    agent_talk_seconds = models.FloatField()
    customer_talk_seconds = models.FloatField()
    talk_listen_ratio = models.FloatField(null=True, blank=True)
    dead_air_seconds = models.FloatField()
    longest_dead_air_seconds = models.FloatField()
    overtalk_seconds = models.FloatField()
    interruptions = models.PositiveIntegerField()
    longest_monologue_seconds = models.FloatField()
    agent_words_per_minute = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "call analytics"

    def __str__(self) -> str:
        return "Speech analytics"
