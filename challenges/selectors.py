"""Reads: what a page or an API response shows. Leaderboards are computed in the database."""

from django.db.models import QuerySet
from django.http import Http404

from challenges import quotas
from challenges.deadlines import effective_deadline, is_revealed, reveal_at
from challenges.leaderboards import (
    SPLITS,
    LeaderboardRow,
    leaderboard,
    participant_count,
    pseudonym_for,
)
from challenges.models import Challenge, Competitor, Disqualification, Submission

__all__ = [
    "SPLITS", "LeaderboardRow", "effective_deadline", "is_revealed", "leaderboard",
    "participant_count", "reveal_at",
]


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


def final_leaderboard(*, challenge: Challenge) -> list[LeaderboardRow]:
    """The private leaderboard that grades are computed from (instructor view: real names)."""
    return leaderboard(challenge=challenge, split="private", real_names=True)


def board_for(*, challenge: Challenge, split: str, user) -> list[LeaderboardRow]:
    """A board as `user` may see it: students see pseudonyms, instructors real names."""
    return leaderboard(challenge=challenge, split=split, real_names=is_instructor(user))


def quota(*, challenge: Challenge, user) -> quotas.Quota | None:
    """The participant's remaining submissions; None for those without limits."""
    return None if quotas.is_exempt(user) else quotas.quota_for(challenge=challenge, user=user)


def shown_name(user) -> str:
    competitor = Competitor.objects.filter(user=user).first()
    return competitor.display_name if competitor else pseudonym_for(user.pk)


def disqualification(*, challenge: Challenge, user) -> Disqualification | None:
    return Disqualification.objects.filter(challenge=challenge, user=user).first()
