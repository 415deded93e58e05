"""Issue 19: switching Ladder mode never reveals what it held back; automatic final
selection in Ladder mode ranks by the scores students were shown; instructors see what the
Ladder holds back."""

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone

from challenges import selectors
from challenges.boards.ladder_overview import latest_pairs
from challenges.boards.ladders import ModeChangeRefused, losses_to_bytes, mode_change_refusal
from challenges.boards.leaderboards import leaderboard
from challenges.boards.standings import refresh_standings
from challenges.bundles.importing import challenge_import
from challenges.bundles.reader import read_bundle
from challenges.models import Challenge, Submission
from challenges.submissions import intake, judge
from tests.admin_forms import post_mode
from tests.bundles import constant_submission, perfect_submission
from tests.conftest import csv_upload
from tests.factories import scored_submission, submit_and_score

# (exact public, private, public losses): the Ladder shows A, keeps A for B, shows C, keeps
# C for D. Exact public scores: B is the best, then D; shown: C = D = 0.5.
LADDER_RUN = {
    "A": (0.9, 0.11, [1, 1, 1, 1, 1, 1]),
    "B": (0.3137251, 0.22, [1, 1, 1, 1, 1, 1.5]),
    "C": (0.5, 0.33, [0, 0, 0, 0, 0, 0]),
    "D": (0.4513579, 0.44, [0, 0, 0, 0, 0, 0.5]),
}
# std([0, 0, 0, 0, 0, 0.5], ddof=1) / √6: D's threshold against C
D_THRESHOLD = float(np.std([0, 0, 0, 0, 0, 0.5], ddof=1) / np.sqrt(6))


def laddered_submission(challenge, user, public, private, losses, *, minutes_ago, **kwargs):
    submission = scored_submission(
        challenge, user, public, private, minutes_ago=minutes_ago, **kwargs
    )
    Submission.objects.filter(pk=submission.pk).update(
        public_losses=losses_to_bytes(np.array(losses, dtype=float))
    )
    refresh_standings(challenge=challenge, users=[user])
    return Submission.objects.get(pk=submission.pk)


def ladder_run(challenge, user) -> dict[str, Submission]:
    made = {}
    for minutes_ago, (name, (public, private, losses)) in zip(
        (40, 30, 20, 10), LADDER_RUN.items(), strict=True
    ):
        made[name] = laddered_submission(
            challenge, user, public, private, losses, minutes_ago=minutes_ago
        )
    return {name: Submission.objects.get(pk=s.pk) for name, s in made.items()}


@pytest.fixture
def ladder_challenge(challenge):
    challenge.public_ladder = True
    challenge.final_selections = 1
    challenge.save()
    return challenge


@pytest.fixture
def run(ladder_challenge, student):
    return ladder_run(ladder_challenge, student)


@pytest.fixture
def admin_client(client, instructor):
    client.force_login(instructor)
    return client


def private_score_of(challenge) -> float:
    (row,) = selectors.final_leaderboard(challenge=challenge)
    return row.score


# --- pure -----------------------------------------------------------------------------------


def test_a_metric_without_row_losses_cannot_be_switched_to_the_ladder():
    refusal = mode_change_refusal(Challenge(metric="roc_auc"), public_ladder=True)
    assert "no per-row loss" in refusal


def test_each_students_latest_decision_is_judged_against_the_score_shown_before_it():
    rows = [(7, 1, True), (7, 2, False), (7, 3, True), (7, 4, False), (9, 5, True)]
    assert latest_pairs(rows) == [(4, 3)]  # student 9 has no decision yet


# --- 1: the mode is fixed once students have submitted --------------------------------------

db_test = pytest.mark.django_db


@db_test
def test_the_world_is_as_described(run):
    accepted = [run[name].ladder_accepted for name in "ABCD"]
    shown = [run[name].shown_public_score for name in "ABCD"]
    assert accepted == [True, False, True, False] and shown == [0.9, 0.9, 0.5, 0.5]


