"""The gradebook: each student's challenge marks, project mark, points and grade.

Challenge results are read only through `challenges.selectors`: the final (private)
leaderboard of each published challenge. Only the course's students are ranked there: the
baseline account's rows are baselines, and instructors' test submissions are left out.
"""

import csv
import io
from dataclasses import dataclass, field, replace
from decimal import Decimal

from challenges import selectors
from challenges.kaggle import neutralise
from challenges.models import Challenge
from challenges.scoring import get_metric
from vsegrader.course import grading
from vsegrader.course.models import GradeScheme, Membership
from vsegrader.course.roster import BASELINE_USERNAME, students


@dataclass(frozen=True)
class Column:
    """One challenge of the gradebook, its rule in words, and why marks are missing if so."""

    slug: str
    title: str
    revealed: bool
    rule_text: str = ""
    error: str = ""


@dataclass
class Row:
    user_id: int
    username: str
    first_name: str
    last_name: str
    email: str
    group: str = ""
    marks: dict[str, float | None] = field(default_factory=dict)
    challenge_points: float | None = None
    project_mark: float | None = None  # percent, with the member's adjustment
    project_points: float | None = None
    final_points: float | None = None
    grade: str | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.username


@dataclass
class Gradebook:
    columns: list[Column]
    rows: list[Row]
    scheme: grading.Scheme
    items: list[grading.Item]

    @property
    def problems(self) -> list[str]:
        return [f"{column.title}: {column.error}" for column in self.columns if column.error]


# --- challenge marks --------------------------------------------------------------------------


def graded_challenges() -> list[Challenge]:
    return list(Challenge.objects.filter(is_published=True).order_by("deadline", "slug"))


def board_entries(challenge: Challenge, student_ids: set[int]) -> list[grading.Entry]:
    entries = []
    for row in selectors.final_leaderboard(challenge=challenge):
        baseline = row.is_baseline or row.username == BASELINE_USERNAME
        if baseline or row.user_id in student_ids:
            entries.append(grading.Entry(user_id=row.user_id, score=row.score,
                                         is_baseline=baseline))
    return entries


def challenge_marks(
    challenge: Challenge, student_ids: set[int]
) -> tuple[Column, dict[int, float] | None]:
    """The column and each student's mark (a student missing from the board: 0), or None
    for the marks when the rule is broken; the column then says why."""
    label = get_metric(challenge.metric).label
    metric = label[:1].lower() + label[1:]
    column = Column(slug=challenge.slug, title=challenge.title,
                    revealed=selectors.is_revealed(challenge))
    try:
        rule = grading.parse_rule(challenge.grading, higher_is_better=challenge.higher_is_better)
        column = replace(column, rule_text=grading.describe_rule(
            rule, metric=metric, higher_is_better=challenge.higher_is_better))
        marks = grading.marks_for(rule, board_entries(challenge, student_ids),
                                  higher_is_better=challenge.higher_is_better)
    except grading.RuleError as error:
        return replace(column, error=f"grading rule: {error}"), None
    return column, {user_id: marks.get(user_id, 0.0) for user_id in student_ids}


# --- projects -------------------------------------------------------------------------------


def project_marks() -> dict[int, tuple[str, Decimal | None, Decimal, bool]]:
    """user id -> (group name, group mark, member adjustment, released)."""
    memberships = Membership.objects.select_related("group").values_list(
        "user_id", "group__name", "group__mark", "adjustment", "group__mark_released"
    )
    return {user_id: (name, mark, adjustment, released)
            for user_id, name, mark, adjustment, released in memberships}


def member_mark(mark: Decimal | None, adjustment: Decimal) -> float | None:
    if mark is None:
        return None
    return grading.clip(float(mark + adjustment), 0.0, 100.0)


# --- assembling -------------------------------------------------------------------------------


def gradebook(*, scheme: grading.Scheme | None = None) -> Gradebook:
    """Every student's row, with everything (instructors' view: nothing is hidden)."""
    scheme = scheme or GradeScheme.load().as_scheme()
    people = list(students().values_list("id", "username", "first_name", "last_name", "email"))
    ids = {person[0] for person in people}
    columns, marks_by_slug = [], {}
    for challenge in graded_challenges():
        column, marks = challenge_marks(challenge, ids)
        columns.append(column)
        marks_by_slug[challenge.slug] = marks
    projects = project_marks()
    rows = [build_row(person, scheme, marks_by_slug, projects.get(person[0])) for person in people]
    slugs = [column.slug for column in columns]
    return Gradebook(columns=columns, rows=rows, scheme=scheme, items=grading.items(scheme, slugs))


