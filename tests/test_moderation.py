"""Moderation (challenges/rules/moderation.py): disqualifying and reinstating submissions
and participants, and rescoring a whole challenge."""

import pytest

from challenges import selectors
from challenges.boards.leaderboards import leaderboard
from challenges.models import Submission
from challenges.rules import moderation
from challenges.submissions import judge
from tests.factories import scored_submission

pytestmark = pytest.mark.django_db


def test_a_disqualified_submission_leaves_the_boards_and_can_be_reinstated(
    student_client, challenge, student
):
    good = scored_submission(challenge, student, 0.5, 0.5)
    cheat = scored_submission(challenge, student, 0.01, 0.01)
    moderation.disqualify_submission(submission=cheat, reason="Labels copied from the web")
    assert [r.score for r in leaderboard(challenge=challenge)] == [0.5]
    fragment = student_client.get("/challenges/tiny-1d/my-submissions/").content.decode()
    assert "Disqualified: Labels copied from the web" in fragment
    moderation.reinstate_submission(submission=cheat)
    assert [r.score for r in leaderboard(challenge=challenge)] == [0.01]
    assert good.pk != cheat.pk


def test_a_disqualified_participant_leaves_boards_and_grades_until_undone(
    student_client, challenge, student, other_student, instructor
):
    scored_submission(challenge, student, 0.1, 0.1)
    scored_submission(challenge, other_student, 0.2, 0.2)
    moderation.disqualify_participant(
        challenge=challenge, user=student, reason="Shared code", by=instructor
    )
    assert [r.user_id for r in selectors.final_leaderboard(challenge=challenge)] == [
        other_student.pk
    ]
    page = student_client.get("/challenges/tiny-1d/").content.decode()
    assert "You were disqualified from this challenge: Shared code" in page
    moderation.reinstate_participant(challenge=challenge, user=student)
    assert len(selectors.final_leaderboard(challenge=challenge)) == 2


def test_rescore_requeues_everything_and_shows_progress(client, challenge, student, instructor):
    scored_submission(challenge, student, 0.1, 0.1)
    scored_submission(challenge, student, 0.2, 0.2)
    client.force_login(instructor)
    assert client.post("/challenges/tiny-1d/rescore/").status_code == 302
    challenge.refresh_from_db()
    progress = moderation.rescore_progress(challenge=challenge)
    assert (progress.total, progress.pending, progress.running) == (2, 2, True)
    fragment = client.get("/challenges/tiny-1d/rescore/progress/").content.decode()
    assert "0 of 2 submissions done" in fragment and 'hx-trigger="every 2s"' in fragment
    for submission in Submission.objects.all():
        judge.submission_score(submission_id=submission.pk)
    fragment = client.get("/challenges/tiny-1d/rescore/progress/").content.decode()
    assert "2 of 2 submissions done" in fragment and "hx-trigger" not in fragment


def test_students_cannot_rescore(student_client, student_api, challenge):
    assert student_client.post("/challenges/tiny-1d/rescore/").status_code == 404
    assert student_api.post("/api/challenges/tiny-1d/rescore/").status_code == 403


def test_instructors_disqualify_and_reinstate_in_the_admin(client, instructor, challenge, student):
    cheat = scored_submission(challenge, student, 0.01, 0.01)
    client.force_login(instructor)
    url = f"/admin/challenges/submission/{cheat.pk}/change/"
    response = client.post(url, {"description": "", "disqualified_reason": "Hand-labelled test"})
    assert response.status_code == 302
    cheat.refresh_from_db()
    assert cheat.is_disqualified and cheat.disqualified_at is not None
    assert leaderboard(challenge=challenge) == []
    client.post(url, {"description": "", "disqualified_reason": ""})
    assert [r.score for r in leaderboard(challenge=challenge)] == [0.01]
