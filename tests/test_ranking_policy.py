"""Issue 16: one ranking everywhere. The tie policy ("kaggle" by default, or "shared") ranks
the board page, the API (which the CLI prints), the Kaggle-format CSV and the grades alike;
instructors' own uploads never rank; the demo course grades four equal parts.

The top-10 edge, MSE with the 2024 tiers (< 0.01 → 0.9) and full marks for ranks 1–10:
s01…s09 score 0.001…0.009, s10 and s11 tie at 0.0095 (s10 submitted first), s12 scores 0.5.
Kaggle ranks s11 11th (mark 0.9); shared ranks s11 10th with s10 (mark 1.0).
"""

import io
from datetime import timedelta

import pandas as pd
import pytest
from django.forms import modelform_factory
from django.urls import reverse
from django.utils import timezone

from challenges.boards.leaderboards import leaderboard, participant_count
from challenges.boards.ties import assign_ranks, describe
from challenges.bundles.importing import challenge_import
from challenges.bundles.reader import read_bundle
from challenges.models import Challenge
from demo.course import DEMO_BEST_OF, demo_course
from tests.bundles import write_tiny_bundle
from tests.factories import scored_submission
from vsegrader.course import grade_scheme, gradebook, grading
from vsegrader.course.models import GradeScheme

TIERS_2024 = {"rule": "tiers", "tiers": [[1.0, 0.5], [0.1, 0.7], [0.01, 0.9]], "full_marks_top": 10}
EDGE = [0.001 * n for n in range(1, 10)] + [0.0095, 0.0095, 0.5]
DEMO_SLUGS = ("fitting-1d", "fitting-5d", "glasses", "mics-mnist", "sword-video")


# --- the rule itself (pure) ---------------------------------------------------------------


def test_kaggle_ties_give_consecutive_ranks_in_board_order():
    assert assign_ranks([0.1, 0.2, 0.2, 0.2, 0.3], "kaggle") == [1, 2, 3, 4, 5]


def test_shared_ties_give_every_equal_score_the_better_rank():
    assert assign_ranks([0.1, 0.2, 0.2, 0.2, 0.3], "shared") == [1, 2, 2, 2, 5]
    assert assign_ranks([], "shared") == []


def test_an_unknown_tie_policy_is_refused_with_the_known_ones_named():
    with pytest.raises(ValueError, match="kaggle, shared"):
        assign_ranks([1.0], "dense")


def test_the_default_policy_is_kaggles_so_the_csv_rank_column_gives_the_grades():
    assert assign_ranks([0.5, 0.5]) == [1, 2]
    assert "earlier submission" in describe("kaggle") and "share" in describe("shared")


def test_places_say_rank_of_the_ranked_students_without_baselines():
    entries = [
        grading.Entry(user_id=9, score=0.01, is_baseline=True),
        grading.Entry(user_id=1, score=0.1),
        grading.Entry(user_id=2, score=0.1),
    ]
    assert grading.places(entries, higher_is_better=False) == {1: (1, 2), 2: (2, 2)}
    assert grading.places(entries, higher_is_better=False, ties="shared") == {1: (1, 2), 2: (1, 2)}


# --- the world ------------------------------------------------------------------------------


def submit(challenge, user, score, minutes_ago=3 * 24 * 60, **kwargs):
    return scored_submission(challenge, user, score, score, minutes_ago=minutes_ago, **kwargs)


def set_course_ties(policy: str) -> None:
    scheme = GradeScheme.load()
    scheme.tie_policy = policy
    scheme.save()


@pytest.fixture
def edge(db, challenge, make_user):
    """Twelve students at the top-10 edge, a baseline better than all, the deadline passed."""
    challenge.grading = TIERS_2024
    challenge.deadline = timezone.now() - timedelta(days=1)
    challenge.save()
    students = [make_user(f"s{n:02d}") for n in range(1, 13)]
    for n, (user, score) in enumerate(zip(students, EDGE, strict=True)):
        submit(challenge, user, score, minutes_ago=5000 - n)  # s10 before s11
    submit(challenge, make_user("baseline"), 0.0001, is_baseline=True, description="MLP")
    return challenge, students


def api_ranks(api_client, user, split="private") -> dict[str, int | None]:
    api_client.force_authenticate(user)
    board = api_client.get(f"/api/challenges/tiny-1d/leaderboard/?split={split}").json()
    return {row.get("username", row["team_name"]): row["rank"] for row in board["rows"]}


