"""Reads: what a page or an API response shows. Leaderboards are computed in the database."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from challenges.boards.leaderboards import LeaderboardRow, leaderboard
from challenges.boards.pseudonyms import pseudonym_for
from challenges.bundles.reader import is_sample_name
from challenges.models import Challenge, Competitor, Disqualification, Submission
from challenges.rules import quotas
from challenges.rules.deadlines import is_revealed
from challenges.scoring import score_submission
from challenges.submissions.judge import cached_solution
from vsegrader.permissions import is_instructor, refuse_unless_instructor, visible_to


def challenge_list(*, user) -> QuerySet[Challenge]:
    challenges = Challenge.objects.all()
    return challenges if is_instructor(user) else challenges.filter(is_published=True)


def challenge_get(*, slug: str, user) -> Challenge:
    challenge = challenge_list(user=user).filter(slug=slug).first()
    if challenge is None:
        raise Http404("No such challenge.")
    return challenge


def instructor_challenge_get(*, slug: str, user) -> Challenge:
    """A challenge for the instructors' tools on its page (rescore, baseline panel); anyone
    else gets 404, so the tools' existence reveals nothing."""
    refuse_unless_instructor(user, hide=True)
    return challenge_get(slug=slug, user=user)


def private_scores_visible(*, challenge: Challenge, user) -> bool:
    """Instructors always see private scores; students from the deadline on."""
    return is_instructor(user) or is_revealed(challenge)


def my_submissions(*, challenge: Challenge, user) -> QuerySet[Submission]:
    return Submission.objects.filter(challenge=challenge, user=user).order_by("-created_at", "-id")


def latest_submissions(*, challenge: Challenge, user, limit: int = 50) -> list[Submission]:
    """Everyone's latest submissions to a challenge, for an instructor (a student's are
    theirs alone: anyone else is refused). The instructor's own uploads are left out: the
    page lists them apart."""
    refuse_unless_instructor(user)
    everyone = Submission.objects.filter(challenge=challenge).exclude(user=user)
    return list(everyone.select_related("user").order_by("-created_at", "-id")[:limit])


def submission_get(*, submission_id: int, user) -> Submission:
    """A submission its owner or an instructor may see; anyone else gets a 404, not a 403,
    so that ids of other people's submissions reveal nothing."""
    submissions = visible_to(user, Submission.objects.select_related("challenge", "user"), "user")
    submission = submissions.filter(pk=submission_id).first()
    if submission is None:
        raise Http404("No such submission.")
    return submission


def final_leaderboard(*, challenge: Challenge) -> list[LeaderboardRow]:
    """The private leaderboard that grades are computed from (instructor view: real names)."""
    return leaderboard(challenge=challenge, split="private", real_names=True)


def refuse_hidden_board(*, challenge: Challenge, split: str, user) -> None:
    """The private board before the reveal is refused (403: everyone knows it exists), on the
    page, in the API and in the CSV download alike."""
    if split == "private" and not private_scores_visible(challenge=challenge, user=user):
        raise PermissionDenied("The private leaderboard is not revealed yet.")


def board_for(*, challenge: Challenge, split: str, user) -> list[LeaderboardRow]:
    """A board as `user` may see it: students see pseudonyms, instructors real names; the
    private board only from the reveal on (`refuse_hidden_board`)."""
    refuse_hidden_board(challenge=challenge, split=split, user=user)
    return leaderboard(challenge=challenge, split=split, real_names=is_instructor(user))


def quota(*, challenge: Challenge, user) -> quotas.Quota | None:
    """The participant's remaining submissions; None for those without limits."""
    return None if quotas.is_exempt(user) else quotas.quota_for(challenge=challenge, user=user)


def shown_name(user) -> str:
    competitor = Competitor.objects.filter(user=user).first()
    return competitor.display_name if competitor else pseudonym_for(user.pk)


def disqualification(*, challenge: Challenge, user) -> Disqualification | None:
    return Disqualification.objects.filter(challenge=challenge, user=user).first()


def sample_file(*, challenge: Challenge):
    """The challenge's public sample submission (a DataFile), if its bundle has one."""
    return next((f for f in challenge.files.all() if is_sample_name(f.name)), None)


def sample_private_score(*, challenge: Challenge, sample) -> float | None:
    """The sample submission's private score, the one grades are computed from (None: no
    private rows). Raises SubmissionInvalid when the spec refuses the sample, OSError when a
    file cannot be read."""
    with sample.file.open("rb") as handle:
        data = handle.read()
    scores = score_submission(data, challenge.spec, cached_solution(challenge), confidence=False)
    return scores.private
