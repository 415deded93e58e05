"""Uploads scored by a real Celery worker process: embedded broker and SQLite locally,
Redis and PostgreSQL in CI (see .ci/run)."""

import pytest

from challenges.boards.pseudonyms import pseudonym_for
from challenges.models import Submission
from tests.bundles import constant_submission, expected_mse, perfect_submission
from tests.conftest import csv_upload, wait_until_done

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def upload(api, content: bytes) -> int:
    response = api.post(
        "/api/challenges/tiny-1d/submissions/", {"file": csv_upload(content)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_an_api_upload_is_scored_on_both_splits(celery_worker_process, challenge, student_api):
    submission = wait_until_done(upload(student_api, constant_submission(1.0)))
    assert submission.status == "scored", submission.error
    assert submission.public_score == pytest.approx(expected_mse(1.0, "Public"))
    assert submission.private_score == pytest.approx(expected_mse(1.0, "Private"))
    shown = student_api.get(f"/api/submissions/{submission.pk}/").json()
    assert shown["status"] == "scored" and shown["private_score"] is None


def test_a_browser_upload_is_scored_and_reaches_the_leaderboard(
    celery_worker_process, challenge, client, student, student_api
):
    client.force_login(student)
    response = client.post(
        "/challenges/tiny-1d/submissions/", {"file": csv_upload(perfect_submission())}
    )
    assert response.status_code == 302
    submission = wait_until_done(Submission.objects.get().pk)
    assert (submission.status, submission.public_score) == ("scored", 0.0)
    rows = student_api.get("/api/challenges/tiny-1d/leaderboard/").json()["rows"]
    assert [(r["rank"], r["team_name"], r["score"]) for r in rows] == [
        (1, pseudonym_for(student.pk), 0.0)
    ]


def test_a_malformed_file_ends_failed_with_its_message(
    celery_worker_process, challenge, student_api
):
    content = b"id,y\n1,0.5\n2,abc\n"
    submission = wait_until_done(upload(student_api, content))
    assert submission.status == "failed"
    assert submission.error == "Column 'y' line 3: 'abc' is not a number"
    shown = student_api.get(f"/api/submissions/{submission.pk}/").json()
    assert shown["error"] == submission.error and shown["public_score"] is None


def test_a_burst_of_uploads_is_scored_without_losing_one(
    celery_worker_process, challenge, student_api
):
    challenge.daily_limit = 12
    challenge.save()
    ids = [upload(student_api, constant_submission(value / 4)) for value in range(12)]
    done = [wait_until_done(pk) for pk in ids]
    assert [s.status for s in done] == ["scored"] * 12
    assert [s.public_score for s in done] == [
        pytest.approx(expected_mse(value / 4, "Public")) for value in range(12)
    ]


def test_a_submission_whose_message_was_lost_is_scored_after_the_requeue(
    celery_worker_process, challenge, student
):
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from challenges.submissions.intake import submissions_requeue_stuck

    # As after a broker outage: the row and file exist, no message was ever sent.
    orphan = Submission(
        challenge=challenge,
        user=student,
        file_name="s.csv",
        size=1,
        created_at=timezone.now() - timedelta(minutes=10),
    )
    orphan.file.save("s.csv", ContentFile(constant_submission(0.5)), save=False)
    orphan.save()
    assert submissions_requeue_stuck() == 1
    assert wait_until_done(orphan.pk).public_score == pytest.approx(expected_mse(0.5, "Public"))
