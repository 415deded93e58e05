"""Reads: what a page or an API response shows. Leaderboards are computed in the database."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Max, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from challenges.models import Challenge, Submission

SPLITS = ("public", "private")


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int | None  # None for a baseline: shown for reference, not ranked
    user_id: int
    name: str
    username: str
    score: float
    entries: int
    last_submission: datetime
    is_baseline: bool
    submission_id: int


def is_instructor(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def challenge_list(*, user) -> QuerySet[Challenge]:
    challenges = Challenge.objects.all()
    return challenges if is_instructor(user) else challenges.filter(is_published=True)


def challenge_get(*, slug: str, user) -> Challenge:
    challenge = challenge_list(user=user).filter(slug=slug).first()
    if challenge is None:
        raise Http404("No such challenge.")
    return challenge


def is_revealed(challenge: Challenge, now: datetime | None = None) -> bool:
    """The private leaderboard and private scores open to students at the deadline."""
    return (now or timezone.now()) >= challenge.deadline


def private_scores_visible(*, challenge: Challenge, user) -> bool:
    """Instructors always see private scores; students from the deadline on."""
    return is_instructor(user) or is_revealed(challenge)


def my_submissions(*, challenge: Challenge, user) -> QuerySet[Submission]:
    return Submission.objects.filter(challenge=challenge, user=user).order_by("-created_at", "-id")


def submission_get(*, submission_id: int, user) -> Submission:
    """A submission its owner or an instructor may see; anyone else gets a 404, not a 403,
    so that ids of other people's submissions reveal nothing."""
    submissions = Submission.objects.select_related("challenge", "user")
    if not is_instructor(user):
        submissions = submissions.filter(user=user)
    submission = submissions.filter(pk=submission_id).first()
    if submission is None:
        raise Http404("No such submission.")
    return submission


def leaderboard(*, challenge: Challenge, split: str = "public") -> list[LeaderboardRow]:
    """Best score per participant, earlier submission first among equal scores."""
    score_field = f"{split}_score"
    best_first = F(score_field).desc() if challenge.higher_is_better else F(score_field).asc()
    tie_break = [best_first, F("created_at").asc(), F("id").asc()]
    scored = Submission.objects.filter(
        challenge=challenge, status=Submission.Status.SCORED, **{f"{score_field}__isnull": False}
    )
    best = (
        scored.annotate(
            position=Window(RowNumber(), partition_by=[F("user_id")], order_by=tie_break),
            entries=Window(Count("id"), partition_by=[F("user_id")]),
            last=Window(Max("created_at"), partition_by=[F("user_id")]),
        )
        .filter(position=1)
        .order_by(*tie_break)
        .values_list(
            "user_id", "user__username", score_field, "entries", "last", "is_baseline", "id"
        )
    )
    return rank_rows(best)


def rank_rows(rows) -> list[LeaderboardRow]:
    ranked, rank = [], 0
    for user_id, username, score, entries, last_at, baseline, sub_id in rows:
        if not baseline:
            rank += 1
        ranked.append(
            LeaderboardRow(
                rank=None if baseline else rank, user_id=user_id, name=username, username=username,
                score=score, entries=entries, last_submission=last_at, is_baseline=baseline,
                submission_id=sub_id,
            )
        )
    return ranked


def final_leaderboard(*, challenge: Challenge) -> list[LeaderboardRow]:
    """The private leaderboard that grades are computed from (instructor view: real names)."""
    return leaderboard(challenge=challenge, split="private")
