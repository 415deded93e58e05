import pytest

from challenges.boards.pseudonyms import pseudonym_for
from challenges.models import Submission
from tests.bundles import constant_submission
from tests.conftest import csv_upload
from tests.factories import scored_submission

pytestmark = pytest.mark.django_db


def test_pages_ask_anonymous_visitors_to_log_in(client, challenge):
    tabs = ("", "data/", "submissions/", "leaderboard/", "chart/")
    for url in [f"/challenges/tiny-1d/{tab}" for tab in tabs]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_anonymous_visitors_of_the_home_page_see_the_course_landing_page(client, challenge):
    response = client.get("/")
    assert response.status_code == 200
    assert "/accounts/login/" in response.content.decode()  # a way in
    assert "Tiny regression" in response.content.decode()  # the course's challenges


def test_the_login_page_logs_a_student_in(client, student):
    assert b"Log in" in client.get("/accounts/login/").content
    response = client.post("/accounts/login/", {"username": "alice", "password": "pw-for-tests-1"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_challenge_page_shows_deadline_in_prague_time_and_utc(student_client, challenge):
    page = student_client.get("/challenges/tiny-1d/").content.decode()
    assert "15 Mar 2030, 17:00 CET" in page
    assert "15 Mar 2030, 16:00 UTC" in page
    assert '<svg class="plot"' in page  # a plot of the 1D training data
    assert "<strong>y</strong>" in page  # the Markdown description, rendered
    data = student_client.get("/challenges/tiny-1d/data/").content.decode()
    assert "/api/challenges/tiny-1d/files/train.csv" in data


def test_the_description_markdown_cannot_run_scripts(student_client, challenge):
    challenge.description_md = "Hi <script>alert(1)</script> <img src=x onerror=alert(2)>"
    challenge.save()
    page = student_client.get("/challenges/tiny-1d/").content.decode()
    assert "<script>alert(1)" not in page and "onerror" not in page


def test_uploading_through_the_browser_form_queues_a_submission(student_client, challenge, student):
    response = student_client.post(
        "/challenges/tiny-1d/submissions/",
        {"file": csv_upload(constant_submission(0.0)), "description": "all zeros"},
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.user, submission.status, submission.description) == (
        student,
        "queued",
        "all zeros",
    )
    page = student_client.get(response["Location"]).content.decode()
    assert "being scored" in page
    assert 'hx-trigger="every 1s"' in page  # the status updates without a reload


def test_a_refused_browser_upload_says_why_and_keeps_the_page(student_client, challenge):
    response = student_client.post("/challenges/tiny-1d/submissions/", {"file": csv_upload(b"")})
    assert response.status_code == 400
    assert "The file is empty." in response.content.decode()
    assert not Submission.objects.exists()


def test_the_status_fragment_stops_polling_once_everything_is_scored(
    student_client, challenge, student
):
    submission = scored_submission(challenge, student, 0.25, 0.75)
    fragment = student_client.get("/challenges/tiny-1d/my-submissions/").content.decode()
    assert "every 1s" not in fragment
    assert ">0.2500<" in fragment and "0.75" not in fragment
    Submission.objects.filter(pk=submission.pk).update(
        status="failed", error="Column 'y' line 3: 'x' is not a number"
    )
    fragment = student_client.get("/challenges/tiny-1d/my-submissions/").content.decode()
    assert "Column &#x27;y&#x27; line 3" in fragment


def test_the_leaderboard_page_lists_participants(student_client, challenge, student, other_student):
    scored_submission(challenge, student, 0.25, 0.75)
    scored_submission(challenge, other_student, 0.5, 0.1)
    page = student_client.get("/challenges/tiny-1d/leaderboard/").content.decode()
    assert page.index(pseudonym_for(student.pk)) < page.index(pseudonym_for(other_student.pk))
    assert "bob" not in page
    assert "0.75" not in page and "0.1<" not in page
    assert student_client.get("/challenges/tiny-1d/leaderboard/?split=private").status_code == 403


def test_an_instructor_sees_the_private_leaderboard_page(client, challenge, student, instructor):
    scored_submission(challenge, student, 0.25, 0.75)
    client.force_login(instructor)
    page = client.get("/challenges/tiny-1d/leaderboard/?split=private").content.decode()
    assert "Private leaderboard" in page and "0.75" in page


def test_a_student_downloads_their_own_file_but_not_anothers(
    student_client, challenge, student, other_student
):
    mine = scored_submission(challenge, student, 0.25, 0.75, content=b"id,y\n1,2\n")
    theirs = scored_submission(challenge, other_student, 0.5, 0.1, content=b"id,y\n9,9\n")
    response = student_client.get(f"/submissions/{mine.pk}/file/")
    assert b"".join(response.streaming_content) == b"id,y\n1,2\n"
    assert student_client.get(f"/submissions/{theirs.pk}/file/").status_code == 404


def test_the_admin_is_for_instructors(client, student, instructor, challenge):
    client.force_login(student)
    assert client.get("/admin/challenges/submission/").status_code == 302
    client.force_login(instructor)  # staff, not superuser, no per-model permissions
    assert client.get("/admin/challenges/submission/").status_code == 200
    assert client.get("/admin/challenges/challenge/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200


def test_the_admin_change_pages_render_without_exposing_file_urls(
    client, student, instructor, challenge
):
    submission = scored_submission(challenge, student, 0.25, 0.75)
    client.force_login(instructor)
    sub_page = client.get(f"/admin/challenges/submission/{submission.pk}/change/")
    assert sub_page.status_code == 200
    assert f"/submissions/{submission.pk}/file/" in sub_page.content.decode()
    challenge_page = client.get(f"/admin/challenges/challenge/{challenge.pk}/change/")
    assert challenge_page.status_code == 200
    assert f'href="{challenge.solution.name}' not in challenge_page.content.decode()
