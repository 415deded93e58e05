"""Retention: the file of a failed submission is deleted once FAILED_FILE_RETENTION_HOURS
(default 24) have passed since it failed; the row, its error message and its place in the
student's history stay. A periodic task (challenges.tasks.purge_failed_files) runs it."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from challenges.models import Submission

log = logging.getLogger(__name__)
BATCH = 500


def retention() -> timedelta:
    return timedelta(hours=getattr(settings, "FAILED_FILE_RETENTION_HOURS", 24))


def file_gone_message() -> str:
    hours = retention().total_seconds() / 3600
    return (
        f"The file of this failed submission was deleted {hours:g} h after it failed; "
        "its error message is kept."
    )


def failed_files_purge(*, now: datetime | None = None) -> int:
    """Deletes the files of submissions that failed before the retention period; returns how
    many. Safe to run any time and in parallel: the row forgets its file first, and only the
    process whose update did so deletes it."""
    cutoff = (now or timezone.now()) - retention()
    expired = Submission.objects.filter(
        status=Submission.Status.FAILED, scored_at__lt=cutoff
    ).exclude(file="")
    storage = Submission._meta.get_field("file").storage
    purged = 0
    while batch := list(expired.values_list("pk", "file")[:BATCH]):
        for pk, name in batch:
            forgotten = Submission.objects.filter(
                pk=pk, status=Submission.Status.FAILED, file=name
            ).update(file="")
            if forgotten:
                storage.delete(name)
                purged += 1
    if purged:
        log.info("Deleted the files of %s failed submissions", purged)
    return purged
