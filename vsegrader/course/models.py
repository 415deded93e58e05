"""The course: grade scheme, group projects with deliverables and marks, calendar feeds."""

import secrets
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.db.models.signals import post_save
from django.dispatch import receiver

from challenges.boards import ties
from challenges.models import Challenge
from vsegrader.course import grade_scheme
from vsegrader.times import course_time

PRAGUE = ZoneInfo("Europe/Prague")
# The course's own dates (docs/ARCHITECTURE.md, section 1); instructors change them in the admin.
DEFAULT_PROJECT_DEADLINE = datetime(2023, 4, 2, 23, 59, tzinfo=PRAGUE)
DEFAULT_REGISTRATION_DEADLINE = datetime(2023, 3, 15, 23, 59, tzinfo=PRAGUE)


def default_scale() -> list:
    return [[points, grade] for points, grade in grade_scheme.DEFAULT_SCALE]


class Singleton(models.Model):
    """One row (pk 1), created with its defaults on first use."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        row, _ = cls.objects.get_or_create(pk=1)
        return row


class GradeScheme(Singleton):
    challenge_percent = models.FloatField(
        "challenge part (points)", default=30.0, help_text="points of 100 from the challenges"
    )
    project_percent = models.FloatField(
        "project part (points)", default=70.0, help_text="points of 100 from the group project"
    )
    weights = models.JSONField(
        default=dict,
        blank=True,
        help_text='challenge slug → weight inside the challenge part, e.g. {"glasses": 2}; '
        "a challenge not listed weighs 1, a weight of 0 leaves it out",
    )
    best_of = models.JSONField(
        default=list,
        blank=True,
        help_text='groups whose best mark counts once, e.g. [["fitting-1d", "fitting-5d"]]',
    )
    scale = models.JSONField(
        default=default_scale,
        help_text='[minimum points, grade] rows, e.g. [[90, "1"], [75, "2"], [60, "3"], [0, "4"]]',
    )
    tie_policy = models.CharField(
        "ties",
        max_length=10,
        choices=ties.CHOICES,
        default=ties.DEFAULT_TIE_POLICY,
        help_text="how equal scores rank on every board, the Kaggle CSV and the grades; a "
        "challenge may override it. Kaggle's way (the default) gives the ranks of the exported "
        "CSV's Rank column, so a notebook on that file gives the gradebook's marks",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "grade scheme"

    def __str__(self) -> str:
        return f"Challenges {self.challenge_percent:g} + project {self.project_percent:g}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        share_tie_policy(self.tie_policy)

    def as_scheme(self) -> grade_scheme.Scheme:
        return grade_scheme.Scheme(
            challenge_percent=self.challenge_percent,
            project_percent=self.project_percent,
            weights=self.weights if isinstance(self.weights, dict) else {},
            best_of=tuple(tuple(group) for group in self.best_of if isinstance(group, list)),
            scale=tuple((row[0], row[1]) for row in self.scale if isinstance(row, list)),
        )

    def clean(self):
        if not isinstance(self.best_of, list):
            raise ValidationError('best_of must be a list of lists, like [["a", "b"]].')
        raw = grade_scheme.Scheme(
            challenge_percent=self.challenge_percent,
            project_percent=self.project_percent,
            weights=self.weights,
            best_of=tuple(self.best_of),
            scale=self.scale,
        )
        slugs = list(Challenge.objects.values_list("slug", flat=True))
        errors = grade_scheme.scheme_errors(raw, known_slugs=slugs)
        if errors:
            raise ValidationError(errors)


def share_tie_policy(policy: str, challenges=None) -> int:
    """Copies the course's tie policy onto the challenges (`challenges` may narrow them), so
    that the challenges app resolves a challenge's policy without importing the course."""
    queryset = Challenge.objects.all() if challenges is None else challenges
    return queryset.exclude(course_tie_policy=policy).update(course_tie_policy=policy)


def course_tie_policy() -> str:
    policy = GradeScheme.objects.filter(pk=1).values_list("tie_policy", flat=True).first()
    return policy or ties.DEFAULT_TIE_POLICY


