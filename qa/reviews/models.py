"""QA domain: rubrics (versioned), evaluations, monitoring plans, review queue, calibration."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from qa.autoqa.config import KEY_PATTERN
from qa.reviews import autochecks, scoring
from recordings.models import Agent, Call, Client, Team


class AnswerType(models.TextChoices):
    YES_NO = scoring.YES_NO, "Yes / No"
    YES_NO_NA = scoring.YES_NO_NA, "Yes / No / N/A"
    SCALE_1_5 = scoring.SCALE_1_5, "Scale 1-5"
    POINTS = scoring.POINTS, "Points 0-N"


class Rubric(models.Model):
    """A scoring form; its questions live in versions so old evaluations never change."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(
        default=False, help_text="Used for clients that have no rubric of their own.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="rubric_one_default"),
        ]

    def __str__(self) -> str:
        return self.name


class RubricAssignment(models.Model):
    """Which rubric a client's calls are scored on: one per client."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="rubric_assignment")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="assignments")

    def __str__(self) -> str:
        return f"{self.client} → {self.rubric}"


class RubricVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(blank=True, help_text="What changed in this version.")
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rubric__name", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "number"], name="rubric_version_number_unique"),
            models.UniqueConstraint(
                fields=["rubric"], condition=Q(status="published"), name="rubric_one_published_version",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "retired"]), name="rubric_version_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="rubric_version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rubric.name} v{self.number} ({self.get_status_display().lower()})"

    @property
    def is_in_use(self) -> bool:
        """Scored (or being scored) against."""
        return self.evaluations.exists() or self.calibration_sessions.exists()

    @property
    def is_locked(self) -> bool:
        """Its questions may no longer change: evaluations keep the version they were scored on."""
        return self.status == self.Status.RETIRED or self.is_in_use


class Section(models.Model):
    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    weight = models.DecimalField(
        max_digits=6, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0.01"))],
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [models.CheckConstraint(condition=Q(weight__gt=0), name="section_weight_positive")]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="criteria")
    question = models.CharField(max_length=300)
    guidance = models.TextField(blank=True, help_text="What the reviewer should listen for.")
    answer_type = models.CharField(max_length=12, choices=AnswerType.choices, default=AnswerType.YES_NO)
    weight = models.DecimalField(
        max_digits=6, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Share of its section; for points questions, use max points for the scale.",
    )
    max_points = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Points questions only: 0 to this.")
    is_critical = models.BooleanField(
        default=False, help_text="Compliance item: failing it makes the whole evaluation 0.",
    )
    position = models.PositiveIntegerField(default=0)
    # Auto-QA (qa.reviews.autochecks): a stable key, the same in every version, and the check on it.
    key = models.CharField(
        max_length=64, blank=True, validators=[RegexValidator(f"^{KEY_PATTERN}$", "Lower-case letters, digits and _, starting with a letter.")],
        help_text="Stable name of the question (e.g. greeting), kept in new versions; needed for an automatic check.",
    )
    auto_check = models.JSONField(
        null=True, blank=True,
        help_text='Automatic check: {"rule": {"type": "phrase", "phrases": ["thank you for calling {company}"], '
                  '"first_seconds": 15}}. See README, Auto-QA. Empty: reviewers only.',
    )
    auto_check_enabled = models.BooleanField(default=True, help_text="Off: the check is not run (managers switch it).")

    class Meta:
        ordering = ["section__position", "section_id", "position", "id"]
        verbose_name_plural = "criteria"
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(
                condition=Q(answer_type__in=scoring.ANSWER_TYPES), name="criterion_answer_type_valid",
            ),
            models.CheckConstraint(
                condition=(Q(answer_type="points", max_points__gte=1) | (~Q(answer_type="points") & Q(max_points__isnull=True))),
                name="criterion_max_points_for_points_only",
            ),
        ]

    def __str__(self) -> str:
        return self.question

    def clean(self):
        if self.answer_type == AnswerType.POINTS and not self.max_points:
            raise ValidationError({"max_points": "A points question needs max points (1 or more)."})
        if self.answer_type != AnswerType.POINTS and self.max_points is not None:
            raise ValidationError({"max_points": "Only points questions have max points."})
        autochecks.criterion_clean(self)

    def spec(self) -> scoring.CriterionSpec:
        return scoring.CriterionSpec(
            key=self.pk, answer_type=self.answer_type, weight=self.weight,
            max_points=self.max_points, critical=self.is_critical,
        )


class CalibrationSession(models.Model):
    """One call scored blind by several reviewers, compared afterwards."""

    title = models.CharField(max_length=200)
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="calibration_sessions")
    version = models.ForeignKey(RubricVersion, on_delete=models.PROTECT, related_name="calibration_sessions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="calibration_sessions")
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Whose answers count as the reference.",
    )
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Evaluation(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="evaluations")
    version = models.ForeignKey(RubricVersion, on_delete=models.PROTECT, related_name="evaluations")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qa_evaluations")
    calibration_session = models.ForeignKey(
        CalibrationSession, null=True, blank=True, on_delete=models.CASCADE, related_name="evaluations",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    critical_failed = models.BooleanField(default=False)
    comment = models.TextField(blank=True, help_text="On the whole call.")
    comment_at_seconds = models.FloatField(null=True, blank=True, help_text="Pinned to this time in the recording.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["call"], condition=Q(calibration_session__isnull=True), name="evaluation_one_per_call",
            ),
            models.UniqueConstraint(
                fields=["calibration_session", "reviewer"], name="evaluation_one_per_calibration_reviewer",
            ),
            models.CheckConstraint(condition=Q(status__in=["draft", "submitted"]), name="evaluation_status_valid"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(score__isnull=False, submitted_at__isnull=False),
                name="evaluation_submitted_has_score",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="evaluation_score_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(comment_at_seconds__isnull=True) | Q(comment_at_seconds__gte=0),
                name="evaluation_comment_time_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation of {self.call} by {self.reviewer}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Answer(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="answers")
    value = models.CharField(max_length=8, blank=True, help_text="yes, no, na, or a number; blank while a draft.")
    comment = models.TextField(blank=True)
    comment_at_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["criterion__section__position", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="answer_one_per_criterion"),
            models.CheckConstraint(
                condition=Q(comment_at_seconds__isnull=True) | Q(comment_at_seconds__gte=0),
                name="answer_comment_time_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value or '(unanswered)'}"


class SectionScore(models.Model):
    """A submitted evaluation's score on one section, kept so per-section averages aggregate in SQL.

    The title is copied: sections are re-created in each rubric version, and figures group by title.
    """

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="section_scores")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, help_text="Empty when every answer was N/A.")

    class Meta:
        ordering = ["evaluation", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "section"], name="section_score_one_per_section"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="section_score_0_to_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.score}"


class EvaluationAmendment(models.Model):
    """A manager's change to a submitted evaluation: who, when, why, and what changed."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="amendments")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()
    score_before = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    score_after = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    changes = models.JSONField(default=list, help_text="[{field, before, after}, ...]")

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="amendment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Change to {self.evaluation_id} by {self.changed_by_id}: {self.score_before} → {self.score_after}"


