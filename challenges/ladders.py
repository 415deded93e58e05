"""Ladder mode's shown public scores, replayed from the stored per-row losses.

Workers may finish scoring out of order, and moderation or rescoring changes which
submissions count, so the Ladder is replayed over a participant's counting submissions in
the order they were sent (challenges.scoring.ladder.ladder_replay), never updated in place.
"""

import numpy as np
from django.db.models import F, Q

from challenges.models import Challenge, Submission
from challenges.scoring.ladder import ladder_replay


def losses_to_bytes(losses: np.ndarray | None) -> bytes | None:
    return None if losses is None else np.asarray(losses, dtype="<f8").tobytes()


def losses_from_bytes(data) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f8")


def replay_ladders(*, challenge: Challenge, user_ids=None) -> None:
    """Sets `shown_public_score` and `ladder_accepted` of the participants' submissions."""
    submissions = Submission.objects.filter(challenge=challenge, status=Submission.Status.SCORED)
    if user_ids is not None:
        submissions = submissions.filter(user_id__in=user_ids)
    if not challenge.public_ladder:
        _show_exact(submissions)
        return
    laddered = Q(is_baseline=False, is_late=False, disqualified_reason="",
                 public_losses__isnull=False)
    _show_exact(submissions.exclude(laddered))
    rows = list(
        submissions.filter(laddered)
        .order_by("user_id", "created_at", "id")
        .only("id", "user_id", "public_score", "public_losses")
    )
    changed = []
    for user_rows in _by_user(rows):
        shown = ladder_replay([losses_from_bytes(s.public_losses) for s in user_rows])
        for position, (submission, shown_index) in enumerate(zip(user_rows, shown, strict=True)):
            submission.ladder_accepted = shown_index == position
            submission.shown_public_score = user_rows[shown_index].public_score
            changed.append(submission)
    Submission.objects.bulk_update(changed, ["ladder_accepted", "shown_public_score"], 500)


def _show_exact(submissions) -> None:
    submissions.update(ladder_accepted=None, shown_public_score=F("public_score"))


def _by_user(rows: list[Submission]):
    group: list[Submission] = []
    for row in rows:
        if group and group[-1].user_id != row.user_id:
            yield group
            group = []
        group.append(row)
    if group:
        yield group