@receiver(post_save, sender=Challenge, dispatch_uid="course-tie-policy")
def challenge_saved(sender, instance: Challenge, created: bool, raw: bool = False, **kwargs):
    """A new challenge takes the course's tie policy (an imported fixture keeps its own)."""
    if created and not raw:
        policy = course_tie_policy()
        if instance.course_tie_policy != policy:
            share_tie_policy(policy, Challenge.objects.filter(pk=instance.pk))
            instance.course_tie_policy = policy


class ProjectSettings(Singleton):
    registration_deadline = models.DateTimeField(
        default=DEFAULT_REGISTRATION_DEADLINE,
        help_text="groups lock then: no one creates, joins or leaves a group afterwards",
    )
    deadline = models.DateTimeField(
        "deliverables deadline",
        default=DEFAULT_PROJECT_DEADLINE,
        help_text="report and slides; later uploads are kept but marked late",
    )
    min_members = models.PositiveSmallIntegerField(default=2)
    max_members = models.PositiveSmallIntegerField(default=3)

    class Meta:
        verbose_name = "project settings"
        verbose_name_plural = "project settings"

    def __str__(self) -> str:
        return "Group project settings"

    def clean(self):
        if not 1 <= self.min_members <= self.max_members:
            raise ValidationError("Members: need 1 ≤ minimum ≤ maximum.")


class ProjectTopic(models.Model):
    """An idea from the course's list, grouped by family (Mathy, CNN, RNN, GAN, NLP)."""

    family = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "family", "title"]
        constraints = [
            models.UniqueConstraint(fields=["family", "title"], name="unique_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.family}: {self.title}"


INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(8))


class ProjectGroup(models.Model):
    name = models.CharField(max_length=80)
    topic = models.ForeignKey(
        ProjectTopic, null=True, blank=True, on_delete=models.PROTECT, related_name="groups"
    )
    own_topic = models.CharField(
        "own topic", max_length=200, blank=True, help_text="when not from the idea list"
    )
    description = models.TextField(blank=True, help_text="a short description of the plan")
    invite_code = models.CharField(max_length=12, unique=True, default=new_invite_code)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    mark = models.DecimalField(
        "project mark (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    feedback = models.TextField(blank=True)
    mark_released = models.BooleanField(
        default=False, help_text="members see the mark and feedback"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="unique_group_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def topic_title(self) -> str:
        return self.topic.title if self.topic else self.own_topic


class Membership(models.Model):
    """One group per student: the user is unique here, so the database enforces it too."""

    group = models.ForeignKey(ProjectGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_membership"
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    adjustment = models.DecimalField(
        "adjustment (% points)",
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
        help_text="added to the group's mark for this member",
    )

    class Meta:
        ordering = ["joined_at", "id"]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"


def deliverable_path(instance: "Deliverable", filename: str) -> str:
    """A generated name in the group's folder; the uploaded name is kept only for display."""
    return f"projects/group-{instance.group_id}/{instance.kind}-{uuid.uuid4().hex}.{instance.ext}"


class Deliverable(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", "written report (PDF)"
        SLIDES = "slides", "slides (PDF or PPTX)"

    group = models.ForeignKey(ProjectGroup, on_delete=models.CASCADE, related_name="deliverables")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to=deliverable_path, max_length=300)
    ext = models.CharField(max_length=5)
    file_name = models.CharField(max_length=255, help_text="the uploaded name, for display")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    is_late = models.BooleanField(default=False)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        """In the course's zone, named (the admin's messages and lists show it)."""
        return f"{self.group} {self.kind}, uploaded {course_time(self.uploaded_at)}"


class MarkChange(models.Model):
    """One change of a group's mark or a member's adjustment: who, when, old → new."""

    group = models.ForeignKey(ProjectGroup, on_delete=models.CASCADE, related_name="mark_changes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="empty for the group's mark",
    )
    field = models.CharField(max_length=20)  # "mark", "adjustment" or "released"
    old_value = models.CharField(max_length=40, blank=True)
    new_value = models.CharField(max_length=40, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.group} {self.field}: {self.old_value or '—'} → {self.new_value or '—'}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret in a student's iCalendar URL; calendar apps fetch it without a session."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar of {self.user}"
