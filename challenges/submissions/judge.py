"""The second half of a submission's way, after the broker: claim the row, score the file
against the hidden solution (the pure `challenges.scoring`), store the scores and refresh
the participant's standing, all in one transaction. The first half is `intake.py`."""

import logging
from functools import lru_cache

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from challenges.boards import standings
from challenges.boards.ladders import losses_to_bytes
from challenges.models import Challenge, Submission
from challenges.rules import quotas
from challenges.scoring import (
    Solution,
    SubmissionInvalid,
    SubmissionSpec,
    load_solution,
    score_submission,
)
from challenges.storage import hidden_storage

log = logging.getLogger(__name__)


INTERNAL_ERROR_MESSAGE = (
    "Scoring failed because of an error on our side, not in your file. "
    "The instructors can see it; please submit again later."
)

FILE_PURGED_MESSAGE = (
    "This submission failed validation and its file was deleted after the retention "
    "period, so it cannot be scored again."
)


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
