"""The gradebook from real challenge results: hand-computed marks, points and grades; the CSV
(read back with pandas), the page, the API, the export command; and what students may see.

Two challenges, both MSE (lower is better):
  A "tiny-1d": tiers <1 → 0.5, <0.1 → 0.7, <0.01 → 0.9 (strict), rank 1 → 1.0
  B "tiny-b":  linear, 0 at the baseline (1.0), 1 at MSE 0
            A (private)           B (private)          project
  alice     0.005 → rank 1 → 1.0  0.25 → 0.75          group Owls 80 %
  bob       0.1   → 0.5 (at the   0.5  → 0.5           group Owls 80 % − 10
                    strict boundary)
  carol     0.05  → 0.7           2.0  → 0 (worse than the baseline)    group Larks 100 %
  dana      (no submission) → 0   (no submission) → 0  no group
The instructor's 0.0001 on A and the baseline's 0.001 take no rank: alice is still rank 1.
"""

import html
import io
import re
from datetime import timedelta
from decimal import Decimal

import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from challenges.bundles.importing import challenge_import
from challenges.bundles.reader import read_bundle
from tests.bundles import write_tiny_bundle
from tests.factories import scored_submission
from vsegrader.course import gradebook, gradebook_export
from vsegrader.course.models import GradeScheme, Membership, ProjectGroup

pytestmark = pytest.mark.django_db

TIERS = {"rule": "tiers", "tiers": [[1.0, 0.5], [0.1, 0.7], [0.01, 0.9]], "full_marks_top": 1}
LINEAR = {"rule": "linear", "target": 0.0}
DAYS_AGO = 3 * 24 * 60  # submissions made three days ago, before any deadline the tests set


def submit(challenge, user, private, **kwargs):
    return scored_submission(challenge, user, private, private, minutes_ago=DAYS_AGO, **kwargs)


@pytest.fixture
def people(make_user, student, other_student, instructor):
    carol, dana = make_user("carol"), make_user("dana")
    student.first_name, student.last_name = "Alice", "Adams"
    student.save()
    return {
        "alice": student,
        "bob": other_student,
        "carol": carol,
        "dana": dana,
        "ivana": instructor,
        "baseline": make_user("baseline"),
    }


@pytest.fixture
def course(challenge, tmp_path, people):
    challenge.grading = TIERS
    challenge.save()
    second = challenge_import(bundle=read_bundle(write_tiny_bundle(tmp_path, slug="tiny-b")))
    second = second.challenge
    second.grading = LINEAR
    second.save()
    p = people
    for user, a, b in ((p["alice"], 0.005, 0.25), (p["bob"], 0.1, 0.5), (p["carol"], 0.05, 2.0)):
        submit(challenge, user, a)
        submit(second, user, b)
    submit(challenge, p["ivana"], 0.0001)
    submit(challenge, p["baseline"], 0.001, is_baseline=True)
    submit(second, p["baseline"], 1.0, is_baseline=True)
    owls = ProjectGroup.objects.create(name="Owls", own_topic="Owl calls", mark=Decimal(80))
    larks = ProjectGroup.objects.create(name="Larks", own_topic="Songs", mark=Decimal(100))
    Membership.objects.create(group=owls, user=p["alice"])
    Membership.objects.create(group=owls, user=p["bob"], adjustment=Decimal(-10))
    Membership.objects.create(group=larks, user=p["carol"])
    return {"a": challenge, "b": second, "owls": owls}


def rows_by_username(book):
    return {row.username: row for row in book.rows}


def reveal(*challenges):
    for challenge in challenges:
        challenge.deadline = timezone.now() - timedelta(days=1)
        challenge.save()


