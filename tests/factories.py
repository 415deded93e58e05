from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from challenges.boards.standings import refresh_standings
from challenges.bundles.importing import challenge_import
from challenges.bundles.reader import read_bundle
from challenges.models import Submission
from challenges.submissions import intake, judge
from tests.bundles import constant_submission, write_tiny_bundle
from tests.conftest import csv_upload, wait_until_done


def scored_submission(
    challenge,
    user,
    public: float,
    private: float,
    *,
    minutes_ago: int = 0,
    is_baseline: bool = False,
    is_final: bool = False,
    is_late: bool = False,
    description: str = "",
    content: bytes = b"id,y\n",
) -> Submission:
    submission = Submission(
        challenge=challenge,
        user=user,
        file_name="s.csv",
        size=len(content),
        status=Submission.Status.SCORED,
        public_score=public,
        private_score=private,
        shown_public_score=public,
        is_baseline=is_baseline,
        is_final=is_final,
        is_late=is_late,
        description=description,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    submission.file.save("s.csv", ContentFile(content), save=False)
    submission.save()
    refresh_standings(challenge=challenge, users=[user])
    return submission


def upload(challenge, user, **kwargs) -> Submission:
    """An upload through the service (a constant prediction of 0.5), not yet scored."""
    return intake.submission_create(
        challenge=challenge, user=user, file=csv_upload(constant_submission(0.5)), **kwargs
    )


def submit_and_score(challenge, user, content: bytes) -> Submission:
    """Stored and scored here; where a real worker runs beside the test (the browser tests),
    it may claim the task first, and then its scoring is awaited (CI met that race)."""
    submission = intake.submission_create(challenge=challenge, user=user, file=csv_upload(content))
    judge.submission_score(submission_id=submission.pk)
    return wait_until_done(submission.pk)


def at(monkeypatch, moment) -> None:
    """Freezes `timezone.now` at `moment` for the rest of the test."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


HIDDEN_MARKER = b"987654"  # every hidden target value of `secret_challenge` starts with it


def secret_challenge(root):
    """A tiny challenge imported from a bundle whose hidden values all start with 987654."""
    return challenge_import(bundle=read_bundle(write_tiny_bundle(root, shift=987654.0))).challenge
