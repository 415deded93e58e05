"""Times in the admin: every moment in the course's zone with the zone named, in the site's one
date format, and every date/time input saying which zone it reads. Extensions that would not
move a deadline later are refused (the reveal rules are tests/test_finals.py)."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from challenges.models import Extension, Submission
from challenges.rules import deadlines
from tests.factories import scored_submission
from vsegrader.course.models import ProjectSettings

pytestmark = pytest.mark.django_db
pytest_plugins = ("tests.project_world",)  # report: a deliverable of a group

ZONE_HELP = "Prague time (Europe/Prague)"
DEADLINE_SHOWN = "3 Jan 2027, 17:00 CET"  # the challenge's deadline, 16:00 UTC
NOT_LATER = f"An extension must end after the challenge's deadline ({DEADLINE_SHOWN})"
FORM_ROW = re.compile(
    r'<div class="form-row[^"]*\bfield-(\w+)[^"]*">(.*?)(?=<div class="form-row|$)'
)


@pytest.fixture
def admin_client(client, instructor):
    client.force_login(instructor)
    return client


@pytest.fixture
def january(challenge):
    challenge.deadline = datetime(2027, 1, 3, 16, 0, tzinfo=UTC)
    challenge.save()
    return challenge


def add_extension(client, challenge, student, day: str, time: str):
    data = {"challenge": challenge.pk, "user": student.pk, "reason": "illness"}
    data |= {"deadline_0": day, "deadline_1": time}  # as typed: Prague time
    return client.post("/admin/challenges/extension/add/", data, follow=True)


def test_an_extension_reads_the_same_when_saved_listed_and_deleted(admin_client, january, student):
    saved = add_extension(admin_client, january, student, "2027-01-10", "17:00:00")
    extension = Extension.objects.get()
    assert extension.deadline == datetime(2027, 1, 10, 16, 0, tzinfo=UTC)
    shown = "alice on tiny-1d until 10 Jan 2027, 17:00 CET"
    assert shown in saved.content.decode()  # the "added successfully" message
    listed = admin_client.get("/admin/challenges/extension/").content.decode()
    assert "10 Jan 2027, 17:00 CET" in listed and "16:00" not in listed
    url = f"/admin/challenges/extension/{extension.pk}/delete/"
    assert shown in admin_client.get(url).content.decode()


def test_a_deliverable_names_its_upload_time_in_the_course_zone(admin_client, report):
    report.uploaded_at = datetime(2026, 7, 1, 8, 14, tzinfo=UTC)
    assert str(report) == "Deep Thinkers report, uploaded 1 Jul 2026, 10:14 CEST"
    report.uploaded_at = datetime(2026, 12, 6, 8, 14, tzinfo=UTC)
    report.save()
    assert str(report) == "Deep Thinkers report, uploaded 6 Dec 2026, 09:14 CET"
    page = admin_client.get(f"/admin/course/projectgroup/{report.group_id}/change/")
    assert "6 Dec 2026, 09:14 CET" in page.content.decode()  # the deliverables inline


def test_read_only_times_and_columns_name_the_zone(admin_client, challenge, student):
    submission = scored_submission(challenge, student, 0.5, 0.5)
    moment = datetime(2027, 1, 2, 9, 30, tzinfo=UTC)
    Submission.objects.filter(pk=submission.pk).update(created_at=moment, scored_at=moment)
    page = admin_client.get(f"/admin/challenges/submission/{submission.pk}/change/")
    text = page.content.decode()
    assert text.count("2 Jan 2027, 10:30 CET") == 2  # created and scored, read-only
    assert 'name="created_at' not in text  # still no input
    listed = admin_client.get("/admin/challenges/submission/?o=-11").content.decode()
    assert "2 Jan 2027, 10:30 CET" in listed
    assert 'class="sortable column-created_at sorted descending"' in listed  # still sorts


def rows(page: bytes) -> dict[str, str]:
    return dict(FORM_ROW.findall(unescape(page.decode()).replace("\n", " ")))


@pytest.mark.parametrize(
    "url, inputs",
    [
        ("/admin/challenges/extension/add/", {"deadline"}),
        ("/admin/challenges/challenge/{challenge}/change/", {"deadline"}),
        ("/admin/course/projectsettings/1/change/", {"registration_deadline", "deadline"}),
        ("/admin/auth/user/{instructor}/change/", {"last_login", "date_joined"}),
    ],
)
def test_every_date_and_time_input_says_its_zone(admin_client, challenge, instructor, url, inputs):
    ProjectSettings.load()
    page = admin_client.get(url.format(challenge=challenge.pk, instructor=instructor.pk))
    dated = {name: row for name, row in rows(page.content).items() if "vDateField" in row}
    assert inputs <= set(dated)
    assert all(ZONE_HELP in row for row in dated.values()), dated


def test_the_settings_keep_their_own_help_before_the_zone(admin_client):
    ProjectSettings.load()
    row = rows(admin_client.get("/admin/course/projectsettings/1/change/").content)["deadline"]
    assert f"Report and slides; later uploads are kept but marked late. {ZONE_HELP}" in row


@pytest.mark.parametrize("day, time", [("2027-01-02", "12:00:00"), ("2027-01-03", "17:00:00")])
def test_the_admin_refuses_an_extension_that_ends_by_the_deadline(
    admin_client, january, student, day, time
):
    response = add_extension(admin_client, january, student, day, time)
    assert response.status_code == 200  # the form again, with the reason
    assert NOT_LATER in rows(response.content)["deadline"]
    assert not Extension.objects.exists()


def test_the_admin_refuses_moving_an_extension_back_to_the_deadline(
    admin_client, january, student, instructor
):
    extension = deadlines.grant_extension(
        challenge=january,
        user=student,
        deadline=datetime(2027, 1, 10, 16, 0, tzinfo=UTC),
        granted_by=instructor,
    )
    url = f"/admin/challenges/extension/{extension.pk}/change/"
    data = {"challenge": january.pk, "user": student.pk, "reason": ""}
    data |= {"deadline_0": "2027-01-03", "deadline_1": "09:00:00"}
    assert NOT_LATER in rows(admin_client.post(url, data).content)["deadline"]
    extension.refresh_from_db()
    assert extension.deadline == datetime(2027, 1, 10, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("hours", [-1, 0])
def test_grant_extension_refuses_one_that_ends_by_the_deadline(january, student, instructor, hours):
    with pytest.raises(deadlines.ExtensionRefused) as refused:
        deadlines.grant_extension(
            challenge=january,
            user=student,
            deadline=january.deadline + timedelta(hours=hours),
            granted_by=instructor,
        )
    assert refused.value.code == "not_later"
    assert refused.value.message.startswith(NOT_LATER)
    assert not Extension.objects.exists()


@pytest.mark.parametrize(
    "url, shows_a_time",
    [
        ("/admin/course/gradescheme/", True),  # updated at
        ("/admin/course/projectgroup/", True),  # created at
        ("/admin/course/projectgroup/{group}/change/", True),  # joined at
        ("/admin/auth/user/", True),  # last login
        ("/admin/challenges/disqualification/add/", False),
        ("/admin/challenges/extension/", False),
    ],
)
def test_the_pages_with_times_open_and_name_the_zone(admin_client, group, url, shows_a_time):
    page = admin_client.get(url.format(group=group.pk), follow=True)
    assert page.status_code == 200
    assert bool(re.search(r"\d\d:\d\d CES?T<", page.content.decode())) is shows_a_time
