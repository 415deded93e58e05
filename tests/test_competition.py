"""Issue 3's rules: limits, deadlines, final selection, reveal, pseudonyms, moderation."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from challenges import deadlines, finals, moderation, profiles, quotas, selectors, services
from challenges.leaderboards import leaderboard, pseudonym_for
from challenges.models import Submission
from tests.bundles import constant_submission
from tests.conftest import csv_upload
from tests.factories import scored_submission

pytestmark = pytest.mark.django_db


def upload(challenge, user, **kwargs):
    return services.submission_create(
        challenge=challenge, user=user, file=csv_upload(constant_submission(0.5)), **kwargs
    )


def at(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


# --- limits ---------------------------------------------------------------------------


def test_the_daily_limit_refuses_the_next_upload_and_says_when_it_resets(challenge, student):
    challenge.daily_limit = 2
    challenge.save()
    upload(challenge, student)
    upload(challenge, student)
    with pytest.raises(services.SubmissionRejected) as refused:
        upload(challenge, student)
    assert refused.value.code == "daily_limit_reached"
    assert "all 2 submissions for today" in refused.value.message
    assert "midnight Prague time" in refused.value.message
    assert Submission.objects.filter(user=student).count() == 2


def test_failed_submissions_do_not_count(challenge, student):
    challenge.daily_limit = 1
    challenge.save()
    first = upload(challenge, student)
    Submission.objects.filter(pk=first.pk).update(status="failed")
    upload(challenge, student)  # allowed: the failed one freed its slot
    quota = quotas.quota_for(challenge=challenge, user=student)
    assert (quota.used_today, quota.remaining_today) == (1, 0)


def test_the_total_limit_applies_across_days(challenge, student):
    challenge.total_limit = 1
    challenge.save()
    old = scored_submission(challenge, student, 0.5, 0.5)
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    with pytest.raises(services.SubmissionRejected) as refused:
        upload(challenge, student)
    assert refused.value.code == "total_limit_reached"


def test_the_day_starts_at_midnight_in_prague_not_utc(challenge, student):
    # 22:30 UTC on 1 March is 23:30 in Prague (CET); 23:30 UTC is already 00:30 next day.
    late_evening = datetime(2023, 3, 1, 22, 30, tzinfo=UTC)
    after_midnight = datetime(2023, 3, 1, 23, 30, tzinfo=UTC)
    submission = scored_submission(challenge, student, 0.5, 0.5)
    Submission.objects.filter(pk=submission.pk).update(created_at=late_evening)
    assert quotas.quota_for(challenge=challenge, user=student, now=late_evening).used_today == 1
    fresh = quotas.quota_for(challenge=challenge, user=student, now=after_midnight)
    assert fresh.used_today == 0
    assert fresh.resets_at == datetime(2023, 3, 2, 23, 0, tzinfo=UTC)  # next Prague midnight


def test_the_day_boundary_follows_summer_time(challenge, student):
    summer = datetime(2023, 7, 1, 21, 59, 59, tzinfo=UTC)  # 23:59:59 CEST
    assert quotas.day_start(summer) == datetime(2023, 6, 30, 22, 0, tzinfo=UTC)
    assert quotas.next_day_start(summer) == datetime(2023, 7, 1, 22, 0, tzinfo=UTC)


def test_the_quota_is_in_the_api_and_on_the_page(student_api, student_client, challenge, student):
    upload(challenge, student)
    quota = student_api.get("/api/challenges/tiny-1d/").json()["quota"]
    assert quota["daily_limit"] == 5 and quota["used_today"] == 1
    assert quota["remaining_today"] == 4 and quota["total_limit"] is None
    page = student_client.get("/challenges/tiny-1d/").content.decode()
    assert "<strong>4</strong> left today" in page and "midnight Prague time" in page


def test_the_api_refuses_over_the_limit_with_403_and_a_code(student_api, challenge, student):
    challenge.daily_limit = 1
    challenge.save()
    upload(challenge, student)
    response = student_api.post(
        "/api/challenges/tiny-1d/submissions/", {"file": csv_upload(constant_submission(0.5))}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "daily_limit_reached"


def test_instructors_and_baselines_have_no_limit(challenge, instructor, student):
    challenge.daily_limit = 1
    challenge.save()
    for _ in range(2):
        upload(challenge, instructor)
        upload(challenge, student, is_baseline=True)
    assert selectors.quota(challenge=challenge, user=instructor) is None


# --- deadlines ------------------------------------------------------------------------


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
    assert not selectors.is_revealed(challenge)  # student is still working
    at(monkeypatch, extended)
    assert selectors.is_revealed(challenge)


def test_the_page_shows_the_deadline_in_prague_time_and_utc(student_client, challenge):
    challenge.deadline = datetime(2023, 3, 19, 22, 59, tzinfo=UTC)
    challenge.save()
    page = student_client.get("/challenges/tiny-1d/").content.decode()
    assert "Sunday 19 March 2023, 23:59 Prague time (CET)" in page
    assert "2023-03-19 22:59 UTC" in page


# --- final selection ------------------------------------------------------------------


@pytest.fixture
def three_submissions(challenge, student):
    # public (lower is better) 0.1 < 0.2 < 0.3; private 0.9, 0.8, 0.05
    return [
        scored_submission(challenge, student, 0.1, 0.9, minutes_ago=30),
        scored_submission(challenge, student, 0.2, 0.8, minutes_ago=20),
        scored_submission(challenge, student, 0.3, 0.05, minutes_ago=10),
    ]


def private_score_of(challenge) -> float:
    (row,) = selectors.final_leaderboard(challenge=challenge)
    return row.score


def test_with_none_marked_the_two_best_public_count(challenge, three_submissions):
    assert private_score_of(challenge) == 0.8  # best private among public 0.1 and 0.2


def test_with_one_marked_only_it_counts(challenge, student, three_submissions):
    finals.submission_set_final(submission=three_submissions[0], user=student, final=True)
    assert private_score_of(challenge) == 0.9


def test_with_two_marked_the_better_private_counts(challenge, student, three_submissions):
    for submission in (three_submissions[0], three_submissions[2]):
        finals.submission_set_final(submission=submission, user=student, final=True)
    assert private_score_of(challenge) == 0.05


def test_a_third_final_is_refused_and_unmarking_frees_a_place(student, three_submissions):
    first, second, third = three_submissions
    finals.submission_set_final(submission=first, user=student, final=True)
    finals.submission_set_final(submission=second, user=student, final=True)
    with pytest.raises(finals.SelectionRefused, match="at most 2"):
        finals.submission_set_final(submission=third, user=student, final=True)
    finals.submission_set_final(submission=first, user=student, final=False)
    finals.submission_set_final(submission=third, user=student, final=True)
    assert Submission.objects.filter(is_final=True).count() == 2


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


# --- reveal and privacy ---------------------------------------------------------------


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


def test_a_chosen_display_name_replaces_the_pseudonym(student_client, challenge, student):
    scored_submission(challenge, student, 0.1, 0.2)
    response = student_client.post("/profile/", {"display_name": "  Gradient  Descent "})
    assert response.status_code == 302
    page = student_client.get("/challenges/tiny-1d/leaderboard/").content.decode()
    assert "Gradient Descent" in page and pseudonym_for(student.pk) not in page


@pytest.mark.parametrize("name", ["ab", "Quick Otter 12", "Baseline CNN"])
def test_display_names_that_mislead_are_refused(student, name):
    with pytest.raises(profiles.DisplayNameRefused):
        profiles.display_name_set(user=student, name=name)


def test_a_display_name_cannot_be_taken_twice(student, other_student):
    profiles.display_name_set(user=student, name="Overfit")
    with pytest.raises(profiles.DisplayNameRefused, match="taken"):
        profiles.display_name_set(user=other_student, name="overfit")


def test_pseudonyms_are_unique_and_stable():
    names = [pseudonym_for(user_id) for user_id in range(1, 5001)]
    assert len(set(names)) == len(names)
    assert pseudonym_for(42) == pseudonym_for(42)


# --- baselines and moderation ---------------------------------------------------------


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
        assert selectors.participant_count(rows) == 1


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
        services.submission_score(submission_id=submission.pk)
    fragment = client.get("/challenges/tiny-1d/rescore/progress/").content.decode()
    assert "2 of 2 submissions done" in fragment and "hx-trigger" not in fragment


def test_students_cannot_rescore(student_client, student_api, challenge):
    assert student_client.post("/challenges/tiny-1d/rescore/").status_code == 404
    assert student_api.post("/api/challenges/tiny-1d/rescore/").status_code == 403


# --- cost -----------------------------------------------------------------------------


def test_the_leaderboard_query_count_does_not_grow_with_participants(
    challenge, make_user
):
    def queries_for_board() -> int:
        from django.db import connection
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