@db_test
def test_the_admin_refuses_to_untick_the_ladder_after_a_student_submitted(
    ladder_challenge, run, admin_client
):
    response = post_mode(admin_client, ladder_challenge, public_ladder=False)
    assert response.status_code == 200  # the form again, with the reason
    assert "stays in Ladder mode: students have already sent 4 submissions" in (
        response.content.decode()
    )
    ladder_challenge.refresh_from_db()
    assert ladder_challenge.public_ladder
    assert Submission.objects.get(pk=run["B"].pk).shown_public_score == 0.9


@db_test
def test_the_admin_refuses_to_tick_the_ladder_after_a_student_submitted(
    challenge, student, admin_client
):
    scored_submission(challenge, student, 0.3, 0.3)
    response = post_mode(admin_client, challenge, public_ladder=True)
    assert "stays in standard mode" in response.content.decode()
    challenge.refresh_from_db()
    assert not challenge.public_ladder


@db_test
def test_the_mode_may_change_while_only_baselines_and_instructors_submitted(
    challenge, instructor, admin_client
):
    scored_submission(challenge, instructor, 0.3, 0.3, is_baseline=True, description="MLP")
    scored_submission(challenge, instructor, 0.4, 0.4)
    response = post_mode(admin_client, challenge, public_ladder=True)
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.public_ladder


@db_test
def test_any_other_save_that_switches_the_mode_is_refused(ladder_challenge, run):
    ladder_challenge.public_ladder = False
    with pytest.raises(ModeChangeRefused, match="stays in Ladder mode"):
        ladder_challenge.save()
    assert Challenge.objects.get(pk=ladder_challenge.pk).public_ladder
    ladder_challenge.refresh_from_db()
    ladder_challenge.daily_limit = 9
    ladder_challenge.save()  # saves that keep the mode go through


@db_test
def test_a_bundle_reimport_keeps_the_ladder_mode_and_says_so(tiny_bundle, ladder_challenge, run):
    report = challenge_import(bundle=read_bundle(tiny_bundle))
    assert "public board kept in Ladder mode" in report.summary()
    assert Challenge.objects.get(pk=ladder_challenge.pk).public_ladder


@db_test
def test_before_the_reveal_students_never_see_an_exact_ladder_score(
    ladder_challenge, run, student_api, student_client, instructor
):
    """The reveal test on a Ladder challenge whose mode an instructor tried to switch."""
    admin = Client()
    admin.force_login(instructor)
    assert post_mode(admin, ladder_challenge, public_ladder=False).status_code == 200
    # B's and D's exact public scores, never released: as the API and the pages would write them
    hidden = ["3137251", "4513579", "0.3137", "0.4514"]
    slug = ladder_challenge.slug
    responses = [
        student_api.get(f"/api/challenges/{slug}/submissions/"),
        student_api.get(f"/api/submissions/{run['B'].pk}/"),
        student_api.get(f"/api/submissions/{run['D'].pk}/"),
        student_api.get(f"/api/challenges/{slug}/leaderboard/"),
        student_api.get(f"/api/challenges/{slug}/leaderboard/download/"),
        student_client.get(f"/challenges/{slug}/"),
        student_client.get(f"/challenges/{slug}/my-submissions/"),
        student_client.get(f"/challenges/{slug}/submissions/"),
        student_client.get(f"/challenges/{slug}/leaderboard/"),
        student_client.get(f"/challenges/{slug}/chart/"),
    ]
    for response in responses:
        assert response.status_code == 200
        body = response.content.decode()
        assert not any(h in body for h in hidden), response.request["PATH_INFO"]
    assert student_api.get(f"/api/submissions/{run['B'].pk}/").json()["public_score"] == 0.9
    Challenge.objects.filter(pk=ladder_challenge.pk).update(deadline=timezone.now())  # reveal
    revealed = student_api.get(f"/api/submissions/{run['B'].pk}/").json()
    assert (revealed["public_score"], revealed["private_score"]) == (0.3137251, 0.22)
    page = student_client.get(f"/challenges/{slug}/my-submissions/").content.decode()
    assert "(Ladder showed 0.9000)" in page


