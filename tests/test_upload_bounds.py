"""Issue 18: no student can fill the disk or the scoring queue. Failed uploads have a daily cap
of their own, the page and the API share one upload rate, failed files are deleted after the
retention period, project deliverables keep a bounded number of versions, and a student's
burst is scored from a queue of its own."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from challenges import tasks
from challenges.bundles.metadata import read_metadata
from challenges.models import Submission
from challenges.rules import quotas
from challenges.submissions import intake, judge, retention
from tests.bundles import TINY_TOML, constant_submission
from tests.conftest import csv_upload

JUNK = b"id,y\n" + b"".join(b"%d,not-a-number\n" % i for i in range(1, 21))
URL = "/api/challenges/tiny-1d/submissions/"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(challenge, user, content: bytes = JUNK) -> Submission:
    return intake.submission_create(challenge=challenge, user=user, file=csv_upload(content))


def failed_upload(challenge, user) -> Submission:
    submission = upload(challenge, user)
    return judge.submission_score(submission_id=submission.pk)


def stored_files(user) -> int:
    storage = Submission._meta.get_field("file").storage
    return sum(
        1 for s in Submission.objects.filter(user=user) if s.file and storage.exists(s.file.name)
    )


# --- the failed-upload cap --------------------------------------------------------------


@pytest.mark.django_db
def test_thirty_junk_uploads_through_the_api_stop_at_the_failed_cap(
    student_api, student, challenge
):
    answers = []
    for _ in range(30):
        response = student_api.post(URL, {"file": csv_upload(JUNK)})
        answers.append(response.status_code)
        if response.status_code == 201:
            scored = judge.submission_score(submission_id=response.json()["id"])
            assert scored.status == "failed"
    assert answers == [201] * 20 + [403] * 10
    refused = student_api.post(URL, {"file": csv_upload(JUNK)}).json()
    assert refused["code"] == "failed_daily_limit_reached"
    assert "the most allowed a day is 20" in refused["detail"]
    assert stored_files(student) == 20


@pytest.mark.django_db
def test_submissions_still_being_checked_count_against_the_failed_cap(challenge, student):
    challenge.failed_daily_limit = 6
    challenge.save()
    for _ in range(3):
        failed_upload(challenge, student)
    for _ in range(3):
        upload(challenge, student)  # queued: they may still fail
    with pytest.raises(intake.SubmissionRejected) as refused:
        upload(challenge, student)
    assert refused.value.code == "failed_daily_limit_reached"
    quota = quotas.quota_for(challenge=challenge, user=student)
    assert (quota.failed_today, quota.checking_today, quota.failed_remaining_today) == (3, 3, 0)


@pytest.mark.django_db
def test_the_failed_cap_is_never_below_the_daily_limit(challenge, student):
    challenge.daily_limit, challenge.failed_daily_limit = 50, 20
    challenge.save()
    assert quotas.quota_for(challenge=challenge, user=student).failed_daily_limit == 50


@pytest.mark.django_db
def test_the_failed_quota_is_in_the_api_and_on_the_page(
    student_api, student_client, challenge, student
):
    failed_upload(challenge, student)
    quota = student_api.get("/api/challenges/tiny-1d/").json()["quota"]
    assert (quota["failed_daily_limit"], quota["failed_today"]) == (20, 1)
    assert quota["failed_remaining_today"] == 19 and quota["remaining_today"] == 5
    page = student_client.get("/challenges/tiny-1d/submissions/").content.decode()
    assert "failed files: <strong>19</strong> of 20 left today" in page
    assert "deleted after 24 h" in page


@pytest.mark.django_db(transaction=True)
def test_parallel_uploads_never_exceed_the_failed_cap(challenge, student, monkeypatch):
    monkeypatch.setattr(intake, "enqueue_scoring", lambda submission_id: True)
    challenge.failed_daily_limit = 6
    challenge.save()
    for _ in range(4):
        Submission.objects.filter(pk=upload(challenge, student).pk).update(status="failed")
    start_together = Barrier(10)

    def attempt(_):
        start_together.wait()
        try:
            upload(challenge, student)
            return "accepted"
        except intake.SubmissionRejected as rejected:
            return rejected.code
        finally:
            connection.close()

    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(attempt, range(10)))
    assert outcomes.count("accepted") == 2
    assert outcomes.count("failed_daily_limit_reached") == 8


def test_a_bundle_sets_the_failed_cap_in_its_limits(tmp_path):
    toml = TINY_TOML.format(slug="tiny-1d").replace("daily = 5", "daily = 5\nfailed_daily = 12")
    (tmp_path / "challenge.toml").write_text(toml)
    errors: list[str] = []
    assert read_metadata(tmp_path, errors)["limits"].failed_daily == 12
    assert errors == []


# --- one upload rate for the page and the API -------------------------------------------


@pytest.mark.django_db
def test_the_page_and_the_api_share_one_upload_rate(
    settings, student_api, student_client, challenge, student
):
    settings.SUBMISSION_UPLOAD_RATE = "3/min"
    challenge.daily_limit = 100
    challenge.save()
    good = constant_submission(0.5)
    for _ in range(2):
        page = student_client.post("/challenges/tiny-1d/submissions/", {"file": csv_upload(good)})
        assert page.status_code == 302
    assert student_api.post(URL, {"file": csv_upload(good)}).status_code == 201
    refused = student_api.post(URL, {"file": csv_upload(good)})
    assert refused.status_code == 429 and refused.json()["code"] == "upload_rate_exceeded"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "at most 3 uploads per minute" in refused.json()["detail"]
    page = student_client.post("/challenges/tiny-1d/submissions/", {"file": csv_upload(good)})
    assert "You are uploading too fast" in page.content.decode()
    assert Submission.objects.filter(user=student).count() == 3


@pytest.mark.django_db
def test_the_upload_rate_counts_only_the_window(settings, challenge, student):
    settings.SUBMISSION_UPLOAD_RATE = "2/min"
    challenge.daily_limit = 100
    challenge.save()
    old = upload(challenge, student, constant_submission(0.5))
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    upload(challenge, student, constant_submission(0.5))
    upload(challenge, student, constant_submission(0.5))
    with pytest.raises(intake.SubmissionRejected) as refused:
        upload(challenge, student, constant_submission(0.5))
    assert refused.value.code == "upload_rate_exceeded" and refused.value.retry_after >= 1


@pytest.mark.django_db
def test_without_its_own_setting_the_upload_rate_is_the_api_rate(settings):
    if hasattr(settings, "SUBMISSION_UPLOAD_RATE"):
        del settings.SUBMISSION_UPLOAD_RATE
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "7/min", "anon": None},
    }
    assert quotas.upload_rate() == quotas.UploadRate(uploads=7, seconds=60)


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("10/min", quotas.UploadRate(10, 60)),
        ("5/s", quotas.UploadRate(5, 1)),
        ("100/hour", quotas.UploadRate(100, 3600)),
        ("", None),
        (None, None),
    ],
)
def test_upload_rates_read_like_drf_rates(text, rate):
    assert quotas.parse_rate(text) == rate


def test_a_malformed_upload_rate_is_an_error():
    with pytest.raises(ValueError, match="10/min"):
        quotas.parse_rate("ten per minute")


# --- retention of failed files ----------------------------------------------------------


@pytest.mark.django_db
def test_a_failed_file_is_deleted_after_a_day_and_its_message_stays(
    student_client, challenge, student
):
    old, recent = failed_upload(challenge, student), failed_upload(challenge, student)
    good = upload(challenge, student, constant_submission(0.5))
    judge.submission_score(submission_id=good.pk)
    Submission.objects.filter(pk__in=[old.pk, good.pk]).update(
        scored_at=timezone.now() - timedelta(hours=25)
    )
    storage = Submission._meta.get_field("file").storage
    old_name = old.file.name
    assert tasks.purge_failed_files() == 1
    old.refresh_from_db()
    assert not storage.exists(old_name)
    assert (old.file.name, old.status, old.error) == ("", "failed", recent.error)
    assert "line 2" in old.error  # the message the student read stays
    assert stored_files(student) == 2  # the recent failed one and the scored one
    response = student_client.get(f"/submissions/{old.pk}/file/")
    assert response.status_code == 404
    assert retention.failed_files_purge() == 0  # nothing left to do


@pytest.mark.django_db
def test_a_purged_submission_cannot_be_rescored_and_keeps_a_message(challenge, student):
    failed = failed_upload(challenge, student)
    Submission.objects.filter(pk=failed.pk).update(scored_at=timezone.now() - timedelta(days=2))
    retention.failed_files_purge()
    assert intake.submissions_rescore(challenge=challenge) == 0
    Submission.objects.filter(pk=failed.pk).update(status="queued")  # the admin's "Score again"
    rescored = judge.submission_score(submission_id=failed.pk)
    assert rescored.status == "failed" and rescored.error == judge.FILE_PURGED_MESSAGE


# --- project deliverables ---------------------------------------------------------------


@pytest.fixture
def group(db, student):
    from vsegrader.course import projects
    from vsegrader.course.models import ProjectSettings, ProjectTopic

    config = ProjectSettings.load()
    config.registration_deadline = timezone.now() + timedelta(days=7)
    config.deadline = timezone.now() + timedelta(days=14)
    config.save()
    topic = ProjectTopic.objects.create(family="CNN", title="Characters")
    return projects.group_create(user=student, name="Bounded", topic=topic)


def deliver(user, now=None):
    from vsegrader.course import projects

    pdf = SimpleUploadedFile("r.pdf", PDF, content_type="application/pdf")
    return projects.deliverable_upload(user=user, kind="report", file=pdf, now=now)


def test_ten_deliverable_uploads_keep_only_the_newest_versions(
    settings, django_capture_on_commit_callbacks, group, student
):
    settings.PROJECT_DELIVERABLE_VERSIONS = 3
    with django_capture_on_commit_callbacks(execute=True):
        uploads = [deliver(student) for _ in range(10)]
    kept = list(group.deliverables.order_by("id"))
    assert kept == uploads[-3:]
    storage = kept[0].file.storage
    assert [storage.exists(d.file.name) for d in uploads] == [False] * 7 + [True] * 3


def test_a_late_upload_never_pushes_out_the_newest_on_time_version(
    settings, django_capture_on_commit_callbacks, group, student
):
    from vsegrader.course.models import ProjectSettings

    settings.PROJECT_DELIVERABLE_VERSIONS = 2
    deadline = ProjectSettings.load().deadline
    with django_capture_on_commit_callbacks(execute=True):
        on_time = deliver(student, now=deadline - timedelta(hours=1))
        late = [deliver(student, now=deadline + timedelta(hours=h)) for h in range(1, 5)]
    assert set(group.deliverables.all()) == {on_time, *late[-2:]}


# --- the fair scoring queue -------------------------------------------------------------


@pytest.fixture
def sent(monkeypatch) -> list:
    calls = []
    monkeypatch.setattr(
        tasks.score_submission,
        "apply_async",
        lambda args, **options: calls.append((args[0], options.get("queue"))),
    )
    return calls


def test_a_students_burst_goes_to_the_bulk_queue_and_others_are_not_behind_it(
    settings, sent, challenge, student, other_student
):
    settings.SCORING_BULK_QUEUE = "scoring-bulk"
    challenge.daily_limit = 20
    challenge.save()
    burst = [upload(challenge, student, constant_submission(0.5)) for _ in range(4)]
    honest = upload(challenge, other_student, constant_submission(0.5))
    for submission in (*burst, honest):
        intake.enqueue_scoring(submission.pk)
    assert [queue for _, queue in sent] == [
        None,
        "scoring-bulk",
        "scoring-bulk",
        "scoring-bulk",
        None,
    ]


def test_the_requeue_sends_each_students_oldest_waiting_submission_to_scoring(
    settings, sent, challenge, student
):
    settings.SCORING_BULK_QUEUE = "scoring-bulk"
    challenge.daily_limit = 20
    challenge.save()
    first, second, third = (upload(challenge, student, constant_submission(0.5)) for _ in range(3))
    judge.submission_score(submission_id=first.pk)
    Submission.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert intake.submissions_requeue_stuck() == 2
    assert sorted(sent) == [(second.pk, None), (third.pk, "scoring-bulk")]


def test_a_rescore_goes_to_the_bulk_queue_and_new_uploads_are_not_behind_it(
    settings, sent, django_capture_on_commit_callbacks, challenge, student, other_student
):
    settings.SCORING_BULK_QUEUE = "scoring-bulk"
    challenge.daily_limit = 20
    challenge.save()
    old = [
        upload(challenge, user, constant_submission(0.5))
        for user in (student, student, other_student)
    ]
    for submission in old:
        judge.submission_score(submission_id=submission.pk)
    Submission.objects.update(created_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert intake.submissions_rescore(challenge=challenge) == 3
    assert sorted(sent) == [(s.pk, "scoring-bulk") for s in old]
    first_new, second_new = (upload(challenge, student, constant_submission(0.4)) for _ in range(2))
    sent.clear()
    for submission in (first_new, second_new):
        intake.enqueue_scoring(submission.pk)
    assert sent == [(first_new.pk, None), (second_new.pk, "scoring-bulk")]  # a burst is still one


def test_the_requeue_leaves_a_rescore_its_time_however_old_its_rows_are(
    settings, sent, django_capture_on_commit_callbacks, challenge, student
):
    settings.SCORING_BULK_QUEUE = "scoring-bulk"
    submission = upload(challenge, student, constant_submission(0.5))
    judge.submission_score(submission_id=submission.pk)
    Submission.objects.update(created_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        intake.submissions_rescore(challenge=challenge)
    assert intake.submissions_requeue_stuck() == 0  # sent a moment ago, not stuck
    later = timezone.now() + settings.REQUEUE_QUEUED_AFTER + timedelta(seconds=1)
    assert intake.submissions_requeue_stuck(now=later) == 1  # lost: sent again, to bulk
    assert sent[-1] == (submission.pk, "scoring-bulk")


def test_without_a_bulk_queue_every_submission_goes_to_scoring(settings, sent, challenge, student):
    settings.SCORING_BULK_QUEUE = ""
    challenge.daily_limit = 20
    challenge.save()
    for submission in [upload(challenge, student, constant_submission(0.5)) for _ in range(3)]:
        intake.enqueue_scoring(submission.pk)
    assert [queue for _, queue in sent] == [None, None, None]


@pytest.mark.django_db
def test_an_api_upload_over_a_limit_is_refused_before_its_body_is_parsed(
    monkeypatch, student_api, challenge, student
):
    from rest_framework.parsers import MultiPartParser

    challenge.daily_limit = 1
    challenge.save()
    upload(challenge, student, constant_submission(0.5))
    parsed = []
    parse = MultiPartParser.parse
    monkeypatch.setattr(
        MultiPartParser,
        "parse",
        lambda self, *args, **kw: parsed.append(1) or parse(self, *args, **kw),
    )
    response = student_api.post(URL, {"file": csv_upload(JUNK)})
    assert response.status_code == 403 and response.json()["code"] == "daily_limit_reached"
    assert parsed == []
