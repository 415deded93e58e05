"""The first half of a submission's way: receive an upload, check it against the rules,
store it as a `queued` row (the row is the job) and send the scoring task once the row is
committed. The second half, after the broker, is `judge.py`. Read top to bottom.

Fair queueing: a submission goes to the ordinary `scoring` queue when it is its author's
oldest one still waiting for a score, and to the bulk queue (setting SCORING_BULK_QUEUE,
e.g. "scoring-bulk"; empty or unset: everything goes to `scoring`) when an older one of
theirs is still queued or being scored. Workers consume both (`-Q scoring,scoring-bulk`) in
turn, so an upload in `scoring` waits behind at most one bulk task per free worker process,
however many a student has sent. A rescore's rows all go to the bulk queue and do not count
as anyone's older upload, so a rescore of the whole challenge delays no new upload either.
The queue is only a route: the row stays `queued` until it is scored, and the periodic
requeue sends a stuck row again through the same rule.
"""

import logging
import unicodedata
from collections.abc import Mapping
from datetime import datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import timezone

from challenges.models import Challenge, Submission
from challenges.rules import deadlines, quotas
from vsegrader.refusals import Refused
from vsegrader.uploads import too_large_message

log = logging.getLogger(__name__)

IN_FLIGHT = (Submission.Status.QUEUED, Submission.Status.SCORING)


class SubmissionRejected(Refused):
    """An upload refused before it was stored; `message` tells the user what to fix, and
    `retry_after` (seconds) is set when waiting is the fix."""

    def __init__(self, message: str, code: str, retry_after: int | None = None):
        super().__init__(message, code)
        self.retry_after = retry_after


def submission_receive(
    *, challenge: Challenge, user, data: Mapping, body_too_large: bool = False
) -> Submission:
    """An upload from the page's form or the API's serializer (`data`: its `file` and
    `description`). A body the upload handler stopped for its size
    (`vsegrader.uploads.body_too_large`) is refused with the site's limit; anything else goes
    to `submission_create`. Both views call this, so they refuse the same files the same way."""
    if body_too_large:
        message = too_large_message(settings.SUBMISSION_MAX_BYTES)
        raise SubmissionRejected(message, "file_too_large")
    return submission_create(
        challenge=challenge,
        user=user,
        file=data.get("file"),
        description=data.get("description", ""),
    )


def submission_precheck(*, challenge: Challenge, user) -> None:
    """The same limits, before the upload's body is read, so that a refused upload costs a
    query rather than parsing its file. Unlocked: only the check in submission_create
    decides an accepted upload."""
    if not quotas.is_exempt(user):
        enforce_limits(challenge=challenge, user=user, now=timezone.now())


def submission_create(
    *,
    challenge: Challenge,
    user,
    file: UploadedFile | None,
    description: str = "",
    is_baseline: bool = False,
) -> Submission:
    """Stores an upload and queues its scoring. Refuses it (SubmissionRejected) when the file
    is unusable or the participant's limit is reached; a late one is accepted and marked."""
    check_upload(challenge=challenge, file=file)
    submission = Submission(
        challenge=challenge,
        user=user,
        file_name=display_file_name(file.name),
        size=file.size,
        description=description.strip()[:500],
        is_baseline=is_baseline,
    )
    with transaction.atomic():
        submission.created_at = timezone.now()
        if not (is_baseline or quotas.is_exempt(user)):
            check_quota(challenge=challenge, user=user, now=submission.created_at)
        # Baselines are reference rows, often trained after the challenge closed.
        submission.is_late = not is_baseline and deadlines.is_late(
            challenge=challenge, user=user, at=submission.created_at
        )
        submission.file.save("upload.csv", file, save=False)
        submission.save()
        transaction.on_commit(lambda: enqueue_scoring(submission.pk))
    return submission


def display_file_name(name: str | None) -> str:
    """The uploaded name, made harmless for display: no folders, no control characters."""
    base = (name or "submission.csv").replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()[:255]
    return printable if printable.strip(".") else "submission.csv"  # not "", "." or ".."


def check_upload(*, challenge: Challenge, file: UploadedFile | None) -> None:
    if file is None:
        raise SubmissionRejected("Choose a CSV file to upload.", "file_missing")
    limit = min(challenge.max_file_mb * 1024 * 1024, settings.SUBMISSION_MAX_BYTES)
    if file.size > limit:
        raise SubmissionRejected(too_large_message(limit), "file_too_large")
    if file.size == 0:
        raise SubmissionRejected("The file is empty.", "file_empty")


