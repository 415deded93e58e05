from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

DEFAULT_TIMEOUT_SECONDS = 2700  # below Redis' visibility timeout (an hour): see services


def baseline_timeout_seconds() -> int:
    return int(getattr(settings, "BASELINE_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))


class BaselineRun(models.Model):
    """One training of a challenge's baseline model; the GPU worker moves its status on,
    and its predictions enter the leaderboard as a baseline submission."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    class Device(models.TextChoices):
        AUTO = "auto"
        CPU = "cpu"
        CUDA = "cuda"

    challenge = models.ForeignKey(
        "challenges.Challenge", on_delete=models.CASCADE, related_name="baseline_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    device = models.CharField(
        max_length=10, default=Device.AUTO, help_text="as asked, then the one the run reports"
    )
    quick = models.BooleanField(default=False, help_text="a short CPU-sized training")
    seed = models.PositiveIntegerField(default=0)
    phase = models.CharField(max_length=40, blank=True)
    epoch = models.PositiveIntegerField(null=True, blank=True)
    epochs = models.PositiveIntegerField(null=True, blank=True)
    metric_name = models.CharField(max_length=40, blank=True)
    metric_value = models.FloatField(null=True, blank=True, help_text="last validation figure")
    log = models.TextField(blank=True, help_text="the last progress lines")
    error = models.TextField(blank=True, help_text="why it failed (or why it still waits)")
    submission = models.ForeignKey(
        "challenges.Submission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="baseline_runs",
    )
    task_id = models.CharField(max_length=255, blank=True)
    # Who trains it: the Celery worker's name and the pid of the process running the task,
    # so that a worker that comes back (or a redelivery) can tell the run died with it.
    worker = models.CharField(max_length=255, blank=True, help_text="the worker training it")
    worker_pid = models.PositiveIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="baseline_runs",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["challenge", "created_at"], name="baseline_run_recent")]

    def __str__(self) -> str:
        return f"baseline run #{self.pk} of {self.challenge.slug} ({self.status})"

    @property
    def is_active(self) -> bool:
        """Queued and sent to a worker, or running within its time limit."""
        if self.status == self.Status.QUEUED:
            return not self.error  # an error on a queued run: it was never sent
        return self.status == self.Status.RUNNING and not self.is_lost

    @property
    def is_lost(self) -> bool:
        """Running for longer than any run may: its worker died without a word."""
        if self.status != self.Status.RUNNING or self.started_at is None:
            return False
        limit = timedelta(seconds=baseline_timeout_seconds() + 60)
        return timezone.now() - self.started_at > limit

    @property
    def percent(self) -> int | None:
        if not self.epochs or self.epoch is None:
            return None
        return min(100, round(100 * self.epoch / self.epochs))

    @property
    def seconds(self) -> float | None:
        if self.started_at is None:
            return None
        return ((self.finished_at or timezone.now()) - self.started_at).total_seconds()
