"""Deadlines and extensions of a challenge (challenges/rules/deadlines.py): late uploads,
extensions, and the deadline as the page shows it. The course's deadlines page and
calendar feed are tests/test_deadlines.py."""

from datetime import UTC, datetime, timedelta

import pytest

from challenges import selectors
from challenges.boards.leaderboards import leaderboard
from challenges.rules import deadlines
from tests.factories import at, scored_submission, upload

pytestmark = pytest.mark.django_db


def test_the_deadline_second_itself_is_late(monkeypatch, challenge, student):
    deadline = challenge.deadline
    at(monkeypatch, deadline - timedelta(microseconds=1))
    on_time = upload(challenge, student)
    at(monkeypatch, deadline)
    late = upload(challenge, student)
    assert (on_time.is_late, late.is_late) == (False, True)
    assert late.created_at == deadline


def test_late_submissions_are_scored_but_never_counted(challenge, student):
    scored_submission(challenge, student, 0.5, 0.5)
    scored_submission(challenge, student, 0.1, 0.1, is_late=True)
    assert [row.score for row in leaderboard(challenge=challenge)] == [0.5]
    assert [row.score for row in selectors.final_leaderboard(challenge=challenge)] == [0.5]


def test_an_extension_moves_one_students_deadline_and_delays_the_reveal(
    monkeypatch, challenge, student, other_student, instructor
):
    extended = challenge.deadline + timedelta(days=2)
    deadlines.grant_extension(
        challenge=challenge, user=student, deadline=extended, granted_by=instructor
    )
    at(monkeypatch, challenge.deadline + timedelta(hours=1))
    assert upload(challenge, student).is_late is False
    assert upload(challenge, other_student).is_late is True
    assert not deadlines.is_revealed(challenge)  # student is still working
    at(monkeypatch, extended)
    assert deadlines.is_revealed(challenge)


def test_the_page_shows_the_deadline_in_prague_time_and_utc(student_client, challenge):
    challenge.deadline = datetime(2023, 3, 19, 22, 59, tzinfo=UTC)
    challenge.save()
    page = student_client.get("/challenges/tiny-1d/").content.decode()
    assert "19 Mar 2023, 23:59 CET" in page
    assert "19 Mar 2023, 22:59 UTC" in page


def test_an_extension_is_granted_in_the_admin(client, instructor, challenge, student):
    client.force_login(instructor)
    response = client.post(
        "/admin/challenges/extension/add/",
        {
            "challenge": challenge.pk,
            "user": student.pk,
            "reason": "illness",
            "deadline_0": "2031-01-01",
            "deadline_1": "12:00:00",
        },
    )
    assert response.status_code == 302
    extended = deadlines.effective_deadline(challenge=challenge, user=student)
    assert extended == datetime(2031, 1, 1, 11, 0, tzinfo=UTC)  # 12:00 Prague, CET
