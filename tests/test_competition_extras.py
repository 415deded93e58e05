"""Issue 3 beyond Kaggle: the Ladder, bootstrap intervals, the Kaggle export, instructors' tools
and the chart."""

from datetime import UTC, datetime

import pytest

from challenges import selectors, services
from challenges.leaderboards import leaderboard, pseudonym_for
from challenges.models import Submission
from tests.bundles import constant_submission, perfect_submission
from tests.conftest import csv_upload
from tests.factories import scored_submission

pytestmark = pytest.mark.django_db


# --- the Ladder -----------------------------------------------------------------------


def submit_and_score(challenge, user, content: bytes) -> Submission:
    submission = services.submission_create(
        challenge=challenge, user=user, file=csv_upload(content)
    )
    services.submission_score(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission


def test_the_ladder_moves_only_on_a_significant_improvement(
    challenge, student, student_api, client, instructor
):
    """Public truths of tiny-1d: y = 0.5, 1.0, …, 3.0 on ids 1-6.
    A: 1.75 everywhere: squared errors 1.5625, .5625, .0625, .0625, .5625, 1.5625, mean .729167.
    B: A but exact on id 1: differences to A are (-1.5625, 0, 0, 0, 0, 0): mean -.260417,
       sample std 1.5625/√6 = .637888, standard error .637888/√6 = .260417: the gain equals
       one standard error, not more, so B is not shown although its mean is .46875.
    C: exact everywhere: gain .729167 > standard error .278887 (std .683130 / √6): shown."""
    challenge.public_ladder = True
    challenge.save()
    a = submit_and_score(challenge, student, constant_submission(1.75))
    b_content = constant_submission(1.75).replace(b"\n1,1.75\n", b"\n1,0.5\n")
    b = submit_and_score(challenge, student, b_content)
    assert (a.ladder_accepted, b.ladder_accepted) == (True, False)
    assert a.public_score == pytest.approx(0.729167, abs=1e-6)
    assert b.public_score == pytest.approx(0.46875)
    assert b.shown_public_score == a.public_score
    shown = student_api.get(f"/api/submissions/{b.pk}/").json()["public_score"]
    assert shown == pytest.approx(0.729167, abs=1e-6)
    client.force_login(instructor)
    assert client.get(f"/api/submissions/{b.pk}/").json()["public_score"] == pytest.approx(0.46875)
    assert [r.score for r in leaderboard(challenge=challenge)] == [a.public_score]
    c = submit_and_score(challenge, student, perfect_submission())
    assert c.ladder_accepted and c.shown_public_score == 0.0
    assert [r.score for r in leaderboard(challenge=challenge)] == [0.0]


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
    assert mine["private_ci"] is None and "ci" not in student_api.get(
        "/api/challenges/tiny-1d/leaderboard/"
    ).json()["rows"][0]
    page = client.get("/challenges/tiny-1d/leaderboard/?split=private").content.decode()
    assert "95 % CI" in page


# --- Kaggle export --------------------------------------------------------------------


def test_the_kaggle_format_export_reads_back_with_pandas(
    client, instructor, student_api, challenge, student, other_student, make_user
):
    import io

    import pandas as pd

    student.first_name, student.last_name = "=HYPERLINK(evil)", "Smith"
    student.save()
    scored_submission(challenge, student, 0.1, 0.3, minutes_ago=10)
    scored_submission(challenge, student, 0.2, 0.3, minutes_ago=5)
    scored_submission(challenge, other_student, 0.15, 0.2)
    scored_submission(challenge, make_user("baseline"), 0.12, 0.12, is_baseline=True)
    client.force_login(instructor)
    for split, expected in (("public", [0.1, 0.15]), ("private", [0.2, 0.3])):
        response = client.get(f"/api/challenges/tiny-1d/leaderboard/download/?split={split}")
        assert response["Content-Type"].startswith("text/csv")
        frame = pd.read_csv(io.StringIO(response.content.decode()))
        assert list(frame.columns) == [
            "Rank", "TeamId", "TeamName", "LastSubmissionDate", "Score", "SubmissionCount",
            "TeamMemberUserNames",
        ]
        assert frame["Rank"].tolist() == [1, 2] and frame["Score"].tolist() == expected
        assert frame["Rank"].dtype.kind == "i"  # baselines left out: notebooks parse ints
    public = pd.read_csv(io.StringIO(client.get(
        "/api/challenges/tiny-1d/leaderboard/download/").content.decode()))
    assert public.loc[0, "TeamName"] == "'=HYPERLINK(evil) Smith"
    assert public.loc[0, "TeamMemberUserNames"] == "alice"
    assert public.loc[0, "SubmissionCount"] == 2
    students_copy = student_api.get("/api/challenges/tiny-1d/leaderboard/download/")
    text = students_copy.content.decode()
    assert "alice" not in text and "Smith" not in text and pseudonym_for(student.pk) in text


# --- instructors' tools and the chart -------------------------------------------------


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


def test_an_extension_is_granted_in_the_admin(client, instructor, challenge, student):
    client.force_login(instructor)
    response = client.post("/admin/challenges/extension/add/", {
        "challenge": challenge.pk, "user": student.pk, "reason": "illness",
        "deadline_0": "2031-01-01", "deadline_1": "12:00:00",
    })
    assert response.status_code == 302
    extended = selectors.effective_deadline(challenge=challenge, user=student)
    assert extended == datetime(2031, 1, 1, 11, 0, tzinfo=UTC)  # 12:00 Prague, CET


def test_the_chart_shows_progress_and_baselines_without_scripts(
    student_client, challenge, student, other_student, make_user
):
    scored_submission(challenge, student, 0.5, 0.5, minutes_ago=60)
    scored_submission(challenge, other_student, 0.2, 0.2, minutes_ago=30)
    scored_submission(challenge, make_user("baseline"), 0.3, 0.3, is_baseline=True,
                      description="MLP")
    fragment = student_client.get("/challenges/tiny-1d/chart/").content.decode()
    assert fragment.count("<svg") == 2 and "<script" not in fragment
    assert "Baseline: MLP" in fragment


def test_the_ladder_is_replayed_in_sending_order_whatever_the_scoring_order(challenge, student):
    challenge.public_ladder = True
    challenge.save()
    contents = [
        constant_submission(1.75),
        constant_submission(1.75).replace(b"\n1,1.75\n", b"\n1,0.5\n"),
        perfect_submission(),
    ]
    sent = [
        services.submission_create(challenge=challenge, user=student, file=csv_upload(c))
        for c in contents
    ]
    for submission in reversed(sent):  # the newest is scored first
        services.submission_score(submission_id=submission.pk)
    accepted = [Submission.objects.get(pk=s.pk).ladder_accepted for s in sent]
    assert accepted == [True, False, True]


def test_refreshstandings_rebuilds_the_boards_after_hand_edits(challenge, student):
    from django.core.management import call_command

    submission = scored_submission(challenge, student, 0.5, 0.5)
    Submission.objects.filter(pk=submission.pk).update(shown_public_score=0.1, public_score=0.1)
    assert [r.score for r in leaderboard(challenge=challenge)] == [0.5]
    call_command("refreshstandings")
    assert [r.score for r in leaderboard(challenge=challenge)] == [0.1]
