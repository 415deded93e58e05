"""The daily limit under real concurrency: parallel uploads by one student, each in its own
thread and database connection (PostgreSQL in CI, SQLite locally)."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection

from challenges import services
from challenges.models import Submission
from tests.bundles import constant_submission
from tests.conftest import csv_upload

PARALLEL_UPLOADS = 12


@pytest.mark.django_db(transaction=True)
def test_parallel_uploads_never_exceed_the_daily_limit(challenge, student, monkeypatch):
    # Committed uploads would reach a worker left running by another test, which would then
    # score them while this test's database is being emptied.
    monkeypatch.setattr(services, "enqueue_scoring", lambda submission_id: True)
    challenge.daily_limit = 3
    challenge.save()
    start_together = Barrier(PARALLEL_UPLOADS)

    def upload(_):
        start_together.wait()
        try:
            services.submission_create(
                challenge=challenge, user=student, file=csv_upload(constant_submission(0.5))
            )
            return "accepted"
        except services.SubmissionRejected as rejected:
            return rejected.code
        finally:
            connection.close()

    with ThreadPoolExecutor(PARALLEL_UPLOADS) as pool:
        outcomes = list(pool.map(upload, range(PARALLEL_UPLOADS)))

    assert outcomes.count("accepted") == 3
    assert outcomes.count("daily_limit_reached") == PARALLEL_UPLOADS - 3
    assert Submission.objects.filter(user=student).count() == 3