def test_marks_points_and_grades_are_computed_from_the_final_boards(course):
    rows = rows_by_username(gradebook.gradebook())
    assert sorted(rows) == ["alice", "bob", "carol", "dana"]  # no instructor, no baseline
    marks = {name: (row.marks["tiny-1d"], row.marks["tiny-b"]) for name, row in rows.items()}
    assert marks == {
        "alice": (1.0, pytest.approx(0.75)),
        "bob": (0.5, 0.5),
        "carol": (0.7, 0.0),
        "dana": (0.0, 0.0),
    }
    expected = {  # challenge points, project %, final points, grade
        "alice": (26.25, 80.0, 82.25, "2"),
        "bob": (15.0, 70.0, 64.0, "3"),
        "carol": (10.5, 100.0, 80.5, "2"),
        "dana": (0.0, None, None, None),
    }
    for name, (challenge_points, project, final, grade) in expected.items():
        row = rows[name]
        assert row.challenge_points == pytest.approx(challenge_points), name
        assert (row.project_mark, row.final_points, row.grade) == (project, final, grade), name


def test_the_scheme_from_the_database_applies_best_of_and_a_new_scale(course):
    scheme = GradeScheme.load()
    scheme.best_of = [["tiny-1d", "tiny-b"]]
    scheme.scale = [[80, "A"], [0, "F"]]
    scheme.full_clean()
    scheme.save()
    rows = rows_by_username(gradebook.gradebook())
    assert rows["alice"].challenge_points == pytest.approx(30.0)  # best of 1.0 and 0.75
    assert (rows["bob"].final_points, rows["bob"].grade) == (64.0, "F")
    assert (rows["carol"].final_points, rows["carol"].grade) == (91.0, "A")


def test_a_broken_rule_leaves_the_marks_unknown_and_says_why(course):
    course["b"].grading = {"rule": "median"}
    course["b"].save()
    book = gradebook.gradebook()
    assert book.problems == [
        "Tiny regression: grading rule: grading rule 'median': use rule = "
        "one of tiers, score_or_percentile, linear"
    ]
    alice = rows_by_username(book)["alice"]
    assert alice.marks["tiny-b"] is None and alice.challenge_points is None


# --- CSV ----------------------------------------------------------------------------------


def test_the_csv_reads_back_with_pandas_and_never_starts_a_formula(course, people):
    people["dana"].first_name, people["dana"].last_name = '=HYPERLINK("http://x")', "@SUM(A1)"
    people["dana"].save()
    text = gradebook_export.csv_text(gradebook.gradebook())
    frame = pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype={"grade": str})
    assert list(frame.columns) == [
        "username",
        "last_name",
        "first_name",
        "email",
        "group",
        "tiny-1d",
        "tiny-b",
        "challenge_points",
        "project_mark",
        "project_points",
        "final_points",
        "grade",
        "provisional",
    ]
    by_user = frame.set_index("username")
    assert by_user.loc["alice", "tiny-b"] == 0.75
    assert by_user.loc["bob", "final_points"] == 64.0 and by_user.loc["bob", "grade"] == "3"
    assert by_user.loc["dana", "first_name"] == '\'=HYPERLINK("http://x")'
    assert by_user.loc["dana", "last_name"] == "'@SUM(A1)"
    assert pd.isna(by_user.loc["dana", "final_points"])


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_every_formula_start_is_defused(text):
    assert gradebook_export.safe_cell(text) == "'" + text
    assert gradebook_export.safe_cell("Novák") == "Novák"


def test_exportgrades_writes_the_csv_file(course, tmp_path, capsys):
    target = tmp_path / "grades.csv"
    call_command("exportgrades", str(target))
    frame = pd.read_csv(target, encoding="utf-8-sig")
    assert sorted(frame["username"]) == ["alice", "bob", "carol", "dana"]
    assert "4 students" in capsys.readouterr().out


# --- the page and the API -------------------------------------------------------------------


def test_the_gradebook_page_filters_and_sorts(client, course, people):
    client.force_login(people["ivana"])
    page = client.get(reverse("grades"), {"sort": "final", "dir": "desc"}).content.decode()
    assert page.index("alice") < page.index("carol") < page.index("bob") < page.index("dana")
    only_bob = client.get(reverse("grades"), {"q": "bob"}).content.decode()
    assert "bob@example.com" not in only_bob and ">bob<" in only_bob and ">carol<" not in only_bob
    by_grade = client.get(reverse("grades"), {"grade": "2"}).content.decode()
    assert ">alice<" in by_grade and ">carol<" in by_grade and ">bob<" not in by_grade
    csv = client.get(reverse("grades-csv"), {"q": "owls"})
    assert csv["Content-Type"].startswith("text/csv")
    usernames = pd.read_csv(io.BytesIO(csv.content), encoding="utf-8-sig")["username"]
    assert sorted(usernames) == ["alice", "bob"]


