"""Ladder mode's shown public scores, replayed from the stored per-row losses, and the rule
that keeps a challenge's board mode fixed once students have submitted.

Workers may finish scoring out of order, and moderation or rescoring changes which
submissions count, so the Ladder is replayed over a participant's counting submissions in
the order they were sent (challenges.scoring.ladder.ladder_replay), never updated in place.
Until every earlier submission of the participant is scored, a later one shows no public
score (a later one scored first would otherwise show its exact score for a while). Late and
disqualified submissions count nowhere, but the Ladder goes on over them after the counting
ones, so they never show an exact score it held back either.

Switching the mode after students have submitted would undo the Ladder: unticked, every
exact score would be shown, backdated; ticked late, the scores already boosted would stay
shown. So the mode changes only while no student has submitted (`mode_change_refusal`), and
a `pre_save` guard refuses it on every path that saves a challenge.
"""

import numpy as np
from django.db.models import F, Q
from django.db.models.signals import pre_save
from django.dispatch import receiver

from challenges.models import Challenge, Submission
from challenges.scoring.ladder import ladder_replay
from challenges.scoring.rowloss import has_row_losses
from vsegrader.permissions import not_instructor

PENDING = (Submission.Status.QUEUED, Submission.Status.SCORING)
REPLAY_FIELDS = (
    "id",
    "user_id",
    "created_at",
    "public_score",
    "public_losses",
    "is_late",
    "disqualified_reason",
)


class ModeChangeRefused(ValueError):
    """The board mode of a challenge that students have submitted to cannot change."""


def losses_to_bytes(losses: np.ndarray | None) -> bytes | None:
    return None if losses is None else np.asarray(losses, dtype="<f8").tobytes()


def losses_from_bytes(data) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f8")


# --- the mode -------------------------------------------------------------------------------


def student_submissions(challenge: Challenge):
    """Submissions by students: baselines and instructors' own tries are not."""
    return Submission.objects.filter(not_instructor("user"), challenge=challenge, is_baseline=False)


def mode_change_refusal(challenge: Challenge, *, public_ladder: bool) -> str:
    """Why `challenge` may not switch to this board mode ("" when it may)."""
    if public_ladder and not has_row_losses(challenge.metric):
        return f"The metric {challenge.metric} has no per-row loss, so the Ladder cannot run on it."
    stored = _stored_mode(challenge)
    if stored is None or stored == public_ladder:
        return ""
    count = student_submissions(challenge).count()
    if not count:
        return ""
    was = "Ladder" if stored else "standard"
    return (
        f"The public board stays in {was} mode: students have already sent {count} "
        f"submission{'s' if count != 1 else ''}. Switching now would show them scores the "
        "Ladder held back, or keep scores already boosted; the mode can change only "
        "before the first student submission."
    )


def _stored_mode(challenge: Challenge) -> bool | None:
    if challenge.pk is None:
        return None
    rows = Challenge.objects.filter(pk=challenge.pk).values_list("public_ladder", flat=True)
    return next(iter(rows), None)


@receiver(pre_save, sender=Challenge, dispatch_uid="ladders.refuse_mode_change")
def refuse_mode_change(sender, instance: Challenge, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "public_ladder" not in update_fields):
        return
    if _stored_mode(instance) in (None, instance.public_ladder):
        return  # unchanged: no per-row-loss check, an old challenge keeps saving
    refusal = mode_change_refusal(instance, public_ladder=instance.public_ladder)
    if refusal:
        raise ModeChangeRefused(refusal)


# --- the replay -----------------------------------------------------------------------------


def replay_ladders(*, challenge: Challenge, user_ids=None) -> None:
    """Sets `shown_public_score` and `ladder_accepted` of the participants' submissions."""
    submissions = Submission.objects.filter(challenge=challenge, status=Submission.Status.SCORED)
    if user_ids is not None:
        submissions = submissions.filter(user_id__in=user_ids)
    if not challenge.public_ladder:
        _show_exact(submissions)
        return
    laddered = Q(is_baseline=False, public_losses__isnull=False)
    _show_exact(submissions.exclude(laddered))
    rows = list(
        submissions.filter(laddered).order_by("user_id", "created_at", "id").only(*REPLAY_FIELDS)
    )
    pending = _first_pending(challenge, user_ids)
    changed = []
    for user_rows in _by_user(rows):
        changed += _replayed(_chain(user_rows), pending.get(user_rows[0].user_id))
    Submission.objects.bulk_update(changed, ["ladder_accepted", "shown_public_score"], 500)


def _chain(user_rows: list[Submission]) -> list[Submission]:
    """The counting submissions in sending order, then the others (late, disqualified)."""
    counting = [s for s in user_rows if not s.is_late and not s.disqualified_reason]
    return counting + [s for s in user_rows if s.is_late or s.disqualified_reason]


def _replayed(chain: list[Submission], first_pending) -> list[Submission]:
    waiting = [
        i for i, s in enumerate(chain) if first_pending and (s.created_at, s.pk) > first_pending
    ]
    ready = chain[: waiting[0] if waiting else len(chain)]
    shown = ladder_replay([losses_from_bytes(s.public_losses) for s in ready])
    for position, (submission, shown_index) in enumerate(zip(ready, shown, strict=True)):
        submission.ladder_accepted = shown_index == position
        submission.shown_public_score = ready[shown_index].public_score
    for submission in chain[len(ready) :]:
        submission.ladder_accepted = submission.shown_public_score = None  # waits its turn
    return chain


def _first_pending(challenge: Challenge, user_ids) -> dict:
    """user id -> (created_at, id) of the participant's earliest submission being scored."""
    pending = Submission.objects.filter(challenge=challenge, status__in=PENDING, is_baseline=False)
    if user_ids is not None:
        pending = pending.filter(user_id__in=user_ids)
    first: dict = {}
    for user_id, created_at, pk in pending.order_by("created_at", "id").values_list(
        "user_id", "created_at", "id"
    ):
        first.setdefault(user_id, (created_at, pk))
    return first


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
