"""Final selection (challenges/rules/finals.py): which submissions count for the private
board, and why nothing a student does after the reveal changes that, even with an
extension made after it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from challenges import selectors
from challenges.models import Extension, Submission
from challenges.rules import deadlines, finals, moderation
from challenges.submissions import intake
from challenges.templatetags.challenge_tags import when
from tests.bundles import constant_submission
from tests.conftest import csv_upload
from tests.factories import at, scored_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_submissions(challenge, student):
    # public (lower is better) 0.1 < 0.2 < 0.3; private 0.9, 0.8, 0.05: the third is the
    # best private score, which only someone who has seen the private board would pick.
    return [
        scored_submission(challenge, student, public, private, minutes_ago=minutes)
        for public, private, minutes in ((0.1, 0.9, 30), (0.2, 0.8, 20), (0.3, 0.05, 10))
    ]


def private_score(challenge) -> float:
    (row,) = selectors.final_leaderboard(challenge=challenge)
    return row.score


def test_with_none_marked_the_two_best_public_count(challenge, three_submissions):
    assert private_score(challenge) == 0.8  # best private among public 0.1 and 0.2


def test_with_one_marked_only_it_counts(challenge, student, three_submissions):
    finals.submission_set_final(submission=three_submissions[0], user=student, final=True)
    assert private_score(challenge) == 0.9


def test_with_two_marked_the_better_private_counts(challenge, student, three_submissions):
    for submission in (three_submissions[0], three_submissions[2]):
        finals.submission_set_final(submission=submission, user=student, final=True)
    assert private_score(challenge) == 0.05


def test_a_third_final_is_refused_and_unmarking_frees_a_place(student, three_submissions):
    first, second, third = three_submissions
    finals.submission_set_final(submission=first, user=student, final=True)
    finals.submission_set_final(submission=second, user=student, final=True)
    with pytest.raises(finals.SelectionRefused, match="at most 2"):
        finals.submission_set_final(submission=third, user=student, final=True)
    finals.submission_set_final(submission=first, user=student, final=False)
    finals.submission_set_final(submission=third, user=student, final=True)
    assert Submission.objects.filter(is_final=True).count() == 2


def test_a_disqualified_submission_cannot_be_final(student, three_submissions):
    moderation.disqualify_submission(submission=three_submissions[0], reason="copied")
    with pytest.raises(finals.SelectionRefused, match="disqualified submission cannot"):
        finals.submission_set_final(submission=three_submissions[0], user=student, final=True)
    assert not Submission.objects.filter(is_final=True).exists()


def test_selection_closes_at_the_deadline(monkeypatch, challenge, student, three_submissions):
    at(monkeypatch, challenge.deadline)
    with pytest.raises(finals.SelectionRefused, match="deadline has passed"):
        finals.submission_set_final(submission=three_submissions[0], user=student, final=True)


def test_nobody_selects_another_students_submission(student_api, other_student, challenge):
    theirs = scored_submission(challenge, other_student, 0.1, 0.1)
    response = student_api.patch(f"/api/submissions/{theirs.pk}/", {"is_final": True})
    assert response.status_code == 404
    assert not Submission.objects.get(pk=theirs.pk).is_final


def test_final_selection_through_the_api_and_the_page(
    student_api, student_client, challenge, three_submissions
):
    response = student_api.patch(
        f"/api/submissions/{three_submissions[1].pk}/", {"is_final": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["is_final"] is True
    fragment = student_client.post(
        f"/submissions/{three_submissions[0].pk}/final/", {"final": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Final submissions: 2 of 2 marked" in fragment
    assert fragment.count("★ final (unmark)") == 2


def test_the_exact_attack_an_extension_after_the_reveal_cannot_reopen_final_selection(
    monkeypatch, student_api, challenge, student, instructor, three_submissions
):
    after_reveal = challenge.deadline + timedelta(hours=1)
    at(monkeypatch, after_reveal)
    board = student_api.get("/api/challenges/tiny-1d/leaderboard/?split=private")
    assert board.status_code == 200  # the student has seen the private scores
    Extension.objects.create(  # granted anyway (a shell, an old admin): it must not matter
        challenge=challenge,
        user=student,
        deadline=after_reveal + timedelta(days=2),
        granted_by=instructor,
    )
    best_private = three_submissions[2]
    response = student_api.patch(
        f"/api/submissions/{best_private.pk}/", {"is_final": True}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "revealed"
    assert not Submission.objects.get(pk=best_private.pk).is_final
    assert private_score(challenge) == 0.8  # still the two best public ones


def test_uploads_under_an_extension_made_after_the_reveal_are_late(
    monkeypatch, challenge, student, instructor, three_submissions
):
    after_reveal = challenge.deadline + timedelta(hours=1)
    at(monkeypatch, after_reveal)
    extended = {"challenge": challenge, "user": student, "granted_by": instructor}
    with pytest.raises(deadlines.ExtensionRefused, match="no extension can be granted"):
        deadlines.grant_extension(**extended, deadline=after_reveal + timedelta(days=2))
    assert not Extension.objects.exists()
    # one made anyway (the shell, the database) does not reopen anything either
    Extension.objects.create(**extended, deadline=after_reveal + timedelta(days=2))
    submission = intake.submission_create(
        challenge=challenge, user=student, file=csv_upload(constant_submission(0.5))
    )
    assert submission.is_late
    assert deadlines.first_reveal_at(challenge) == challenge.deadline


def test_the_admin_refuses_an_extension_after_the_reveal_and_says_why(
    client, challenge, student, instructor
):
    challenge.deadline = timezone.now() - timedelta(hours=1)
    challenge.save()
    client.force_login(instructor)
    later = timezone.localtime(timezone.now() + timedelta(days=2))
    response = client.post(
        "/admin/challenges/extension/add/",
        {
            "challenge": challenge.pk,
            "user": student.pk,
            "reason": "asked after the reveal",
            "deadline_0": f"{later:%Y-%m-%d}",
            "deadline_1": f"{later:%H:%M:%S}",
        },
    )
    assert response.status_code == 200  # the form again, with the reason
    page = response.content.decode()
    assert (
        f"The private leaderboard of this challenge was revealed on {when(challenge.deadline)}"
        in page
    )
    assert "no extension can be granted or moved later" in page
    assert not Extension.objects.exists()


def test_the_admin_may_still_move_an_extension_earlier_after_the_reveal(
    monkeypatch, client, challenge, student, instructor
):
    extension = deadlines.grant_extension(
        challenge=challenge,
        user=student,
        deadline=challenge.deadline + timedelta(days=2),
        granted_by=instructor,
    )
    at(monkeypatch, challenge.deadline + timedelta(days=3))  # the extension ended: revealed
    earlier = challenge.deadline + timedelta(days=1)
    deadlines.check_extension(challenge=challenge, deadline=earlier, existing=extension)  # fine
    later = challenge.deadline + timedelta(days=5)
    with pytest.raises(deadlines.ExtensionRefused, match="no extension can be granted"):
        deadlines.check_extension(challenge=challenge, deadline=later, existing=extension)


def test_an_extension_made_before_the_deadline_keeps_selection_open_until_it_ends(
    monkeypatch, challenge, student, instructor, three_submissions
):
    extended = challenge.deadline + timedelta(days=2)
    deadlines.grant_extension(
        challenge=challenge, user=student, deadline=extended, granted_by=instructor
    )
    at(monkeypatch, challenge.deadline + timedelta(hours=1))
    finals.submission_set_final(submission=three_submissions[2], user=student, final=True)
    assert private_score(challenge) == 0.05
    at(monkeypatch, extended)
    with pytest.raises(finals.SelectionRefused, match="deadline has passed"):
        finals.submission_set_final(submission=three_submissions[0], user=student, final=True)


def test_an_extension_made_while_another_one_runs_still_counts(
    monkeypatch, challenge, student, other_student, instructor
):
    first_end = challenge.deadline + timedelta(days=2)
    deadlines.grant_extension(
        challenge=challenge, user=other_student, deadline=first_end, granted_by=instructor
    )
    at(monkeypatch, challenge.deadline + timedelta(days=1))  # not revealed: one still works
    deadlines.check_extension(challenge=challenge, deadline=first_end)  # raises nothing
    deadlines.grant_extension(
        challenge=challenge,
        user=student,
        deadline=first_end + timedelta(days=1),
        granted_by=instructor,
    )
    assert deadlines.first_reveal_at(challenge) == first_end + timedelta(days=1)
    assert deadlines.counting_deadline(challenge=challenge, user=student) == first_end + timedelta(
        days=1
    )


def test_the_page_offers_no_final_selection_after_the_reveal_despite_an_extension(
    monkeypatch, student_client, challenge, student, instructor, three_submissions
):
    after_reveal = challenge.deadline + timedelta(hours=1)
    at(monkeypatch, after_reveal)
    Extension.objects.create(
        challenge=challenge,
        user=student,
        deadline=after_reveal + timedelta(days=2),
        granted_by=instructor,
    )
    fragment = student_client.get("/challenges/tiny-1d/my-submissions/").content.decode()
    assert "mark final" not in fragment.lower()