def check_quota(*, challenge: Challenge, user, now: datetime) -> None:
    """The participant's limits, checked with their row locked: the upload rate shared by
    the page and the API, then the total, daily and failed caps of this challenge."""
    quotas.lock_participant(user)
    enforce_limits(challenge=challenge, user=user, now=now)


def enforce_limits(*, challenge: Challenge, user, now: datetime) -> None:
    try:
        quotas.enforce_upload_rate(user=user, now=now)
        quotas.enforce_quota(challenge=challenge, user=user, now=now)
    except quotas.UploadRateExceeded as fast:
        raise SubmissionRejected(fast.message, fast.code, fast.retry_after) from fast
    except quotas.QuotaExceeded as exceeded:
        raise SubmissionRejected(exceeded.message, exceeded.code) from exceeded


def enqueue_scoring(submission_id: int) -> bool:
    """Sends the scoring task. A broker outage is survivable: the row stays `queued` and
    `submissions_requeue_stuck` sends it again, so the upload itself never fails for it.
    The queue is chosen per submission (`scoring_queue_for`, the module docstring)."""
    from challenges.tasks import score_submission as score_task

    options = {"retry": False}
    queue = scoring_queue_for(submission_id)
    if queue:
        options["queue"] = queue
    try:
        score_task.apply_async(args=[submission_id], **options)
    except Exception as exc:  # kombu raises several types for an unreachable broker
        log.warning("Could not enqueue submission %s (%s); it will be requeued", submission_id, exc)
        return False
    return True


def bulk_queue() -> str:
    return getattr(settings, "SCORING_BULK_QUEUE", "") or ""


# Rows queued again by their challenge's rescore (created before it was asked for): the
# backlog of a rescore goes to the bulk queue, and it never makes a new upload of their
# authors wait behind it
RESCORED = Q(created_at__lt=F("challenge__rescore_requested_at"))


def scoring_queue_for(submission_id: int) -> str | None:
    """The bulk queue for a rescored row, or when the author has an older upload waiting;
    else None (the task's own route, `scoring`). Two queries at most."""
    bulk = bulk_queue()
    if not bulk:
        return None
    row = Submission.objects.filter(pk=submission_id).annotate(
        rescored=ExpressionWrapper(RESCORED, BooleanField())
    )
    found = row.values("user_id", "rescored").first()
    if found is None or found["rescored"]:
        return bulk if found else None
    older_waiting = (
        Submission.objects.filter(
            user_id=found["user_id"], pk__lt=submission_id, status__in=IN_FLIGHT
        )
        .exclude(RESCORED)
        .exists()
    )
    return bulk if older_waiting else None


def submissions_requeue_stuck(*, now: datetime | None = None) -> int:
    """Sends every submission that waited too long to a worker again (lost message,
    broker outage, dead worker). Safe to run any time: scoring is idempotent."""
    now = now or timezone.now()
    queued_before = now - settings.REQUEUE_QUEUED_AFTER
    stuck = Submission.objects.filter(
        # a rescore sent its rows just now, however old they are
        Q(status=Submission.Status.QUEUED, created_at__lt=queued_before)
        & ~Q(challenge__rescore_requested_at__gte=queued_before)
        | Q(
            status=Submission.Status.SCORING,
            scoring_started_at__lt=now - settings.REQUEUE_SCORING_AFTER,
        )
    ).values_list("pk", flat=True)
    sent = sum(enqueue_scoring(pk) for pk in stuck.iterator())
    if sent:
        log.info("Requeued %s stuck submissions", sent)
    return sent


def submissions_rescore(*, challenge: Challenge) -> int:
    """Puts every submission of a challenge back in the queue (its solution changed); failed
    ones whose file the retention period deleted stay as they are."""
    rescorable = challenge.submissions.exclude(file="")
    ids = list(rescorable.values_list("pk", flat=True))
    challenge.rescore_requested_at = timezone.now()
    challenge.save(update_fields=["rescore_requested_at"])
    # The Ladder restarts from scratch: decisions are replayed as submissions are rescored.
    rescorable.update(status=Submission.Status.QUEUED, error="", ladder_accepted=None)
    transaction.on_commit(lambda: [enqueue_scoring(pk) for pk in ids])
    return len(ids)
