"""The scoring job's life: claim, score, fail, retry, requeue; broker outages lose nothing."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from kombu.exceptions import OperationalError

from challenges.models import Submission
from challenges.submissions import intake, judge
from tests.bundles import constant_submission, expected_mse
from tests.conftest import csv_upload
from tests.factories import HIDDEN_MARKER, scored_submission, secret_challenge

pytestmark = pytest.mark.django_db


def queued(challenge, user, content: bytes, **fields) -> Submission:
    submission = Submission(
        challenge=challenge, user=user, file_name="s.csv", size=len(content), **fields
    )
    submission.file.save("s.csv", ContentFile(content), save=False)
    submission.save()
    return submission


def test_scoring_fills_both_splits_and_is_idempotent(challenge, student):
    submission = queued(challenge, student, constant_submission(2.0))
    scored = judge.submission_score(submission_id=submission.pk)
    assert scored.status == "scored" and scored.attempts == 1
    assert scored.public_score == pytest.approx(expected_mse(2.0, "Public"))
    assert scored.private_score == pytest.approx(expected_mse(2.0, "Private"))
    assert judge.submission_score(submission_id=submission.pk) is None
    assert Submission.objects.get(pk=submission.pk).attempts == 1


def test_a_submission_left_scoring_by_a_dead_worker_is_scored_on_redelivery(challenge, student):
    submission = queued(challenge, student, constant_submission(0.0), status="scoring", attempts=1)
    scored = judge.submission_score(submission_id=submission.pk)
    assert (scored.status, scored.attempts) == ("scored", 2)


def test_an_unknown_submission_is_ignored(db):
    assert judge.submission_score(submission_id=987654) is None


def test_a_storage_error_propagates_so_the_task_retries(challenge, student):
    submission = queued(challenge, student, constant_submission(0.0))
    submission.file.storage.delete(submission.file.name)
    with pytest.raises(OSError):
        judge.submission_score(submission_id=submission.pk)
    assert Submission.objects.get(pk=submission.pk).status == "scoring"  # requeue finds it


def test_a_crash_inside_the_scorer_fails_the_submission_with_a_plain_message(
    challenge, student, monkeypatch
):
    def crash(*args):
        raise RuntimeError("index 7 out of bounds")

    monkeypatch.setattr(judge, "score_submission", crash)
    submission = queued(challenge, student, constant_submission(0.0))
    failed = judge.submission_score(submission_id=submission.pk)
    assert failed.status == "failed" and failed.error == judge.INTERNAL_ERROR_MESSAGE


def test_requeue_sends_only_submissions_that_waited_too_long(challenge, student, monkeypatch):
    sent = []
    monkeypatch.setattr(intake, "enqueue_scoring", lambda pk: sent.append(pk) or True)
    now = timezone.now()
    old_queued = queued(challenge, student, b"x", created_at=now - timedelta(minutes=5))
    queued(challenge, student, b"x", created_at=now)  # fresh: its message is on its way
    stuck = queued(
        challenge, student, b"x", status="scoring", scoring_started_at=now - timedelta(minutes=30)
    )
    queued(challenge, student, b"x", status="scoring", scoring_started_at=now)
    queued(challenge, student, b"x", status="scored", created_at=now - timedelta(days=1))
    assert intake.submissions_requeue_stuck(now=now) == 2
    assert sorted(sent) == sorted([old_queued.pk, stuck.pk])


def test_an_upload_is_kept_when_the_broker_is_down(
    challenge, student, monkeypatch, django_capture_on_commit_callbacks
):
    from challenges.tasks import score_submission

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(score_submission, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        submission = intake.submission_create(
            challenge=challenge, user=student, file=csv_upload(constant_submission(1.0))
        )
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == "queued" and stored.file.read() == constant_submission(1.0)
    later = timezone.now() + timedelta(minutes=5)
    monkeypatch.undo()
    sent = []
    monkeypatch.setattr(intake, "enqueue_scoring", lambda pk: sent.append(pk) or True)
    assert intake.submissions_requeue_stuck(now=later) == 1 and sent == [submission.pk]


def test_rescoring_after_a_changed_solution_uses_the_new_labels(challenge, student, tmp_path):
    from challenges.bundles.importing import challenge_import
    from challenges.bundles.reader import read_bundle
    from tests.bundles import perfect_submission, write_tiny_bundle

    submission = queued(challenge, student, perfect_submission())
    assert judge.submission_score(submission_id=submission.pk).public_score == 0.0
    challenge_import(bundle=read_bundle(write_tiny_bundle(tmp_path / "v2", shift=1.0)))
    rescored = judge.submission_score(submission_id=submission.pk)
    assert rescored.public_score == pytest.approx(1.0)  # every value is now off by one


def test_a_failed_submission_never_echoes_a_hidden_value(tmp_path, student):
    challenge = secret_challenge(tmp_path)
    content = b"id,y\n" + b"".join(f"{i},x{i}\n".encode() for i in range(1, 21))
    submission = scored_submission(challenge, student, 0, 0, content=content)
    submission.status = "queued"
    submission.save()
    scored = judge.submission_score(submission_id=submission.pk)
    assert scored.status == "failed"
    assert HIDDEN_MARKER.decode() not in scored.error