def build_row(person, scheme: grading.Scheme, marks_by_slug: dict, project) -> Row:
    user_id, username, first_name, last_name, email = person
    row = Row(user_id=user_id, username=username, first_name=first_name, last_name=last_name,
              email=email)
    row.marks = {slug: None if marks is None else marks[user_id]
                 for slug, marks in marks_by_slug.items()}
    row.challenge_points = grading.challenge_points(scheme, list(row.marks), row.marks)
    if project is not None:
        row.group, mark, adjustment, _released = project
        row.project_mark = member_mark(mark, adjustment)
        row.project_points = grading.project_points(scheme, row.project_mark)
    row.final_points = grading.final_points(row.challenge_points, row.project_points)
    row.grade = grading.grade_for(scheme, row.final_points)
    return row


@dataclass
class MyGrades:
    """A student's own row, holding only what is released to them."""

    columns: list[Column]
    row: Row
    project_released: bool
    scheme: grading.Scheme
    items: list[grading.Item]


def my_grades(*, user) -> MyGrades:
    """Challenge marks after each challenge's reveal, the project mark once released, the
    totals only when every part they add up from is released."""
    book = gradebook()
    row = next((r for r in book.rows if r.user_id == user.pk), None)
    if row is None:
        row = Row(user_id=user.pk, username=user.username, first_name=user.first_name,
                  last_name=user.last_name, email=user.email)
    project = project_marks().get(user.pk)
    released = bool(project and project[3])
    shown = Row(user_id=row.user_id, username=row.username, first_name=row.first_name,
                last_name=row.last_name, email=row.email, group=row.group)
    shown.marks = {c.slug: row.marks.get(c.slug) if c.revealed else None for c in book.columns}
    all_revealed = all(column.revealed for column in book.columns)
    if all_revealed:
        shown.challenge_points = row.challenge_points
    if released:
        shown.project_mark, shown.project_points = row.project_mark, row.project_points
    if all_revealed and released:
        shown.final_points, shown.grade = row.final_points, row.grade
    columns = [c if c.revealed else replace(c, rule_text="", error="") for c in book.columns]
    return MyGrades(columns=columns, row=shown, project_released=released, scheme=book.scheme,
                    items=book.items)


# --- filtering, sorting, CSV ----------------------------------------------------------------


def filter_rows(rows: list[Row], query: str = "", grade: str = "") -> list[Row]:
    words = query.lower().split()
    kept = []
    for row in rows:
        text = " ".join([row.username, row.first_name, row.last_name, row.email, row.group])
        if all(word in text.lower() for word in words) and (not grade or row.grade == grade):
            kept.append(row)
    return kept


SORT_KEYS = {
    "name": lambda row: (row.last_name.lower(), row.first_name.lower(), row.username),
    "username": lambda row: row.username.lower(),
    "group": lambda row: row.group.lower(),
    "challenges": lambda row: row.challenge_points,
    "project": lambda row: row.project_mark,
    "final": lambda row: row.final_points,
    "grade": lambda row: row.grade,
}


def sort_rows(rows: list[Row], key: str = "name", descending: bool = False) -> list[Row]:
    """Sorted by a known key or `mark:<slug>`; missing values go last either way."""
    if key.startswith("mark:"):
        slug = key[len("mark:"):]
        value_of = lambda row: row.marks.get(slug)  # noqa: E731
    else:
        value_of = SORT_KEYS.get(key, SORT_KEYS["name"])
    known = [row for row in rows if value_of(row) is not None]
    missing = [row for row in rows if value_of(row) is None]
    return sorted(known, key=value_of, reverse=descending) + missing


def safe_cell(value) -> str:
    """Text a spreadsheet never runs as a formula: a leading = + - @ TAB or CR (also after
    spaces and quote marks) gets a '."""
    return neutralise("" if value is None else str(value))


def number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def csv_header(book: Gradebook) -> list[str]:
    return ["username", "last_name", "first_name", "email", "group",
            *(column.slug for column in book.columns),
            "challenge_points", "project_mark", "project_points", "final_points", "grade"]


def csv_row(book: Gradebook, row: Row) -> list[str]:
    text = [safe_cell(v) for v in (row.username, row.last_name, row.first_name, row.email,
                                   row.group)]
    marks = [number(row.marks.get(column.slug), 4) for column in book.columns]
    totals = [number(row.challenge_points, 2), number(row.project_mark, 2),
              number(row.project_points, 2), number(row.final_points, 2), safe_cell(row.grade)]
    return text + marks + totals


def csv_text(book: Gradebook, rows: list[Row] | None = None) -> str:
    """The gradebook as CSV (UTF-8 with a BOM, so that Excel reads the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_header(book))
    for row in book.rows if rows is None else rows:
        writer.writerow(csv_row(book, row))
    return "\ufeff" + buffer.getvalue()


def csv_error(message: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([["error"], [safe_cell(message)]])
    return buffer.getvalue()