def csv_frame(client, user, split="private") -> pd.DataFrame:
    client.force_login(user)
    url = f"/api/challenges/tiny-1d/leaderboard/download/?split={split}"
    return pd.read_csv(io.StringIO(client.get(url).content.decode()))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("policy", "s11_rank", "s11_mark"), [("kaggle", 11, 0.9), ("shared", 10, 1.0)]
)
def test_the_board_the_api_the_csv_and_the_grades_rank_ties_the_same_way(
    edge, policy, s11_rank, s11_mark, client, api_client, instructor
):
    challenge, students = edge
    set_course_ties(policy)
    challenge.refresh_from_db()
    assert challenge.ties == policy
    s10, s11, s12 = students[9], students[10], students[11]
    board = {row.username: row.rank for row in leaderboard(challenge=challenge, split="private")}
    assert (board["s10"], board["s11"], board["s12"], board["baseline"]) == (10, s11_rank, 12, None)
    assert api_ranks(api_client, instructor)["s11"] == s11_rank
    frame = csv_frame(client, instructor)
    assert dict(zip(frame["TeamMemberUserNames"], frame["Rank"], strict=True))["s11"] == s11_rank
    rows = {row.username: row for row in gradebook.gradebook().rows}
    assert rows["s11"].places["tiny-1d"] == (s11_rank, 12)
    assert (rows["s10"].marks["tiny-1d"], rows["s11"].marks["tiny-1d"]) == (1.0, s11_mark)
    assert rows["s12"].marks["tiny-1d"] == 0.5
    client.force_login(s11)
    page = client.get(reverse("grades-mine")).content.decode()
    assert f"rank {s11_rank} of 12" in page
    assert s10.pk != s12.pk


@pytest.mark.django_db
def test_a_student_sees_on_the_leaderboard_page_the_rank_they_are_graded_on(edge, client):
    challenge, students = edge
    client.force_login(students[10])
    page = client.get("/challenges/tiny-1d/leaderboard/?split=private").content.decode()
    mine = page.split('<tr class="me">', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">11</td>' in mine
    assert "An earlier submission ranks first among equal scores" in page
    set_course_ties("shared")
    page = client.get("/challenges/tiny-1d/leaderboard/?split=private").content.decode()
    assert '<td class="num">10</td>' in page.split('<tr class="me">', 1)[1].split("</tr>", 1)[0]
    assert "Equal scores share the better rank" in page


@pytest.mark.django_db
def test_the_public_board_and_the_move_follow_the_policy_too(edge, api_client):
    challenge, students = edge
    set_course_ties("shared")
    challenge.refresh_from_db()
    api_client.force_authenticate(students[0])
    rows = api_client.get("/api/challenges/tiny-1d/leaderboard/").json()["rows"]
    ranked = [row["rank"] for row in rows if not row["is_baseline"]]
    assert ranked == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 12]
    private = leaderboard(challenge=challenge, split="private")
    assert {row.username: row.public_rank for row in private}["s11"] == 10


# --- the course's setting and the challenge's override --------------------------------------


@pytest.mark.django_db
def test_a_challenge_override_beats_the_course_setting_and_blank_follows_it(challenge, tmp_path):
    assert (challenge.tie_policy, challenge.ties) == ("", "kaggle")
    set_course_ties("shared")
    challenge.refresh_from_db()
    assert challenge.ties == "shared"
    challenge.tie_policy = "kaggle"
    challenge.save()
    challenge.refresh_from_db()
    assert challenge.ties == "kaggle"
    newcomer = challenge_import(bundle=read_bundle(write_tiny_bundle(tmp_path, slug="new-1d")))
    newcomer.challenge.refresh_from_db()
    assert newcomer.challenge.ties == "shared"  # a new challenge takes the course's setting


@pytest.mark.django_db
def test_instructors_set_the_course_ties_in_the_admin_and_override_them_per_challenge(
    client, instructor, challenge
):
    client.force_login(instructor)
    url = reverse("admin:course_gradescheme_change", args=[GradeScheme.load().pk])
    assert 'name="tie_policy"' in client.get(url).content.decode()
    form = {
        "challenge_percent": "30",
        "project_percent": "70",
        "weights": "{}",
        "best_of": "[]",
        "scale": '[[90, "1"], [0, "4"]]',
        "tie_policy": "shared",
    }
    assert client.post(url, form).status_code == 302
    challenge.refresh_from_db()
    assert challenge.ties == "shared"
    override = modelform_factory(Challenge, fields="__all__")().fields["tie_policy"]
    assert [value for value, _ in override.choices] == ["", "kaggle", "shared"]
    assert "course_tie_policy" not in modelform_factory(Challenge, fields="__all__")().fields


# --- instructors' own uploads -----------------------------------------------------------------


@pytest.fixture
def with_staff(db, challenge, student, other_student, instructor, make_user):
    challenge.grading = {**TIERS_2024, "full_marks_top": 1}  # only rank 1 gets full marks
    challenge.deadline = timezone.now() - timedelta(days=1)
    challenge.save()
    submit(challenge, instructor, 0.0, minutes_ago=9000)  # the solution itself: a test upload
    submit(challenge, student, 0.2)
    submit(challenge, other_student, 0.3)
    submit(challenge, make_user("baseline"), 0.25, is_baseline=True)
    return challenge