def test_the_api_gives_instructors_json_and_csv(api_client, course, people):
    api_client.force_authenticate(people["ivana"])
    data = api_client.get("/api/grades/").json()
    assert [c["slug"] for c in data["challenges"]] == ["tiny-1d", "tiny-b"]
    alice = next(row for row in data["students"] if row["username"] == "alice")
    assert alice["marks"] == {"tiny-1d": 1.0, "tiny-b": pytest.approx(0.75)}
    assert (alice["final_points"], alice["grade"]) == (82.25, "2")
    response = api_client.get("/api/grades/", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")
    assert len(frame) == 4


def test_students_get_403_from_the_gradebook_everywhere(client, api_client, course, people):
    api_client.force_authenticate(people["alice"])
    assert api_client.get("/api/grades/").status_code == 403
    assert api_client.get("/api/grades/", {"format": "csv"}).status_code == 403
    client.force_login(people["alice"])
    assert client.get(reverse("grades")).status_code == 403
    assert client.get(reverse("grades-csv")).status_code == 403
    api_client.force_authenticate(None)
    assert api_client.get("/api/grades/").status_code == 401


# --- a student's own grades ---------------------------------------------------------------


def test_before_the_reveal_a_student_sees_no_mark(client, course, people):
    mine = gradebook.my_grades(user=people["alice"])
    assert mine.row.marks == {"tiny-1d": None, "tiny-b": None}
    assert mine.row.challenge_points is None and mine.row.project_mark is None
    client.force_login(people["alice"])
    page = client.get(reverse("grades-mine")).content.decode()
    assert "not yet" in page and "1.000" not in page and "below 0.01" not in page


def test_after_the_reveal_and_the_release_a_student_sees_only_their_own_row(client, course, people):
    reveal(course["a"])
    mine = gradebook.my_grades(user=people["bob"])
    assert mine.row.marks == {"tiny-1d": 0.5, "tiny-b": None}  # B not revealed yet
    assert mine.row.final_points is None
    reveal(course["b"])
    ProjectGroup.objects.filter(pk=course["owls"].pk).update(mark_released=True)
    mine = gradebook.my_grades(user=people["bob"])
    assert (mine.row.project_mark, mine.row.final_points, mine.row.grade) == (70.0, 64.0, "3")
    client.force_login(people["bob"])
    page = client.get(reverse("grades-mine")).content.decode()
    assert "64.00 points — grade 3" in page
    assert "mean squared error below 0.1 → 0.7" in page  # the rule, once revealed
    for other in ("alice", "Alice", "carol", "82.25", "26.25"):
        assert other not in page, other


def test_an_unreleased_project_mark_stays_hidden(course, people):
    reveal(course["a"], course["b"])
    mine = gradebook.my_grades(user=people["alice"])
    assert mine.row.challenge_points == pytest.approx(26.25)
    assert (mine.row.project_mark, mine.row.final_points, mine.row.grade) == (None, None, None)


def test_instructors_edit_the_scheme_in_the_admin_and_bad_values_are_explained(
    client, course, people
):
    client.force_login(people["ivana"])
    url = reverse("admin:course_gradescheme_change", args=[GradeScheme.load().pk])
    form = {
        "challenge_percent": "40",
        "project_percent": "70",
        "weights": '{"nope": 1}',
        "best_of": "[]",
        "scale": '[[90, "1"], [0, "4"]]',
        "tie_policy": "kaggle",
    }
    page = client.post(url, form).content.decode()
    assert "must add up to 100" in page and "weights name &#x27;nope&#x27;" in page
    form.update(challenge_percent="30", weights='{"tiny-b": 3}')
    assert client.post(url, form).status_code == 302
    alice = rows_by_username(gradebook.gradebook())["alice"]
    assert alice.challenge_points == pytest.approx(30 * (1.0 + 3 * 0.75) / 4)


def test_an_instructor_opening_my_grades_is_pointed_to_the_gradebook(client, course, people):
    client.force_login(people["ivana"])
    page = client.get(reverse("grades-mine")).content.decode()
    assert "Instructors are not graded" in page
    assert "Instructors are in no group" in page and "create or join one" not in page


# --- names, honest exports, provisional marks ------------------------------------------------


def test_the_display_name_is_first_and_last_or_else_the_username():
    assert gradebook.display_name("Alice", "Adams", "alice") == "Alice Adams"
    assert gradebook.display_name("", "Adams", "alice") == "Adams"
    assert gradebook.display_name(" ", "", "bob") == "bob"
    assert gradebook.name_key("Čeněk Beneš") == "cenek benes"


NAME_CELL = re.compile(r'<th scope="row" class="name">([^<]*)</th>')


def test_no_name_cell_is_blank_and_rows_sort_by_the_name_shown(client, course, people):
    people["carol"].first_name, people["carol"].last_name = "Čeněk", "Beneš"
    people["carol"].save()
    client.force_login(people["ivana"])
    page = client.get(reverse("grades")).content.decode()
    assert NAME_CELL.findall(page) == ["Alice Adams", "bob", "Čeněk Beneš", "dana"]
    backwards = client.get(reverse("grades"), {"sort": "name", "dir": "desc"}).content.decode()
    assert NAME_CELL.findall(backwards) == ["dana", "Čeněk Beneš", "bob", "Alice Adams"]


def download_links(page: str) -> dict[str, str]:
    """label -> href of the page's CSV downloads."""
    links = re.findall(r'<a class="download" href="([^"]*)">([^<]*)</a>', page)
    return {label: html.unescape(href) for href, label in links}


def usernames_in(response) -> list[str]:
    return list(pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig")["username"])


def test_the_downloads_say_which_students_they_hold(client, course, people):
    client.force_login(people["ivana"])
    unfiltered = download_links(client.get(reverse("grades")).content.decode())
    assert list(unfiltered) == ["Download CSV (all students)"]
    page = client.get(reverse("grades"), {"q": "owls", "grade": "2"}).content.decode()
    links = download_links(page)
    assert list(links) == [
        "Download CSV (all students)",
        "Download filtered CSV (1 student: name, username, e-mail or group contains "
        "“owls”; grade 2)",
    ]
    everyone = client.get(links["Download CSV (all students)"])
    assert sorted(usernames_in(everyone)) == ["alice", "bob", "carol", "dana"]
    assert "-filtered" not in everyone["Content-Disposition"]
    filtered = client.get(links[list(links)[1]])
    assert usernames_in(filtered) == ["alice"]
    assert "-filtered.csv" in filtered["Content-Disposition"]


def provisional_column(book) -> list:
    text = gradebook_export.csv_text(book)
    return list(pd.read_csv(io.StringIO(text.lstrip("\ufeff")))["provisional"])


def test_marks_are_provisional_until_the_private_board_is_revealed(client, course, people):
    client.force_login(people["ivana"])
    before = client.get(reverse("grades")).content.decode()
    assert before.count('<span class="pill provisional">provisional</span>') == 3  # note + 2
    assert provisional_column(gradebook.gradebook()) == ["tiny-1d tiny-b"] * 4
    reveal(course["a"])
    half = client.get(reverse("grades")).content.decode()
    assert "<strong>tiny-b</strong>: private board opens" in half
    assert "<strong>tiny-1d</strong>" not in half
    assert provisional_column(gradebook.gradebook()) == ["tiny-b"] * 4
    reveal(course["b"])
    after = client.get(reverse("grades")).content.decode()
    assert "provisional" not in after
    assert all(pd.isna(value) for value in provisional_column(gradebook.gradebook()))
