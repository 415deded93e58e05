"""Leaderboards (challenges/boards/): the reveal of the private board, what students and
instructors see, reference rows, bootstrap intervals, the rebuild command, and the
query count that must not grow with the class."""

import pytest
from django.db import connection

from challenges.boards import leaderboards
from challenges.boards.leaderboards import leaderboard
from challenges.boards.pseudonyms import pseudonym_for
from challenges.models import Submission
from tests.bundles import constant_submission
from tests.factories import at, scored_submission, submit_and_score

pytestmark = pytest.mark.django_db


def test_before_the_reveal_no_student_facing_response_holds_a_private_score(
    student_api, student_client, challenge, student
):
    mine = scored_submission(challenge, student, 0.25, 0.123456)
    hidden = "0.123456"
    responses = [
        student_api.get("/api/challenges/tiny-1d/submissions/"),
        student_api.get(f"/api/submissions/{mine.pk}/"),
        student_api.get("/api/challenges/tiny-1d/"),
        student_api.get("/api/challenges/tiny-1d/leaderboard/"),
        student_api.get("/api/challenges/tiny-1d/leaderboard/download/"),
        student_client.get("/challenges/tiny-1d/"),
        student_client.get("/challenges/tiny-1d/my-submissions/"),
        student_client.get("/challenges/tiny-1d/leaderboard/"),
        student_client.get("/challenges/tiny-1d/chart/"),
    ]
    for response in responses:
        assert response.status_code == 200
        assert hidden not in response.content.decode()
    for refused in (
        student_api.get("/api/challenges/tiny-1d/leaderboard/?split=private"),
        student_api.get("/api/challenges/tiny-1d/leaderboard/download/?split=private"),
        student_client.get("/challenges/tiny-1d/leaderboard/?split=private"),
    ):
        assert refused.status_code == 403 and hidden not in refused.content.decode()


def test_at_the_deadline_the_private_board_opens_to_students(
    monkeypatch, student_api, challenge, student, other_student
):
    scored_submission(challenge, student, 0.1, 0.5, minutes_ago=5)
    scored_submission(challenge, other_student, 0.2, 0.3, minutes_ago=5)
    at(monkeypatch, challenge.deadline)
    board = student_api.get("/api/challenges/tiny-1d/leaderboard/?split=private").json()
    moves = [(r["team_name"], r["rank"], r["public_rank"], r["move"]) for r in board["rows"]]
    assert moves == [
        (pseudonym_for(other_student.pk), 1, 2, 1),
        (pseudonym_for(student.pk), 2, 1, -1),
    ]
    mine = student_api.get("/api/challenges/tiny-1d/submissions/").json()
    assert mine[0]["private_score"] == 0.5


def test_instructors_see_real_names_usernames_and_both_boards(
    client, challenge, instructor, make_user
):
    dana = make_user("dana")
    dana.first_name, dana.last_name = "Dana", "Nováková"
    dana.save()
    scored_submission(challenge, dana, 0.1, 0.2)
    client.force_login(instructor)
    page = client.get("/challenges/tiny-1d/leaderboard/?split=private").content.decode()
    assert "Dana Nováková" in page and ">dana<" in page


def test_baselines_are_reference_rows_not_participants(challenge, student, make_user):
    bot = make_user("baseline")
    scored_submission(challenge, bot, 0.05, 0.05, is_baseline=True, description="MLP")
    scored_submission(challenge, bot, 0.5, 0.5, is_baseline=True, description="linear")
    scored_submission(challenge, student, 0.2, 0.2)
    for split in ("public", "private"):
        rows = leaderboard(challenge=challenge, split=split)
        assert [(r.rank, r.name) for r in rows] == [
            (None, "Baseline: MLP"),
            (1, pseudonym_for(student.pk)),
            (None, "Baseline: linear"),
        ]
        assert leaderboards.participant_count(rows) == 1


def test_the_leaderboard_query_count_does_not_grow_with_participants(challenge, make_user):
    def queries_for_board() -> int:
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            for split in ("public", "private"):
                leaderboard(challenge=challenge, split=split)
        return len(captured)

    scored_submission(challenge, make_user("u0"), 0.5, 0.5)
    few = queries_for_board()
    for index in range(1, 30):
        user = make_user(f"u{index}")
        for attempt in range(3):
            scored_submission(challenge, user, index + attempt / 10, index)
    assert queries_for_board() == few == 2  # one indexed read per board


def test_instructors_see_a_bootstrap_interval_around_private_scores(
    challenge, student, client, instructor, student_api
):
    submission = submit_and_score(challenge, student, constant_submission(1.75))
    low, high = submission.private_ci_low, submission.private_ci_high
    assert low < submission.private_score < high
    client.force_login(instructor)
    board = client.get("/api/challenges/tiny-1d/leaderboard/?split=private").json()
    assert board["rows"][0]["ci"] == [low, high]
    mine = student_api.get(f"/api/submissions/{submission.pk}/").json()
    assert (
        mine["private_ci"] is None
        and "ci" not in student_api.get("/api/challenges/tiny-1d/leaderboard/").json()["rows"][0]
    )
    page = client.get("/challenges/tiny-1d/leaderboard/?split=private").content.decode()
    assert "95 % CI" in page


def test_refreshstandings_rebuilds_the_boards_after_hand_edits(challenge, student):
    from django.core.management import call_command

    submission = scored_submission(challenge, student, 0.5, 0.5)
    Submission.objects.filter(pk=submission.pk).update(shown_public_score=0.1, public_score=0.1)
    assert [r.score for r in leaderboard(challenge=challenge)] == [0.5]
    call_command("refreshstandings")
    assert [r.score for r in leaderboard(challenge=challenge)] == [0.1]
