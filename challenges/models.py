import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from vsegrader_client.format.spec import Target

from challenges.boards.ties import CHOICES as TIE_CHOICES
from challenges.boards.ties import DEFAULT_TIE_POLICY
from challenges.scoring.spec import SubmissionSpec
from challenges.storage import data_storage, hidden_storage
from vsegrader.times import course_time


class Challenge(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=300, blank=True)
    description_md = models.TextField("description (Markdown)", blank=True)
    metric = models.CharField(max_length=40)
    higher_is_better = models.BooleanField()
    id_column = models.CharField(max_length=100)
    targets = models.JSONField(help_text='[{"name": "y", "kind": "float", "labels": []}]')
    row_count = models.PositiveIntegerField()
    deadline = models.DateTimeField()
    daily_limit = models.PositiveIntegerField(default=5)
    total_limit = models.PositiveIntegerField(default=0, help_text="0 means no total limit")
    final_selections = models.PositiveIntegerField(default=2)
    failed_daily_limit = models.PositiveIntegerField(
        default=20,
        help_text="failed submissions a student may make a day (never fewer than the daily "
        "limit); those still being checked count too",
    )
    max_file_mb = models.PositiveIntegerField(default=50)
    accepts_code = models.BooleanField(
        default=False,
        help_text="students may attach the notebook or script behind a final submission",
    )
    grading = models.JSONField(default=dict, blank=True)
    facts = models.JSONField(default=dict, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    solution = models.FileField(storage=hidden_storage, max_length=300)
    solution_sha256 = models.CharField(max_length=64)
    is_published = models.BooleanField(default=True)
    public_ladder = models.BooleanField(
        default=False,
        help_text="Ladder mode (Blum & Hardt 2015): a student's shown public score changes only "
        "when a new submission beats their best by more than one standard error.",
    )
    tie_policy = models.CharField(
        "ties",
        max_length=10,
        blank=True,
        default="",
        choices=(("", "the course's setting"), *TIE_CHOICES),
        help_text="how equal scores rank on the boards, the Kaggle CSV and the grades; "
        "blank: the course's setting (grade scheme)",
    )
    course_tie_policy = models.CharField(
        max_length=10,
        default=DEFAULT_TIE_POLICY,
        choices=TIE_CHOICES,
        editable=False,
        help_text="the course's setting, copied here by the course app when it changes",
    )
    rescore_requested_at = models.DateTimeField(null=True, blank=True)
    ids_file = models.CharField(
        max_length=200,
        blank=True,
        editable=False,
        help_text="a data file whose id column lists the test ids in the solution's order",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["deadline", "slug"]

    def __str__(self) -> str:
        return self.title

    @property
    def spec(self) -> SubmissionSpec:
        targets = tuple(
            Target(name=t["name"], kind=t["kind"], labels=tuple(t.get("labels", ())))
            for t in self.targets
        )
        return SubmissionSpec(
            id_column=self.id_column, targets=targets, metric=self.metric, row_count=self.row_count
        )

    @property
    def is_open(self) -> bool:
        return timezone.now() < self.deadline

    @property
    def ties(self) -> str:
        """The tie policy in force: this challenge's override, else the course's."""
        return self.tie_policy or self.course_tie_policy


def data_file_path(instance: "DataFile", filename: str) -> str:
    return f"data/{instance.challenge.slug}/{instance.name}"


class DataFile(models.Model):
    """A downloadable file of a challenge's public data (a top-level folder arrives zipped)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    file = models.FileField(storage=data_storage, upload_to=data_file_path, max_length=300)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "name"], name="unique_file_name"),
        ]

    def __str__(self) -> str:
        return self.name


def submission_path(instance: "Submission", filename: str) -> str:
    # Never the client's file name: it could hold path separators or control characters.
    return f"submissions/{instance.challenge.slug}/{instance.user_id}/{uuid.uuid4().hex}.csv"


class Submission(models.Model):
    """A participant's upload; it is also the scoring job: workers move its status on."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        SCORING = "scoring"
        SCORED = "scored"
        FAILED = "failed"

    TERMINAL = (Status.SCORED, Status.FAILED)

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="submissions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    file = models.FileField(storage=data_storage, upload_to=submission_path, max_length=300)
    file_name = models.CharField(max_length=255, help_text="the uploaded name, for display")
    size = models.PositiveBigIntegerField()
    description = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    public_score = models.FloatField(null=True, blank=True)
    private_score = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    is_baseline = models.BooleanField(default=False)
    is_late = models.BooleanField(
        default=False, help_text="sent after the participant's deadline: scored, never counted"
    )
    is_final = models.BooleanField(default=False, help_text="chosen for the private leaderboard")
    disqualified_reason = models.CharField(
        max_length=500,
        blank=True,
        help_text="set to disqualify (the student sees it); clear to undo",
    )
    disqualified_at = models.DateTimeField(null=True, blank=True)
    public_losses = models.BinaryField(
        null=True,
        blank=True,
        editable=False,
        help_text="per-row public losses, little-endian float64 (`<f8`; Ladder)",
    )
    ladder_accepted = models.BooleanField(null=True, blank=True, editable=False)
    shown_public_score = models.FloatField(
        null=True, blank=True, help_text="the public score students see (Ladder mode: the Ladder's)"
    )
    private_ci_low = models.FloatField(null=True, blank=True)
    private_ci_high = models.FloatField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="times a worker started scoring it")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    scoring_started_at = models.DateTimeField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["challenge", "status", "public_score"], name="sub_board"),
            models.Index(fields=["user", "challenge", "created_at"], name="sub_mine"),
            models.Index(fields=["status", "created_at"], name="sub_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.challenge.slug} by {self.user}"

    @property
    def is_done(self) -> bool:
        return self.status in self.TERMINAL

    @property
    def is_disqualified(self) -> bool:
        return bool(self.disqualified_reason)


class Extension(models.Model):
    """A later deadline for one participant on one challenge, granted by an instructor."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="extensions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    deadline = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="one_extension_per_user"),
        ]

    def __str__(self) -> str:
        """In the course's zone, named (the admin's messages and lists show it)."""
        return f"{self.user} on {self.challenge.slug} until {course_time(self.deadline)}"


class Disqualification(models.Model):
    """A participant removed from one challenge's boards and grades; delete it to undo."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="disqualifications"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    reason = models.CharField(max_length=500, help_text="shown to the student")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="one_disqualification"),
        ]

    def __str__(self) -> str:
        return f"{self.user} disqualified on {self.challenge.slug}"


