"""Instructors' moderation: disqualifying a submission or a participant (with a reason the
student sees; undone by clearing it), and rescoring a whole challenge in the background."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from challenges.boards.standings import refresh_standings
from challenges.models import Challenge, Disqualification, Submission
from challenges.rules.quotas import lock_participant
from challenges.submissions.intake import submissions_rescore


def disqualify_submission(*, submission: Submission, reason: str) -> Submission:
    reason = reason.strip()
    if not reason:
        raise ValueError("Give the reason the student will see.")
    submission.disqualified_reason = reason[:500]
    submission.disqualified_at = timezone.now()
    _save_moderated(submission)
    return submission


def reinstate_submission(*, submission: Submission) -> Submission:
    submission.disqualified_reason = ""
    submission.disqualified_at = None
    _save_moderated(submission)
    return submission


def _save_moderated(submission: Submission) -> None:
    with transaction.atomic():
        lock_participant(submission.user_id)
        submission.save(update_fields=["disqualified_reason", "disqualified_at"])
        refresh_standings(challenge=submission.challenge, users=[submission.user_id])


def disqualify_participant(*, challenge: Challenge, user, reason: str, by) -> Disqualification:
    reason = reason.strip()
    if not reason:
        raise ValueError("Give the reason the student will see.")
    with transaction.atomic():
        entry, _ = Disqualification.objects.update_or_create(
            challenge=challenge, user=user, defaults={"reason": reason[:500], "created_by": by}
        )
        refresh_standings(challenge=challenge, users=[user])
    return entry


def reinstate_participant(*, challenge: Challenge, user) -> None:
    with transaction.atomic():
        Disqualification.objects.filter(challenge=challenge, user=user).delete()
        refresh_standings(challenge=challenge, users=[user])


@dataclass(frozen=True)
class RescoreProgress:
    total: int
    pending: int

    @property
    def done(self) -> int:
        return self.total - self.pending

    @property
    def running(self) -> bool:
        return self.pending > 0


def challenge_rescore(*, challenge: Challenge) -> int:
    with transaction.atomic():
        return submissions_rescore(challenge=challenge)


def rescore_progress(*, challenge: Challenge) -> RescoreProgress | None:
    """Progress of the latest rescore, or None when none was asked for."""
    if challenge.rescore_requested_at is None:
        return None
    submissions = Submission.objects.filter(challenge=challenge)
    pending = submissions.filter(
        status__in=[Submission.Status.QUEUED, Submission.Status.SCORING]
    ).count()
    return RescoreProgress(total=submissions.count(), pending=pending)
