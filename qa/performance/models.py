"""Agent performance: training-need rules and flags, coaching sessions, agents' answers to evaluations,
and the log of every decision about an agent (shown to that agent)."""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from qa.autoqa.config import KEY_PATTERN
from qa.performance.rules import Rule, Thresholds
from qa.reviews.models import Criterion, Evaluation, EvaluationAmendment
from recordings.models import Agent, Call, Client, Team


class TrainingRules(models.Model):
    """The training-need rules' switches and thresholds for a team or a client (an agent's team wins)."""

    client = models.OneToOneField(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="training_rules")
    team = models.OneToOneField(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="training_rules")
    section_rule_on = models.BooleanField(
        "flag a low section average", default=True,
        help_text="A section's average over the agent's last evaluations below the threshold.",
    )
    section_threshold = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("75"), validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Lowest acceptable section average (0-100).",
    )
    section_last_evaluations = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="How many of the agent's latest evaluations the section and critical-fail rules look at.",
    )
    critical_fail_rule_on = models.BooleanField("flag a critical fail", default=True)
    fcr_rule_on = models.BooleanField("flag FCR below target", default=True)
    fcr_target = models.DecimalField(
        "FCR target", max_digits=4, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="0-1; blank uses the FCR target of the client whose calls the agent handled most.",
    )
    aht_rule_on = models.BooleanField("flag a long AHT", default=True)
    aht_above_median_percent = models.PositiveSmallIntegerField(
        "AHT above the team median by more than (%)", default=20, validators=[MaxValueValidator(500)],
    )
    monitoring_rule_on = models.BooleanField("flag under-monitoring", default=True)
    minimum_calls = models.PositiveSmallIntegerField(
        default=10, help_text="The FCR and AHT rules judge an agent only on at least this many calls in the week.",
    )
    # Off by default: an automatic check flags agents only once a manager trusts it (its agreement with reviewers).
    auto_check_rule_on = models.BooleanField(
        "flag an automatic check failed often", default=False,
        help_text="An automatic check failed on more than the share below of the agent's calls it judged in the week.",
    )
    auto_check_keys = models.CharField(
        "checks", max_length=500, blank=True,
        help_text="The checks' keys, separated by commas (e.g. greeting, recording_disclosure); blank: any check.",
    )
    auto_check_fail_rate = models.DecimalField(
        "fail rate above", max_digits=4, decimal_places=3, default=Decimal("0.30"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="0-1, of the calls the check judged (pass or fail; unknown left out).",
    )
    auto_check_minimum_calls = models.PositiveSmallIntegerField(
        "over at least (calls judged)", default=10, validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="A check is judged only on at least this many of the agent's calls it passed or failed in the week.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "training rules"
        constraints = [
            models.CheckConstraint(
                condition=(Q(client__isnull=False, team__isnull=True) | Q(client__isnull=True, team__isnull=False)),
                name="training_rules_for_client_or_team",
            ),
            models.CheckConstraint(
                condition=Q(section_threshold__gte=0, section_threshold__lte=100), name="training_rules_threshold_percent",
            ),
            models.CheckConstraint(
                condition=Q(fcr_target__isnull=True) | Q(fcr_target__gte=0, fcr_target__lte=1),
                name="training_rules_fcr_target_fraction",
            ),
            models.CheckConstraint(
                condition=Q(auto_check_fail_rate__gte=0, auto_check_fail_rate__lte=1), name="training_rules_auto_fail_rate_fraction",
            ),
            models.CheckConstraint(condition=Q(auto_check_minimum_calls__gte=1), name="training_rules_auto_minimum_calls_positive"),
        ]

    def __str__(self) -> str:
        return f"Training rules for {'client ' + str(self.client) if self.client_id else 'team ' + str(self.team)}"

    @property
    def auto_check_key_list(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(k.strip() for k in self.auto_check_keys.split(",") if k.strip()))

    def clean(self) -> None:
        keys = self.auto_check_key_list
        malformed = [k for k in keys if not re.fullmatch(KEY_PATTERN, k)]
        if malformed:
            raise ValidationError({"auto_check_keys": f"Not a check key: {', '.join(malformed)} (lower-case letters, digits and _)."})
        unknown = sorted(set(keys) - set(Criterion.objects.filter(key__in=keys).values_list("key", flat=True)))
        if unknown:
            raise ValidationError({"auto_check_keys": f"No rubric question has the key {', '.join(unknown)}."})
        self.auto_check_keys = ", ".join(keys)

    def thresholds(self, *, client_fcr_target: Decimal | None) -> Thresholds:
        fcr_target = self.fcr_target if self.fcr_target is not None else client_fcr_target
        if fcr_target is None:
            fcr_target = Client._meta.get_field("fcr_target").default
        return Thresholds(
            section_rule_on=self.section_rule_on, section_threshold=float(self.section_threshold),
            section_last_evaluations=self.section_last_evaluations, critical_fail_rule_on=self.critical_fail_rule_on,
            fcr_rule_on=self.fcr_rule_on, fcr_target=float(fcr_target), aht_rule_on=self.aht_rule_on,
            aht_above_median_percent=float(self.aht_above_median_percent), monitoring_rule_on=self.monitoring_rule_on,
            minimum_calls=self.minimum_calls, auto_check_rule_on=self.auto_check_rule_on,
            auto_check_keys=self.auto_check_key_list, auto_check_fail_rate=float(self.auto_check_fail_rate),
            auto_check_minimum_calls=self.auto_check_minimum_calls,
        )


class TrainingFlag(models.Model):
    """A training need: one per agent and rule, reopened (never duplicated) when the rule fires again."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        COACHING_PLANNED = "coaching_planned", "Coaching planned"
        COACHED = "coached", "Coached"
        CLOSED = "closed", "Closed"

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="training_flags")
    rule = models.CharField(max_length=32, choices=Rule.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    summary = models.CharField(max_length=500, help_text="What the rule saw, in a sentence.")
    figures = models.JSONField(default=dict, help_text="The figures the rule judged.")
    evaluations = models.ManyToManyField(Evaluation, blank=True, related_name="training_flags")
    calls = models.ManyToManyField(Call, blank=True, related_name="training_flags")
    first_opened_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(default=timezone.now, help_text="When it last opened (or reopened).")
    last_fired_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    times_opened = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["status", "-opened_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "rule"], name="training_flag_one_per_agent_rule"),
            models.CheckConstraint(condition=Q(rule__in=Rule.values), name="training_flag_rule_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "coaching_planned", "coached", "closed"]), name="training_flag_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False) | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="training_flag_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}: {self.agent.name} ({self.get_status_display().lower()})"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class CoachingSession(models.Model):
    """A coach's session with an agent about flags and evaluations; held once `held_at` is set."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="coaching_sessions")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaching_sessions")
    scheduled_for = models.DateTimeField()
    held_at = models.DateTimeField(null=True, blank=True, help_text="When it took place; blank while planned.")
    notes = models.TextField(blank=True)
    agreed_action = models.TextField(blank=True, help_text="What the agent and coach agreed to do.")
    flags = models.ManyToManyField(TrainingFlag, blank=True, related_name="coaching_sessions")
    evaluations = models.ManyToManyField(Evaluation, blank=True, related_name="coaching_sessions")
    follow_up_evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="A later evaluation that shows whether the coaching worked.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_for", "-id"]

    def __str__(self) -> str:
        return f"Coaching for {self.agent.name} on {timezone.localtime(self.scheduled_for):%Y-%m-%d}"

    @property
    def is_held(self) -> bool:
        return self.held_at is not None


class Acknowledgement(models.Model):
    """The agent has read an evaluation and accepts it."""

    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="acknowledgement")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.agent.name} acknowledged evaluation {self.evaluation_id}"