class Competitor(models.Model):
    """How a participant appears on student-visible boards; a pseudonym until they choose."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="competitor"
    )
    display_name = models.CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.display_name


class Standing(models.Model):
    """A team's counted best on both boards, kept up to date whenever one of its submissions
    changes (see challenges.boards.standings), so that a board is one indexed read."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="standings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.CharField(max_length=520, help_text="u<user id>; b<description>: a baseline")
    is_baseline = models.BooleanField(default=False)
    description = models.CharField(max_length=500, blank=True)
    entries = models.PositiveIntegerField()
    last_submission = models.DateTimeField()
    public_score = models.FloatField(null=True)
    public_submission_id = models.BigIntegerField(null=True)
    public_at = models.DateTimeField(null=True)
    private_score = models.FloatField(null=True)
    private_submission_id = models.BigIntegerField(null=True)
    private_at = models.DateTimeField(null=True)
    private_ci_low = models.FloatField(null=True)
    private_ci_high = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["challenge", "team"], name="one_standing_per_team"),
        ]
        indexes = [
            models.Index(fields=["challenge", "public_score"], name="standing_public"),
            models.Index(fields=["challenge", "private_score"], name="standing_private"),
        ]

    def __str__(self) -> str:
        return f"{self.team} on {self.challenge_id}"


from challenges.insights.models import (  # noqa: E402, F401
    AttachedCode,
    InsightReport,
    IntegrityDismissal,
)