@pytest.mark.django_db
def test_an_instructors_upload_is_never_ranked_nor_counted(with_staff, instructor, student):
    for split in ("public", "private"):
        rows = leaderboard(challenge=with_staff, split=split, real_names=True)
        staff = [row for row in rows if row.username == "ivana"]
        assert [(row.rank, row.by_instructor, row.name[:11]) for row in staff] == [
            (None, True, "Instructor:")
        ]
        assert [row.rank for row in rows if row.rank] == [1, 2]
        assert participant_count(rows) == 2
        students_view = leaderboard(challenge=with_staff, split=split)
        assert "ivana" not in {row.username for row in students_view}
        assert participant_count(students_view) == 2
    rows = {r.username: r for r in gradebook.gradebook().rows}
    assert (rows["alice"].places["tiny-1d"], rows["alice"].marks["tiny-1d"]) == ((1, 2), 1.0)
    assert (rows["bob"].places["tiny-1d"], rows["bob"].marks["tiny-1d"]) == ((2, 2), 0.5)


@pytest.mark.django_db
def test_the_kaggle_csv_and_the_api_leave_the_instructor_unranked(
    with_staff, client, api_client, instructor, student
):
    frame = csv_frame(client, instructor)
    assert frame["TeamMemberUserNames"].tolist() == ["alice", "bob"]
    assert frame["Rank"].tolist() == [1, 2] and frame["Rank"].dtype.kind == "i"
    api_client.force_authenticate(instructor)
    board = api_client.get("/api/challenges/tiny-1d/leaderboard/?split=private").json()
    assert board["participants"] == 2
    assert [(r["username"], r["rank"]) for r in board["rows"]][0] == ("ivana", None)
    api_client.force_authenticate(student)
    board = api_client.get("/api/challenges/tiny-1d/leaderboard/?split=private").json()
    assert [r["rank"] for r in board["rows"] if not r["is_baseline"]] == [1, 2]
    assert len(board["rows"]) == 3  # alice, bob and the baseline: no instructor


@pytest.mark.django_db
def test_the_students_leaderboard_page_never_shows_the_instructor(
    with_staff, client, student, instructor
):
    instructor.first_name = "Ivana"
    instructor.save()
    client.force_login(student)
    page = client.get("/challenges/tiny-1d/leaderboard/").content.decode()
    assert "Ivana" not in page and "2 participants" in page
    client.force_login(instructor)
    page = client.get("/challenges/tiny-1d/leaderboard/").content.decode()
    assert "Instructor: Ivana" in page and "2 participants" in page


# --- the demo course's scheme -----------------------------------------------------------------


@pytest.fixture
def demo_slugs(db, tmp_path):
    for slug in DEMO_SLUGS:
        challenge_import(bundle=read_bundle(write_tiny_bundle(tmp_path, slug=slug)))
    demo_course()
    return DEMO_SLUGS


@pytest.mark.django_db
def test_the_demo_course_grades_four_equal_parts_with_fitting_as_one_best_of_pair(demo_slugs):
    scheme = GradeScheme.load()
    assert scheme.best_of == DEMO_BEST_OF and scheme.tie_policy == "kaggle"
    parsed = scheme.as_scheme()
    terms = grade_scheme.items(parsed, list(demo_slugs))
    assert [(item.slugs, item.weight) for item in terms] == [
        (("fitting-1d", "fitting-5d"), 1.0),
        (("glasses",), 1.0),
        (("mics-mnist",), 1.0),
        (("sword-video",), 1.0),
    ]
    marks = {
        "fitting-1d": 0.5,
        "fitting-5d": 0.9,
        "glasses": 1.0,
        "mics-mnist": 0.6,
        "sword-video": 0.2,
    }
    points = grade_scheme.challenge_points(parsed, list(demo_slugs), marks)
    assert points == pytest.approx(30 * (0.9 + 1.0 + 0.6 + 0.2) / 4)
    assert gradebook.parts_text(parsed, terms) == (
        "The challenge part (30 points) has 4 equal parts of 7.5 points: the better of "
        "fitting-1d and fitting-5d; glasses; mics-mnist; sword-video."
    )


@pytest.mark.django_db
def test_loading_the_demo_again_keeps_an_instructors_best_of_groups(demo_slugs):
    scheme = GradeScheme.load()
    scheme.best_of = [["glasses", "mics-mnist"]]
    scheme.save()
    demo_course()
    assert GradeScheme.load().best_of == [["glasses", "mics-mnist"]]


@pytest.mark.django_db
def test_the_challenge_page_and_my_grades_say_how_the_parts_combine(demo_slugs, client, student):
    client.force_login(student)
    detail = client.get("/challenges/fitting-5d/").content.decode()
    assert 'hx-get="/challenges/fitting-5d/grading/"' in detail
    card = client.get("/challenges/fitting-5d/grading/", HTTP_HX_REQUEST="true").content.decode()
    opened = client.get("/challenges/fitting-5d/grading/")  # not by htmx: the page around it
    assert opened.status_code == 302 and opened["Location"] == "/challenges/fitting-5d/"
    assert "It counts as the better of fitting-1d and fitting-5d: 7.5 of the 30" in card
    assert "4 equal parts of 7.5 points" in card and "earlier submission ranks first" in card
    assert "shown after the deadline" in card  # the rule waits for the reveal, as on my grades
    mine = client.get(reverse("grades-mine")).content.decode()
    assert "4 equal parts of 7.5 points: the better of fitting-1d and fitting-5d" in mine
