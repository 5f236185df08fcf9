from django.conf import settings
from django.db import models


class Action(models.TextChoices):
    RECORDING_PLAYED = "recording.played", "Recording played"
    RECORDING_DOWNLOADED = "recording.downloaded", "Recording downloaded"
    TRANSCRIPT_VIEWED = "transcript.viewed", "Transcript viewed"
    UNREDACTED_TRANSCRIPT_VIEWED = "transcript.unredacted_viewed", "Unredacted transcript viewed"
    EVALUATION_SUBMITTED = "evaluation.submitted", "Evaluation submitted"
    EVALUATION_AMENDED = "evaluation.amended", "Evaluation amended"
    DISPUTE_DECIDED = "dispute.decided", "Dispute decided"
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login.failed", "Login failed"
    LOCKOUT = "login.locked_out", "Locked out"
    RETENTION_DELETED = "retention.deleted", "Deleted by retention"


class AuditEntry(models.Model):
    """Who did what to which object, when, from where. Written by services; never changed."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    # Kept as text too: the entry outlives the user account, and failed logins have no user.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=60, blank=True, help_text="app_label.model, e.g. recordings.call")
    object_id = models.CharField(max_length=64, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit log"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name or '-'} {self.action} {self.object_type}#{self.object_id}"
