import pytest
from django.test import override_settings
from knox.models import AuthToken
from rest_framework.test import APIClient

from challenges.boards.pseudonyms import pseudonym_for
from challenges.boards.standings import refresh_standings
from challenges.models import Submission
from tests.bundles import constant_submission
from tests.conftest import csv_upload
from tests.factories import scored_submission

pytestmark = pytest.mark.django_db


def test_a_token_is_issued_for_the_right_password_only(api_client, student):
    good = api_client.post(
        "/api/auth/token/", {"username": "alice", "password": "pw-for-tests-1"}, format="json"
    )
    assert good.status_code == 200
    key = good.json()["token"]
    assert AuthToken.objects.get(user=student).digest != key  # stored hashed, not as given
    me = APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/me/")
    assert me.status_code == 200 and me.json()["username"] == student.username
    bad = api_client.post(
        "/api/auth/token/", {"username": "alice", "password": "nope"}, format="json"
    )
    assert bad.status_code == 401
    assert bad.json() == {"detail": "Wrong username or password.", "code": "bad_credentials"}


def test_a_bad_token_gets_a_json_401(api_client, challenge):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api_client.get("/api/challenges/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


def test_anonymous_callers_get_a_json_401(api_client, challenge):
    response = api_client.get("/api/challenges/tiny-1d/")
    assert response.status_code == 401
    assert "credentials were not provided" in response.json()["detail"]


def test_the_challenge_list_and_detail_describe_the_challenge(student_api, challenge):
    listing = student_api.get("/api/challenges/").json()
    assert [c["slug"] for c in listing] == ["tiny-1d"]
    assert listing[0]["metric"] == "mse" and listing[0]["higher_is_better"] is False
    detail = student_api.get("/api/challenges/tiny-1d/").json()
    assert detail["submission_spec"] == {
        "id_column": "id",
        "columns": ["id", "y"],
        "row_count": 20,
        "targets": [{"name": "y", "kind": "float", "labels": []}],
        "ids_file": "sample_submission.csv",
    }
    files = {f["name"]: f for f in detail["files"]}
    assert set(files) == {"extra.zip", "sample_submission.csv", "test.csv", "train.csv"}
    assert files["test.csv"]["url"].endswith("/api/challenges/tiny-1d/files/test.csv")


def test_a_data_file_downloads_with_its_content(student_api, challenge, tiny_bundle):
    response = student_api.get("/api/challenges/tiny-1d/files/test.csv")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (tiny_bundle / "public/test.csv").read_bytes()
    assert "attachment" in response["Content-Disposition"]


def test_an_upload_is_stored_and_queued(student_api, challenge, student):
    response = student_api.post(
        "/api/challenges/tiny-1d/submissions/",
        {
            "file": csv_upload(constant_submission(1.0), "../../etc/pa\x07sswd.csv"),
            "description": "zero",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["description"], body["challenge"]) == ("queued", "zero", "tiny-1d")
    assert body["file_name"] == "passwd.csv"  # no folders, no control characters
    submission = Submission.objects.get(pk=body["id"])
    assert submission.user == student
    assert submission.file.read() == constant_submission(1.0)
    assert ".." not in submission.file.name


def test_an_empty_file_is_refused_with_a_clear_message(student_api, challenge):
    response = student_api.post(
        "/api/challenges/tiny-1d/submissions/", {"file": csv_upload(b"")}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The file is empty.", "code": "file_empty"}
    assert not Submission.objects.exists()


def test_a_missing_file_is_refused(student_api, challenge):
    response = student_api.post("/api/challenges/tiny-1d/submissions/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["detail"] == "Choose a CSV file to upload."


def test_a_file_over_the_challenge_limit_is_refused(student_api, challenge):
    big = b"id,y\n" + b"1,0.0000000000\n" * 80_000  # 1.2 MB; the tiny challenge allows 1 MB
    response = student_api.post(
        "/api/challenges/tiny-1d/submissions/", {"file": csv_upload(big)}, format="multipart"
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "The file is too large: the limit is 1 MB."
    assert not Submission.objects.exists()


@override_settings(SUBMISSION_MAX_BYTES=1024)
def test_a_streamed_upload_is_stopped_as_soon_as_it_passes_the_site_limit(student_api, challenge):
    response = student_api.post(
        "/api/challenges/tiny-1d/submissions/",
        {"file": csv_upload(b"id,y\n" + b"1,0\n" * 5000)},
        format="multipart",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert not Submission.objects.exists()


def test_my_submissions_lists_only_mine(student_api, challenge, student, other_student):
    mine = scored_submission(challenge, student, 1.0, 2.0)
    scored_submission(challenge, other_student, 0.5, 0.5)
    listing = student_api.get("/api/challenges/tiny-1d/submissions/").json()
    assert [s["id"] for s in listing] == [mine.pk]


def test_a_student_never_receives_a_private_score(student_api, challenge, student):
    mine = scored_submission(challenge, student, 1.0, 2.0)
    detail = student_api.get(f"/api/submissions/{mine.pk}/").json()
    assert detail["public_score"] == 1.0 and detail["private_score"] is None
    assert (
        student_api.get("/api/challenges/tiny-1d/submissions/").json()[0]["private_score"] is None
    )


def test_an_instructor_sees_private_scores(api_client, challenge, student, instructor):
    submission = scored_submission(challenge, student, 1.0, 2.0)
    api_client.force_authenticate(instructor)
    assert api_client.get(f"/api/submissions/{submission.pk}/").json()["private_score"] == 2.0


def test_another_students_submission_and_file_are_404(student_api, challenge, other_student):
    theirs = scored_submission(challenge, other_student, 1.0, 2.0, content=b"id,y\nsecret\n")
    assert student_api.get(f"/api/submissions/{theirs.pk}/").status_code == 404
    assert student_api.get(f"/api/submissions/{theirs.pk}/file/").status_code == 404
    assert student_api.get(f"/submissions/{theirs.pk}/file/").status_code in (302, 404)


def test_the_public_leaderboard_ranks_best_scores_with_earlier_first_on_ties(
    student_api, challenge, student, other_student, make_user
):
    scored_submission(challenge, student, 0.30, 0.1, minutes_ago=50)
    scored_submission(challenge, student, 0.20, 0.9, minutes_ago=40)  # alice's best public
    scored_submission(challenge, other_student, 0.20, 0.5, minutes_ago=45)  # same score, earlier
    carol = make_user("carol")
    scored_submission(challenge, carol, 0.90, 0.2, minutes_ago=10)
    scored_submission(challenge, make_user("baseline"), 0.25, 0.25, is_baseline=True)
    failed = scored_submission(challenge, carol, 0.01, 0.01)
    Submission.objects.filter(pk=failed.pk).update(status="failed")
    refresh_standings(challenge=challenge, users=[carol])

    board = student_api.get("/api/challenges/tiny-1d/leaderboard/").json()
    assert board["split"] == "public" and board["higher_is_better"] is False
    rows = [
        (r["rank"], r["team_name"], r["score"], r["entries"], r["is_baseline"])
        for r in board["rows"]
    ]
    assert rows == [
        (1, pseudonym_for(other_student.pk), 0.20, 1, False),
        (2, pseudonym_for(student.pk), 0.20, 2, False),
        (None, "Baseline", 0.25, 1, True),
        (3, pseudonym_for(carol.pk), 0.90, 1, False),
    ]
    assert board["participants"] == 3
    assert all("username" not in r for r in board["rows"])


def test_the_private_leaderboard_is_for_instructors_only(
    api_client, student_api, challenge, student, instructor
):
    scored_submission(challenge, student, 0.3, 0.1)
    refused = student_api.get("/api/challenges/tiny-1d/leaderboard/?split=private")
    assert refused.status_code == 403
    assert "0.1" not in refused.content.decode()
    api_client.force_authenticate(instructor)
    board = api_client.get("/api/challenges/tiny-1d/leaderboard/?split=private").json()
    assert [(r["username"], r["score"]) for r in board["rows"]] == [("alice", 0.1)]


def test_an_unknown_split_is_a_clear_400(student_api, challenge):
    response = student_api.get("/api/challenges/tiny-1d/leaderboard/?split=secret")
    assert response.status_code == 400
    assert response.json()["detail"] == "split: must be 'public' or 'private'"


def test_the_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in (
        "/api/auth/token/",
        "/api/challenges/{slug}/submissions/",
        "/api/challenges/{slug}/leaderboard/",
        "/api/submissions/{id}/",
    ):
        assert path in text
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()


def test_the_openapi_schema_is_valid_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert "/api/challenges/{slug}/files/{name}" in (tmp_path / "schema.yaml").read_text()


def test_the_leaderboard_is_one_query_whatever_the_number_of_participants(
    challenge, make_user, django_assert_num_queries
):
    from challenges.selectors import leaderboard

    for number in range(30):
        user = make_user(f"s{number}")
        for attempt in range(3):
            scored_submission(challenge, user, number + attempt / 10, 0.0)
    with django_assert_num_queries(1):
        rows = leaderboard(challenge=challenge, split="public")
    assert [row.rank for row in rows] == list(range(1, 31))
    assert rows[0].score == 0.0 and rows[0].entries == 3
