"""A participant's own standing on a challenge, as the status strip shows it: best public
score and rank ("#5 of 63"), final selections, submissions left today, their deadline, and
after the reveal the private score and rank too.

Ranks come from the boards themselves (`leaderboards.leaderboard`, one indexed read of the
precomputed `Standing` rows), so the strip and the leaderboard can never disagree. The list
page asks for every card at once (`statuses_for_list`): its counts, extensions and reveal
times are one query each, and each card adds only its board (two after the reveal).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q
from django.utils import timezone

from challenges.boards.leaderboards import LeaderboardRow, leaderboard
from challenges.models import Challenge, Extension, Submission
from challenges.rules import deadlines, quotas


@dataclass(frozen=True)
class Placing:
    """Where a participant stands on one board."""

    score: float | None
    rank: int | None
    participants: int

    @property
    def rank_label(self) -> str:
        return rank_label(self.rank, self.participants)


@dataclass(frozen=True)
class ParticipantStatus:
    public: Placing
    private: Placing | None  # None until the reveal
    finals_marked: int
    finals_allowed: int
    quota: quotas.Quota
    deadline: datetime  # the participant's own, extensions included

    @property
    def finals_label(self) -> str:
        return f"{self.finals_marked}/{self.finals_allowed}"

    @property
    def is_open(self) -> bool:
        return timezone.now() < self.deadline


def rank_label(rank: int | None, participants: int) -> str:
    """ "#5 of 63"; "unranked" for someone with no counted submission."""
    if rank is None:
        return "unranked"
    return f"#{rank} of {participants}"


def placing_on(rows: list[LeaderboardRow], user_id: int) -> Placing:
    """The participant's score and rank on a board's rows (reference rows are not theirs)."""
    ranked = [row for row in rows if row.rank is not None]
    mine = next((row for row in ranked if row.user_id == user_id), None)
    if mine is None:
        return Placing(score=None, rank=None, participants=len(ranked))
    return Placing(score=mine.score, rank=mine.rank, participants=len(ranked))


def participant_status(challenge: Challenge, user) -> ParticipantStatus | None:
    """The strip on the challenge page; None for those who do not compete (instructors)."""
    if quotas.is_exempt(user):
        return None
    revealed = deadlines.is_revealed(challenge)
    finals = Submission.objects.filter(challenge=challenge, user=user, is_final=True).count()
    return ParticipantStatus(
        public=_placing(challenge, user.pk, "public"),
        private=_placing(challenge, user.pk, "private") if revealed else None,
        finals_marked=finals,
        finals_allowed=challenge.final_selections,
        quota=quotas.quota_for(challenge=challenge, user=user),
        deadline=deadlines.effective_deadline(challenge=challenge, user=user),
    )


def statuses_for_list(challenges: list[Challenge], user) -> dict[int, ParticipantStatus]:
    """The strips of every card on the list page, by challenge id (none for instructors)."""
    if quotas.is_exempt(user) or not challenges:
        return {}
    now = timezone.now()
    counts = _counts_by_challenge(challenges, user, now)
    extended = dict(
        Extension.objects.filter(challenge__in=challenges, user=user).values_list(
            "challenge_id", "deadline"
        )
    )
    latest_extension = _latest_extensions(challenges)
    statuses = {}
    for challenge in challenges:
        reveal = deadlines.later_of(challenge.deadline, latest_extension.get(challenge.pk))
        mine = counts.get(challenge.pk, {})
        statuses[challenge.pk] = ParticipantStatus(
            public=_placing(challenge, user.pk, "public"),
            private=_placing(challenge, user.pk, "private") if now >= reveal else None,
            finals_marked=mine.get("finals", 0),
            finals_allowed=challenge.final_selections,
            quota=quotas.quota_from(challenge, mine, now),
            deadline=deadlines.later_of(challenge.deadline, extended.get(challenge.pk)),
        )
    return statuses


def _placing(challenge: Challenge, user_id: int, split: str) -> Placing:
    return placing_on(leaderboard(challenge=challenge, split=split), user_id)


def _counts_by_challenge(challenges, user, now: datetime) -> dict[int, dict]:
    """`quotas.quota_for`'s counts and the finals marked, for all the challenges in one query."""
    rows = (
        Submission.objects.filter(challenge__in=challenges, user=user, is_baseline=False)
        .values("challenge_id")
        .annotate(**quotas.usage_counts(now), finals=Count("pk", filter=Q(is_final=True)))
    )
    return {row["challenge_id"]: row for row in rows}


def _latest_extensions(challenges) -> dict[int, datetime]:
    """Each challenge's latest extension (anyone's): the reveal waits for it."""
    rows = (
        Extension.objects.filter(challenge__in=challenges)
        .values("challenge_id")
        .annotate(latest=Max("deadline"))
    )
    return {row["challenge_id"]: row["latest"] for row in rows}
