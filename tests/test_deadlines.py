"""The deadlines page (Prague time with its zone, UTC, countdown) and the iCalendar feed."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from vsegrader.course import deadlines
from vsegrader.course.models import CalendarFeed, ProjectSettings

pytestmark = pytest.mark.django_db
PRAGUE = ZoneInfo("Europe/Prague")


@pytest.fixture
def schedule(challenge):
    """The tiny challenge closes 15 March 2030 17:00 CET; the project's dates are in CEST."""
    config = ProjectSettings.load()
    config.registration_deadline = datetime(2030, 3, 31, 23, 59, tzinfo=PRAGUE)
    config.deadline = datetime(2030, 4, 2, 23, 59, tzinfo=PRAGUE)
    config.save()
    return config


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_every_deadline_is_listed_soonest_first(schedule, student):
    listed = deadlines.course_deadlines(user=student)
    assert [d.uid for d in listed] == [
        "challenge-tiny-1d",
        "project-registration",
        "project-deliverables",
    ]
    assert listed[2].utc.isoformat() == "2030-04-02T21:59:00+00:00"


def test_unpublished_challenges_are_not_listed_for_students(
    schedule, challenge, student, instructor
):
    challenge.is_published = False
    challenge.save()
    assert "challenge-tiny-1d" not in [d.uid for d in deadlines.course_deadlines(user=student)]
    assert "challenge-tiny-1d" in [d.uid for d in deadlines.course_deadlines(user=instructor)]


def test_the_page_names_the_zone_and_gives_utc_and_a_countdown(client, schedule, student):
    client.force_login(student)
    page = client.get(reverse("deadline-list")).content.decode()
    assert "Fri 15 Mar 2030, 17:00 CET" in page and "2030-03-15 16:00 UTC" in page
    assert "Tue 2 Apr 2030, 23:59 CEST" in page and "2030-04-02 21:59 UTC" in page
    assert "Europe/Prague" in page
    assert 'data-deadline="2030-03-15T16:00:00+00:00"' in page
    assert ">in " in page and " days " in page
    assert "countdown.js" in page


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (timedelta(days=3, hours=4, minutes=5), "in 3 days 4 h"),
        (timedelta(days=1, minutes=5), "in 1 day 0 h"),
        (timedelta(hours=2, minutes=5), "in 2 h 05 min"),
        (timedelta(minutes=7, seconds=3), "in 7 min"),
        (timedelta(seconds=40), "in 40 s"),
        (timedelta(0), "passed 0 s ago"),
        (-timedelta(days=2, hours=1), "passed 2 days 1 h ago"),
    ],
)
def test_countdown_text(left, text):
    now = datetime(2030, 1, 1, 12, 0, tzinfo=PRAGUE)
    assert deadlines.countdown(now + left, now) == text


# --- the iCalendar feed -------------------------------------------------------------------


def test_the_feed_needs_no_session_only_the_secret(client, schedule, student):
    token = deadlines.feed_for(student).token
    response = client.get(reverse("calendar-feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    lines = unfold(response.content.decode())
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2:] == ["END:VCALENDAR", ""]
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == 3
    assert "UID:challenge-tiny-1d@testserver" in lines
    assert "DTSTART:20300315T160000Z" in lines
    assert "DTSTART:20300402T215900Z" in lines
    assert "URL:http://testserver/challenges/tiny-1d/" in lines
    assert "TRIGGER:-P1D" in lines  # icalendar writes 24 h as a day: the same, DTSTART is UTC


def test_a_wrong_or_renewed_token_gets_404(client, schedule, student):
    old = deadlines.feed_for(student).token
    assert client.get(reverse("calendar-feed", args=["x" * 43])).status_code == 404
    client.force_login(student)
    assert client.post(reverse("calendar-renew")).status_code == 302
    client.logout()
    new = CalendarFeed.objects.get(user=student).token
    assert new != old
    assert client.get(reverse("calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar-feed", args=[new])).status_code == 200


def test_an_inactive_students_feed_stops(client, schedule, student):
    token = deadlines.feed_for(student).token
    student.is_active = False
    student.save()
    assert client.get(reverse("calendar-feed", args=[token])).status_code == 404


def test_lines_are_folded_at_75_octets_and_text_is_escaped():
    deadline = deadlines.Deadline(
        uid="challenge-x",
        title="Příliš žluťoučký kůň; úpěl, ďábelské ódy " * 3,
        what="Line one\nline two",
        at=datetime(2030, 3, 15, 17, tzinfo=PRAGUE),
        path="/x/",
    )
    now = datetime(2030, 1, 1, tzinfo=PRAGUE)
    text = deadlines.ics_calendar([deadline], now=now, base_url="https://h", host="h")
    raw = text.encode("utf-8").split(b"\r\n")
    assert all(len(line) <= 75 for line in raw)
    assert b"\n" not in text.encode().replace(b"\r\n", b"")  # CRLF only
    summary = next(line for line in unfold(text) if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:" + "Příliš žluťoučký kůň\\; úpěl\\, ďábelské ódy " * 3
    description = next(line for line in unfold(text) if line.startswith("DESCRIPTION:Line"))
    assert description == (
        "DESCRIPTION:Line one\\nline two\\nDue 15 March 2030\\, 17:00 Prague "
        "time (CET)\\, 2030-03-15 16:00 UTC."
    )


def test_the_demo_course_sets_project_dates_relative_to_today_and_keeps_edits():
    from django.utils import timezone

    from demo.course import PROJECT_IDEAS, demo_course
    from vsegrader.course.models import ProjectTopic

    demo_course()
    config = ProjectSettings.load()
    today = timezone.localdate()
    registration, due = (
        timezone.localtime(config.registration_deadline),
        timezone.localtime(config.deadline),
    )
    assert ((registration.date() - today).days, registration.hour, registration.minute) == (
        14,
        23,
        59,
    )
    assert ((due.date() - today).days, due.hour, due.minute) == (46, 23, 59)
    families = set(ProjectTopic.objects.values_list("family", flat=True))
    assert families == {"Mathy", "CNN", "RNN", "GAN", "NLP"}
    config.deadline = datetime(2031, 1, 1, tzinfo=PRAGUE)
    config.save()
    demo_course()  # loading the demo again keeps an instructor's dates and adds no topics
    assert ProjectSettings.load().deadline == datetime(2031, 1, 1, tzinfo=PRAGUE)
    assert ProjectTopic.objects.count() == len(PROJECT_IDEAS)


def test_the_project_deadline_defaults_to_the_courses_2_april_2023():
    config = ProjectSettings.load()
    assert config.deadline == datetime(2023, 4, 2, 23, 59, tzinfo=PRAGUE)
