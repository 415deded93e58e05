"""Stored insights: reports the worker precomputed, dismissed integrity flags, attached code.

Imported at the end of challenges/models.py, so the app label stays `challenges`."""

from django.conf import settings
from django.db import models

from challenges.models import Challenge


class InsightReport(models.Model):
    """One precomputed report: a student's own result (kind "student", subject "u<id>"), the
    class report ("class"), the integrity signals ("integrity") or an example's picture
    ("image", subject "r<row>"). `signature` names the inputs it was computed from."""

    class Kind(models.TextChoices):
        STUDENT = "student"
        CLASS = "class"
        INTEGRITY = "integrity"
        IMAGE = "image"

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="insights")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    subject = models.CharField(max_length=40, blank=True, default="")
    data = models.JSONField(default=dict)
    signature = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "kind", "subject"], name="one_insight_per_subject"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} on {self.challenge_id}"


class IntegrityDismissal(models.Model):
    """An instructor's decision that a flagged pair is innocent, with their note."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="+")
    user_a = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    user_b = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=500)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "user_a", "user_b"], name="one_dismissal_per_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"pair {self.user_a_id}/{self.user_b_id} on {self.challenge_id}"


class AttachedCode(models.Model):
    """The notebook (.ipynb) or script (.py) a student attached to a final submission: one
    per submission, a new one replaces it. Kept in the database (at most MAX_CODE_BYTES);
    `fingerprints` are its winnowing [hash, line] pairs, computed once at upload."""

    class Kind(models.TextChoices):
        NOTEBOOK = "ipynb"
        SCRIPT = "py"

    submission = models.OneToOneField(
        "challenges.Submission", on_delete=models.CASCADE, related_name="attached_code"
    )
    kind = models.CharField(max_length=5, choices=Kind.choices)
    file_name = models.CharField(max_length=255, help_text="the uploaded name, for display")
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    fingerprints = models.JSONField(default=list)
    uploaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.kind} code of submission {self.submission_id}"
