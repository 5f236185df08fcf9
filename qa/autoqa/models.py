"""Stored auto-QA results: one automatic evaluation per call, one row per checked item, so figures aggregate in SQL.

Rubric versions, criteria and evaluations belong to `qa.reviews`, a higher layer: they are referenced by lazy
foreign keys ("reviews.Criterion"), never imported. Items also carry the criterion's stable key, which stays
the same across rubric versions, so agreement with reviewers is matched on (call, key).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from recordings.models import Call, Client, Transcript


class AutoAnswer(models.TextChoices):
    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    UNKNOWN = "unknown", "Unknown"


class AutoEvaluation(models.Model):
    """The automatic evaluation of one call, computed from one transcript against one rubric version."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="auto_evaluation")
    # A new transcript deletes the old one, and with it this result, until the recomputed one is stored.
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="+")
    rubric_version = models.ForeignKey("reviews.RubricVersion", on_delete=models.CASCADE, related_name="+")
    semantic_model = models.CharField(max_length=64, blank=True, help_text="Empty: semantic checks fell back to phrases.")
    notes = models.JSONField(default=list, blank=True)
    seconds = models.FloatField(default=0, help_text="Time the checks took.")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"Automatic evaluation of {self.call}"


class AutoItem(models.Model):
    """One checked criterion: the answer, how sure, and the quote (speaker, text, start, end) it rests on."""

    evaluation = models.ForeignKey(AutoEvaluation, on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey("reviews.Criterion", on_delete=models.CASCADE, related_name="+")
    criterion_key = models.CharField(max_length=64)
    answer = models.CharField(max_length=7, choices=AutoAnswer.choices)
    confidence = models.FloatField()
    evidence = models.JSONField(null=True, blank=True, help_text="The main quote: {speaker, text, start, end}.")
    more_evidence = models.JSONField(default=list, blank=True)
    detail = models.TextField(blank=True)
    method = models.CharField(max_length=64, blank=True)
    applicable = models.BooleanField(default=True, help_text="False: the item does not apply to this call (no hold).")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["evaluation", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion_key"], name="autoitem_one_per_key"),
            models.CheckConstraint(condition=Q(answer__in=["pass", "fail", "unknown"]), name="autoitem_answer_valid"),
            models.CheckConstraint(condition=Q(confidence__gte=0, confidence__lte=1), name="autoitem_confidence_0_to_1"),
            models.CheckConstraint(condition=~Q(answer="unknown") | Q(confidence=0), name="autoitem_unknown_has_no_confidence"),
        ]
        indexes = [models.Index(fields=["criterion_key", "answer"])]

    def __str__(self) -> str:
        return f"{self.criterion_key}: {self.answer}"


class Verdict(models.TextChoices):
    """A reviewer's answer to a checked criterion, read as the check reads it."""

    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class HumanVerdict(models.Model):
    """What a reviewer answered on a checked criterion, recorded at submission (and again at an amendment).

    `auto_answer` is the automatic answer the reviewer saw, `agreed` whether they kept it (None: there was
    nothing to agree with). Agreement figures compare verdicts with the current automatic items.
    """

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+")
    evaluation = models.ForeignKey("reviews.Evaluation", on_delete=models.CASCADE, related_name="+")
    criterion_key = models.CharField(max_length=64)
    verdict = models.CharField(max_length=14, choices=Verdict.choices)
    auto_answer = models.CharField(max_length=7, choices=AutoAnswer.choices, blank=True, help_text="Empty: none was shown.")
    agreed = models.BooleanField(null=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion_key"], name="humanverdict_one_per_key"),
            models.CheckConstraint(condition=Q(verdict__in=["pass", "fail", "not_applicable"]), name="humanverdict_verdict_valid"),
        ]
        indexes = [models.Index(fields=["call", "criterion_key"])]

    def __str__(self) -> str:
        return f"{self.criterion_key}: {self.verdict}"


class RecomputeJob(models.Model):
    """Recomputing the automatic evaluations of a range of calls in the background; counts move as it goes."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    date_from = models.DateField(help_text="Calls started on this day or later…")
    date_to = models.DateField(help_text="…up to and including this day.")
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               help_text="Empty: every client.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Transcribed calls in the range when the job started.")
    processed = models.PositiveIntegerField(default=0)
    stored = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # The last call id processed: the job walks the calls in id order, a batch per task.
    cursor = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "recompute job"
        constraints = [
            models.CheckConstraint(condition=Q(date_from__lte=F("date_to")), name="recomputejob_range_ordered"),
            models.CheckConstraint(condition=Q(status__in=["queued", "running", "done", "failed"]), name="recomputejob_status_valid"),
            models.CheckConstraint(condition=Q(stored__lte=F("processed"), failed__lte=F("processed")), name="recomputejob_counts_consistent"),
        ]

    def __str__(self) -> str:
        scope = self.client.name if self.client_id else "all clients"
        return f"Recompute {self.date_from}–{self.date_to} ({scope})"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.processed / self.total))