class Dispute(models.Model):
    """The agent contests an evaluation; a QA manager upholds the score or re-scores it (a logged amendment)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Score upheld"
        RESCORED = "rescored", "Re-scored"

    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="dispute")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="disputes")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    score_disputed = models.DecimalField(max_digits=5, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True, help_text="The manager's reasons, shown to the agent.")
    amendment = models.ForeignKey(EvaluationAmendment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["status", "-raised_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="dispute_has_reason"),
            models.CheckConstraint(condition=Q(status__in=["open", "upheld", "rescored"]), name="dispute_status_valid"),
            models.CheckConstraint(
                condition=(Q(status="open", resolved_at__isnull=True)
                           | (~Q(status="open") & Q(resolved_at__isnull=False) & ~Q(resolution=""))),
                name="dispute_resolution_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Dispute of evaluation {self.evaluation_id} by {self.agent.name} ({self.get_status_display().lower()})"


class LogEntry(models.Model):
    """One decision about an agent's performance, by a person or by the rules (actor empty)."""

    class Kind(models.TextChoices):
        FLAG_OPENED = "flag_opened", "Flag opened"
        FLAG_REOPENED = "flag_reopened", "Flag reopened"
        FLAG_MOVED = "flag_moved", "Flag status changed"
        COACHING_PLANNED = "coaching_planned", "Coaching planned"
        COACHING_HELD = "coaching_held", "Coaching held"
        ACKNOWLEDGED = "acknowledged", "Evaluation acknowledged"
        DISPUTED = "disputed", "Evaluation disputed"
        DISPUTE_UPHELD = "dispute_upheld", "Dispute: score upheld"
        DISPUTE_RESCORED = "dispute_rescored", "Dispute: re-scored"

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="performance_log")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Empty: the training-need rules.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    evaluation = models.ForeignKey(Evaluation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    flag = models.ForeignKey(TrainingFlag, null=True, blank=True, on_delete=models.SET_NULL, related_name="log")
    coaching_session = models.ForeignKey(CoachingSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    dispute = models.ForeignKey(Dispute, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "decision log entry"
        verbose_name_plural = "decision log"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"