class MonitoringPlan(models.Model):
    class Period(models.TextChoices):
        WEEK = "week", "Week"
        MONTH = "month", "Month"

    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="monitoring_plans")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="monitoring_plans")
    evaluations_per_agent = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    period = models.CharField(max_length=5, choices=Period.choices, default=Period.WEEK)
    days_to_review = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1)], help_text="A sampled call is due this many days after sampling.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(client__isnull=False, team__isnull=True) | Q(client__isnull=True, team__isnull=False)),
                name="plan_for_client_or_team",
            ),
            models.CheckConstraint(condition=Q(evaluations_per_agent__gte=1), name="plan_quota_positive"),
            models.CheckConstraint(condition=Q(period__in=["week", "month"]), name="plan_period_valid"),
            models.UniqueConstraint(fields=["client"], condition=Q(is_active=True, client__isnull=False), name="plan_one_active_per_client"),
            models.UniqueConstraint(fields=["team"], condition=Q(is_active=True, team__isnull=False), name="plan_one_active_per_team"),
        ]

    def __str__(self) -> str:
        scope = f"client {self.client}" if self.client_id else f"team {self.team}"
        return f"{self.evaluations_per_agent} per agent per {self.period} for {scope}"


class ReviewAssignmentQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ReviewAssignment.Status.PENDING)

    def overdue(self, now=None):
        """Still to do after its due time: the one definition of overdue (see `is_overdue`)."""
        return self.pending().filter(due_at__lt=now or timezone.now())


class ReviewAssignment(models.Model):
    """A call in a reviewer's queue, sampled by a plan or assigned by a manager."""

    class Status(models.TextChoices):
        PENDING = "pending", "To do"
        DONE = "done", "Done"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="review_assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True)
    plan = models.ForeignKey(MonitoringPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments")
    # Sampled assignments fill numbered slots of (plan, agent, period): the database
    # itself refuses a slot past the quota twice, so a re-run can never over-fill.
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField(null=True, blank=True)
    slot = models.PositiveSmallIntegerField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Empty when the sampler chose it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call"], name="assignment_one_per_call"),
            models.UniqueConstraint(
                fields=["plan", "agent", "period_start", "slot"], condition=Q(plan__isnull=False),
                name="assignment_plan_slot_unique",
            ),
            models.CheckConstraint(
                condition=Q(plan__isnull=True) | Q(agent__isnull=False, period_start__isnull=False, slot__isnull=False),
                name="assignment_sampled_has_slot",
            ),
            models.CheckConstraint(condition=Q(status__in=["pending", "done"]), name="assignment_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.call} for {self.reviewer}"

    @property
    def is_overdue(self) -> bool:
        """The row-level twin of `ReviewAssignmentQuerySet.overdue`."""
        return self.status == self.Status.PENDING and self.due_at < timezone.now()


class QueueItem(ReviewAssignment):
    """The reviewer's own queue ("My queue") in the admin."""

    class Meta:
        proxy = True
        verbose_name = "my queue item"
        verbose_name_plural = "my queue"



class AutoCheck(Criterion):
    """Questions with an automatic check: the managers' list of checks, their agreement with reviewers and
    the switch that turns one off (qa.reviews.auto_admin)."""

    class Meta:
        proxy = True
        verbose_name = "automatic check"
