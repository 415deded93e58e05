"""Writes: creating and scoring submissions. Keyword-only, typed, transactional."""

import logging
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from challenges.boards import standings
from challenges.boards.ladders import losses_to_bytes
from challenges.models import Challenge, Submission
from challenges.rules import deadlines, quotas
from challenges.scoring import (
    Solution,
    SubmissionInvalid,
    SubmissionSpec,
    load_solution,
    score_submission,
)
from challenges.storage import hidden_storage
from vsegrader.refusals import Refused
from vsegrader.uploads import too_large_message

log = logging.getLogger(__name__)

INTERNAL_ERROR_MESSAGE = (
    "Scoring failed because of an error on our side, not in your file. "
    "The instructors can see it; please submit again later."
)

FILE_PURGED_MESSAGE = (
    "This submission failed validation and its file was deleted after the retention "
    "period, so it cannot be scored again."
)


class SubmissionRejected(Refused):
    """An upload refused before it was stored; `message` tells the user what to fix, and
    `retry_after` (seconds) is set when waiting is the fix."""

    def __init__(self, message: str, code: str, retry_after: int | None = None):
        super().__init__(message, code)
        self.retry_after = retry_after


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


def check_quota(*, challenge: Challenge, user, now: datetime) -> None:
    """The participant's limits, checked with their row locked: the upload rate shared by
    the page and the API, then the total, daily and failed caps of this challenge."""
    quotas.lock_participant(user)
    enforce_limits(challenge=challenge, user=user, now=now)


def submission_precheck(*, challenge: Challenge, user) -> None:
    """The same limits, before the upload's body is read, so that a refused upload costs a
    query rather than parsing its file. Unlocked: only the check in submission_create
    decides an accepted upload."""
    if not quotas.is_exempt(user):
        enforce_limits(challenge=challenge, user=user, now=timezone.now())


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
    The queue is chosen per submission (challenges.submissions.fairness): a student's burst waits in
    the bulk queue and never in front of other students' uploads."""
    from challenges.submissions.fairness import scoring_queue_for
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


def submission_score(*, submission_id: int) -> Submission | None:
    """Scores one submission. Idempotent: a finished or missing submission is left alone,
    and a row another worker is scoring right now is skipped (its lock is held)."""
    claimed = Submission.objects.filter(
        pk=submission_id, status__in=[Submission.Status.QUEUED, Submission.Status.SCORING]
    ).update(
        status=Submission.Status.SCORING,
        scoring_started_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    owner = Submission.objects.filter(pk=submission_id).values_list("user_id", flat=True).first()
    with transaction.atomic():
        quotas.lock_participant(owner)  # participant before submission, as every writer does
        submission = (
            # of=self: lock the submission only; locking the joined challenge row too would
            # make workers scoring the same challenge skip each other.
            Submission.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("challenge")
            .filter(pk=submission_id, status=Submission.Status.SCORING)
            .first()
        )
        if submission is None:
            return None
        apply_scores(submission)
        submission.save(update_fields=SCORE_FIELDS)
        standings.refresh_standings(challenge=submission.challenge, users=[owner])
    # One line per committed scoring: load and fault tests count them to prove exactly-once.
    log.info("Scored submission %s: %s", submission_id, submission.status)
    return submission


SCORE_FIELDS = [
    "status",
    "public_score",
    "private_score",
    "error",
    "scored_at",
    "shown_public_score",
    "ladder_accepted",
    "public_losses",
    "private_ci_low",
    "private_ci_high",
]


def apply_scores(submission: Submission) -> None:
    """Computes the scores onto the row. Storage errors propagate so the task retries."""
    challenge = submission.challenge
    if not submission.file:  # a failed upload's file, deleted after the retention period
        fail(submission, FILE_PURGED_MESSAGE)
        submission.scored_at = timezone.now()
        return
    solution = cached_solution(challenge)
    with submission.file.open("rb") as handle:
        data = handle.read()
    submission.scored_at = timezone.now()
    try:
        scores = score_submission(data, challenge.spec, solution)
    except SubmissionInvalid as invalid:
        fail(submission, "\n".join(invalid.errors) or str(invalid))
        return
    except Exception:  # a bug in scoring must not leave the row stuck or crash the worker
        log.exception("Scoring submission %s crashed", submission.pk)
        fail(submission, INTERNAL_ERROR_MESSAGE)
        return
    submission.status = Submission.Status.SCORED
    submission.public_score = scores.public
    submission.private_score = scores.private
    submission.private_ci_low, submission.private_ci_high = scores.private_ci or (None, None)
    submission.public_losses = losses_to_bytes(scores.public_losses)
    submission.shown_public_score = scores.public  # Ladder mode replays it (ladders.py)
    submission.error = ""


def fail(submission: Submission, message: str) -> None:
    submission.status = Submission.Status.FAILED
    submission.public_score = None
    submission.private_score = None
    submission.shown_public_score = None
    submission.ladder_accepted = None
    submission.public_losses = None
    submission.private_ci_low = submission.private_ci_high = None
    submission.error = message


def cached_solution(challenge: Challenge) -> Solution:
    return _load_solution(challenge.solution.name, challenge.solution_sha256, challenge.spec)


@lru_cache(maxsize=16)
def _load_solution(name: str, sha256: str, spec: SubmissionSpec) -> Solution:
    # Keyed by the file's hash and the spec, so a re-import with any change misses the cache.
    with hidden_storage().open(name, "rb") as handle:
        return load_solution(handle.read(), spec)


def submissions_requeue_stuck(*, now: datetime | None = None) -> int:
    """Sends every submission that waited too long to a worker again (lost message,
    broker outage, dead worker). Safe to run any time: scoring is idempotent."""
    now = now or timezone.now()
    stuck = Submission.objects.filter(
        Q(status=Submission.Status.QUEUED, created_at__lt=now - settings.REQUEUE_QUEUED_AFTER)
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
