"""The limits on uploads (challenges/rules/quotas.py): daily, total and failed caps, the
Prague day, exemptions, and the daily limit under real concurrency."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from threading import Barrier

import pytest
from django.db import connection
from django.utils import timezone

from challenges import selectors
from challenges.models import Submission
from challenges.rules import quotas
from challenges.submissions import intake
from tests.bundles import constant_submission
from tests.conftest import csv_upload
from tests.factories import scored_submission, upload

pytestmark = pytest.mark.django_db


def test_the_daily_limit_refuses_the_next_upload_and_says_when_it_resets(challenge, student):
    challenge.daily_limit = 2
    challenge.save()
    upload(challenge, student)
    upload(challenge, student)
    with pytest.raises(intake.SubmissionRejected) as refused:
        upload(challenge, student)
    assert refused.value.code == "daily_limit_reached"
    assert "all 2 submissions for today" in refused.value.message
    assert "midnight Prague time" in refused.value.message
    assert Submission.objects.filter(user=student).count() == 2


def test_failed_submissions_do_not_count(challenge, student):
    challenge.daily_limit = 1
    challenge.save()
    first = upload(challenge, student)
    Submission.objects.filter(pk=first.pk).update(status="failed")
    upload(challenge, student)  # allowed: the failed one freed its slot
    quota = quotas.quota_for(challenge=challenge, user=student)
    assert (quota.used_today, quota.remaining_today) == (1, 0)


def test_the_total_limit_applies_across_days(challenge, student):
    challenge.total_limit = 1
    challenge.save()
    old = scored_submission(challenge, student, 0.5, 0.5)
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    with pytest.raises(intake.SubmissionRejected) as refused:
        upload(challenge, student)
    assert refused.value.code == "total_limit_reached"


def test_the_day_starts_at_midnight_in_prague_not_utc(challenge, student):
    # 22:30 UTC on 1 March is 23:30 in Prague (CET); 23:30 UTC is already 00:30 next day.
    late_evening = datetime(2023, 3, 1, 22, 30, tzinfo=UTC)
    after_midnight = datetime(2023, 3, 1, 23, 30, tzinfo=UTC)
    submission = scored_submission(challenge, student, 0.5, 0.5)
    Submission.objects.filter(pk=submission.pk).update(created_at=late_evening)
    assert quotas.quota_for(challenge=challenge, user=student, now=late_evening).used_today == 1
    fresh = quotas.quota_for(challenge=challenge, user=student, now=after_midnight)
    assert fresh.used_today == 0
    assert fresh.resets_at == datetime(2023, 3, 2, 23, 0, tzinfo=UTC)  # next Prague midnight


def test_the_day_boundary_follows_summer_time(challenge, student):
    summer = datetime(2023, 7, 1, 21, 59, 59, tzinfo=UTC)  # 23:59:59 CEST
    assert quotas.day_start(summer) == datetime(2023, 6, 30, 22, 0, tzinfo=UTC)
    assert quotas.next_day_start(summer) == datetime(2023, 7, 1, 22, 0, tzinfo=UTC)


def test_the_quota_is_in_the_api_and_on_the_page(student_api, student_client, challenge, student):
    upload(challenge, student)
    quota = student_api.get("/api/challenges/tiny-1d/").json()["quota"]
    assert quota["daily_limit"] == 5 and quota["used_today"] == 1
    assert quota["remaining_today"] == 4 and quota["total_limit"] is None
    page = student_client.get("/challenges/tiny-1d/").content.decode()
    assert "<strong>4</strong> left today" in page and "midnight Prague time" in page


def test_the_api_refuses_over_the_limit_with_403_and_a_code(student_api, challenge, student):
    challenge.daily_limit = 1
    challenge.save()
    upload(challenge, student)
    response = student_api.post(
        "/api/challenges/tiny-1d/submissions/", {"file": csv_upload(constant_submission(0.5))}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "daily_limit_reached"


def test_instructors_and_baselines_have_no_limit(challenge, instructor, student):
    challenge.daily_limit = 1
    challenge.save()
    for _ in range(2):
        upload(challenge, instructor)
        upload(challenge, student, is_baseline=True)
    assert selectors.quota(challenge=challenge, user=instructor) is None


PARALLEL_UPLOADS = 12


@pytest.mark.django_db(transaction=True)
def test_parallel_uploads_never_exceed_the_daily_limit(challenge, student, monkeypatch):
    # Committed uploads would reach a worker left running by another test, which would then
    # score them while this test's database is being emptied.
    monkeypatch.setattr(intake, "enqueue_scoring", lambda submission_id: True)
    challenge.daily_limit = 3
    challenge.save()
    start_together = Barrier(PARALLEL_UPLOADS)

    def upload(_):
        start_together.wait()
        try:
            intake.submission_create(
                challenge=challenge, user=student, file=csv_upload(constant_submission(0.5))
            )
            return "accepted"
        except intake.SubmissionRejected as rejected:
            return rejected.code
        finally:
            connection.close()

    with ThreadPoolExecutor(PARALLEL_UPLOADS) as pool:
        outcomes = list(pool.map(upload, range(PARALLEL_UPLOADS)))

    assert outcomes.count("accepted") == 3
    assert outcomes.count("daily_limit_reached") == PARALLEL_UPLOADS - 3
    assert Submission.objects.filter(user=student).count() == 3
