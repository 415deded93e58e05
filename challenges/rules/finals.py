"""Final selection (Kaggle's rule): up to N submissions marked before the deadline count
for the private leaderboard; with none marked, the N best by public score count. Selection
closes at the participant's deadline, and in any case at the private board's first reveal."""

from django.db import transaction
from django.utils import timezone

from challenges.boards.standings import refresh_standings
from challenges.models import Submission
from challenges.rules.deadlines import effective_deadline, first_reveal_at
from challenges.rules.quotas import lock_participant
from vsegrader.refusals import Refused


class SelectionRefused(Refused):
    """A final selection that the rules do not allow."""


def submission_set_final(*, submission: Submission, user, final: bool) -> Submission:
    if submission.user_id != user.pk:
        raise SelectionRefused("Only its author can select a submission.", "not_yours")
    with transaction.atomic():
        lock_participant(user)
        submission.refresh_from_db()
        if submission.is_final == final:
            return submission
        _check_selectable(submission, user, final)
        submission.is_final = final
        submission.save(update_fields=["is_final"])
        refresh_standings(challenge=submission.challenge, users=[user])
    return submission


def _check_selectable(submission: Submission, user, final: bool) -> None:
    challenge = submission.challenge
    now = timezone.now()
    if now >= effective_deadline(challenge=challenge, user=user):
        raise SelectionRefused(
            "The deadline has passed: final selections can no longer change.", "closed"
        )
    if now >= first_reveal_at(challenge):  # an extension made after the reveal
        raise SelectionRefused(
            "The private leaderboard has been revealed: final selections can no longer "
            "change, whatever extension you have.",
            "revealed",
        )
    if not final:
        return
    if submission.is_late or submission.status == Submission.Status.FAILED:
        raise SelectionRefused("Only a submission that can be scored may be final.", "invalid")
    if submission.is_disqualified:  # it counts for nothing: it would only take a place
        raise SelectionRefused("A disqualified submission cannot be final.", "invalid")
    chosen = Submission.objects.filter(challenge=challenge, user=user, is_final=True).count()
    if chosen >= challenge.final_selections:
        raise SelectionRefused(
            f"You may mark at most {challenge.final_selections} submissions as final; "
            "unmark one first.",
            "too_many_finals",
        )