@db_test
def test_a_later_submission_scored_first_shows_no_score_until_the_earlier_one_is(
    ladder_challenge, student, student_api
):
    first, second = (
        intake.submission_create(
            challenge=ladder_challenge, user=student, file=csv_upload(constant_submission(v))
        )
        for v in (9.0, 1.75)
    )
    judge.submission_score(submission_id=second.pk)
    waiting = Submission.objects.get(pk=second.pk)
    assert waiting.status == Submission.Status.SCORED and waiting.shown_public_score is None
    assert student_api.get(f"/api/submissions/{second.pk}/").json()["public_score"] is None
    judge.submission_score(submission_id=first.pk)
    first, second = (Submission.objects.get(pk=s.pk) for s in (first, second))
    assert (first.ladder_accepted, second.ladder_accepted) == (True, True)
    assert second.shown_public_score == second.public_score


@db_test
def test_late_submissions_go_on_up_the_ladder_and_show_no_held_back_score(
    ladder_challenge, run, student
):
    late = laddered_submission(
        ladder_challenge, student, 0.05, 0.05, [0, 0, 0, 0, 0, 0.4], minutes_ago=1, is_late=True
    )
    assert (late.ladder_accepted, late.shown_public_score) == (False, 0.5)


# --- 2: automatic final selection by the shown score ----------------------------------------


@db_test
def test_in_ladder_mode_automatic_finals_rank_by_the_shown_score_later_first(run, ladder_challenge):
    # exact ranking would pick B (private 0.22); shown ranking with the earlier first, C (0.33)
    assert private_score_of(ladder_challenge) == 0.44  # D: shown 0.5 like C, and later


@db_test
def test_in_standard_mode_automatic_finals_still_rank_by_the_exact_score(challenge, student):
    challenge.final_selections = 1
    challenge.save()
    ladder_run(challenge, student)
    assert private_score_of(challenge) == 0.22  # B, the best exact public score


@db_test
def test_marked_finals_still_decide_in_ladder_mode(run, ladder_challenge, student):
    Submission.objects.filter(pk=run["B"].pk).update(is_final=True)
    refresh_standings(challenge=ladder_challenge, users=[student])
    assert private_score_of(ladder_challenge) == 0.22


@db_test
def test_the_challenge_page_says_how_ladder_finals_are_chosen(
    run, ladder_challenge, student_client
):
    page = student_client.get(f"/challenges/{ladder_challenge.slug}/submissions/").content.decode()
    assert "by the score the Ladder showed you (not the exact one), the later submission" in page


# --- 3: what the Ladder holds back, for instructors -----------------------------------------


@db_test
def test_instructors_see_the_ladders_threshold_and_what_it_held_back(
    run, ladder_challenge, admin_client
):
    page = admin_client.get(f"/challenges/{ladder_challenge.slug}/").content.decode()
    assert 'id="ladder-info"' in page
    assert "n = 6</strong> public rows" in page
    assert f"median <strong>{D_THRESHOLD:.6g}</strong>" in page
    assert "Not released: <strong>2</strong> of 4 counting submissions, by 1 student" in page


@db_test
def test_students_do_not_see_the_ladders_threshold(run, ladder_challenge, student_client):
    page = student_client.get(f"/challenges/{ladder_challenge.slug}/submissions/").content.decode()
    assert "ladder-info" not in page and f"{D_THRESHOLD:.6g}" not in page


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


def test_the_ladder_is_replayed_in_sending_order_whatever_the_scoring_order(challenge, student):
    challenge.public_ladder = True
    challenge.save()
    contents = [
        constant_submission(1.75),
        constant_submission(1.75).replace(b"\n1,1.75\n", b"\n1,0.5\n"),
        perfect_submission(),
    ]
    sent = [
        intake.submission_create(challenge=challenge, user=student, file=csv_upload(c))
        for c in contents
    ]
    for submission in reversed(sent):  # the newest is scored first
        judge.submission_score(submission_id=submission.pk)
    accepted = [Submission.objects.get(pk=s.pk).ladder_accepted for s in sent]
    assert accepted == [True, False, True]
