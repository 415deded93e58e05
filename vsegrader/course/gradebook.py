"""The gradebook: each student's challenge marks, project mark, points and grade.

Challenge results are read only through `challenges.selectors`: the final (private)
leaderboard of each published challenge, in its order, ranked by the challenge's tie policy
exactly as the board and its Kaggle-format CSV are: every ranked row of the board counts (as
in the CSV a notebook reads), baselines are reference rows, and instructors' own uploads are
not ranked (the board leaves them unranked too). Marks are kept for the course's students.
"""

import csv
import io
from dataclasses import dataclass, field, replace
from decimal import Decimal

from challenges import selectors
from challenges.boards.kaggle import neutralise
from challenges.boards.ties import describe as describe_ties
from challenges.models import Challenge
from challenges.rules import deadlines
from challenges.scoring import get_metric
from vsegrader import permissions
from vsegrader.course import grade_scheme, grading
from vsegrader.course.models import GradeScheme, Membership
from vsegrader.course.roster import students


@dataclass(frozen=True)
class Column:
    """One challenge of the gradebook, its rule in words, and why marks are missing if so."""

    slug: str
    title: str
    revealed: bool
    rule_text: str = ""
    error: str = ""
    ties: str = ""  # how equal scores rank, in words


@dataclass
class Row:
    user_id: int
    username: str
    first_name: str
    last_name: str
    email: str
    group: str = ""
    marks: dict[str, float | None] = field(default_factory=dict)
    places: dict[str, tuple[int, int] | None] = field(default_factory=dict)  # (rank, of N)
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
    scheme: grade_scheme.Scheme
    items: list[grade_scheme.Item]

    @property
    def problems(self) -> list[str]:
        return [f"{column.title}: {column.error}" for column in self.columns if column.error]


# --- challenge marks --------------------------------------------------------------------------


def graded_challenges() -> list[Challenge]:
    return list(Challenge.objects.filter(is_published=True).order_by("deadline", "slug"))


def board_entries(challenge: Challenge) -> list[grading.Entry]:
    """The final board's ranked rows and baselines, in board order; an instructor's own
    upload (unranked on the board) is left out."""
    return [
        grading.Entry(user_id=row.user_id, score=row.score, is_baseline=row.is_baseline)
        for row in selectors.final_leaderboard(challenge=challenge)
        if row.is_baseline or row.rank is not None
    ]


def metric_name(challenge: Challenge) -> str:
    label = get_metric(challenge.metric).label
    return label[:1].lower() + label[1:]


@dataclass(frozen=True)
class ChallengeResult:
    column: Column
    marks: dict[int, float] | None  # None: the rule is broken (the column says why)
    places: dict[int, tuple[int, int]]  # user id -> (rank, ranked students)


def challenge_marks(challenge: Challenge, student_ids: set[int]) -> ChallengeResult:
    """The column, each student's mark (a student missing from the board: 0) and place."""
    metric = metric_name(challenge)
    column = Column(
        slug=challenge.slug,
        title=challenge.title,
        revealed=deadlines.is_revealed(challenge),
        ties=describe_ties(challenge.ties),
    )
    direction = {"higher_is_better": challenge.higher_is_better, "ties": challenge.ties}
    entries = board_entries(challenge)
    places = grading.places(entries, **direction)
    try:
        rule = grading.parse_rule(challenge.grading, higher_is_better=challenge.higher_is_better)
        column = replace(
            column,
            rule_text=grading.describe_rule(
                rule, metric=metric, higher_is_better=challenge.higher_is_better
            ),
        )
        marks = grading.marks_for(rule, entries, **direction)
    except grading.RuleError as error:
        return ChallengeResult(replace(column, error=f"grading rule: {error}"), None, places)
    student_marks = {user_id: marks.get(user_id, 0.0) for user_id in student_ids}
    return ChallengeResult(column, student_marks, places)


# --- projects -------------------------------------------------------------------------------


def project_marks() -> dict[int, tuple[str, Decimal | None, Decimal, bool]]:
    """user id -> (group name, group mark, member adjustment, released)."""
    memberships = Membership.objects.select_related("group").values_list(
        "user_id", "group__name", "group__mark", "adjustment", "group__mark_released"
    )
    return {
        user_id: (name, mark, adjustment, released)
        for user_id, name, mark, adjustment, released in memberships
    }


def member_mark(mark: Decimal | None, adjustment: Decimal) -> float | None:
    if mark is None:
        return None
    return grading.clip(float(mark + adjustment), 0.0, 100.0)


# --- assembling -------------------------------------------------------------------------------


def gradebook(*, scheme: grade_scheme.Scheme | None = None) -> Gradebook:
    """Every student's row, with everything (instructors' view: nothing is hidden)."""
    scheme = scheme or GradeScheme.load().as_scheme()
    people = list(students().values_list("id", "username", "first_name", "last_name", "email"))
    ids = {person[0] for person in people}
    results = {c.slug: challenge_marks(c, ids) for c in graded_challenges()}
    columns = [result.column for result in results.values()]
    projects = project_marks()
    rows = [build_row(person, scheme, results, projects.get(person[0])) for person in people]
    slugs = [column.slug for column in columns]
    terms = grade_scheme.items(scheme, slugs)
    return Gradebook(columns=columns, rows=rows, scheme=scheme, items=terms)


def build_row(
    person, scheme: grade_scheme.Scheme, results: dict[str, ChallengeResult], project
) -> Row:
    user_id, username, first_name, last_name, email = person
    row = Row(
        user_id=user_id, username=username, first_name=first_name, last_name=last_name, email=email
    )
    row.marks = {
        slug: None if result.marks is None else result.marks[user_id]
        for slug, result in results.items()
    }
    row.places = {slug: result.places.get(user_id) for slug, result in results.items()}
    row.challenge_points = grade_scheme.challenge_points(scheme, list(row.marks), row.marks)
    if project is not None:
        row.group, mark, adjustment, _released = project
        row.project_mark = member_mark(mark, adjustment)
        row.project_points = grade_scheme.project_points(scheme, row.project_mark)
    row.final_points = grade_scheme.final_points(row.challenge_points, row.project_points)
    row.grade = grade_scheme.grade_for(scheme, row.final_points)
    return row


@dataclass
class MyGrades:
    """A student's own row, holding only what is released to them."""

    columns: list[Column]
    row: Row
    project_released: bool
    scheme: grade_scheme.Scheme
    items: list[grade_scheme.Item]


def my_grades(*, user) -> MyGrades:
    """Challenge marks after each challenge's reveal, the project mark once released, the
    totals only when every part they add up from is released."""
    book = gradebook()
    row = next((r for r in book.rows if r.user_id == user.pk), None)
    if row is None:
        row = Row(
            user_id=user.pk,
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
        )
    project = project_marks().get(user.pk)
    released = bool(project and project[3])
    shown = Row(
        user_id=row.user_id,
        username=row.username,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        group=row.group,
    )
    shown.marks = {c.slug: row.marks.get(c.slug) if c.revealed else None for c in book.columns}
    shown.places = {c.slug: row.places.get(c.slug) if c.revealed else None for c in book.columns}
    all_revealed = all(column.revealed for column in book.columns)
    if all_revealed:
        shown.challenge_points = row.challenge_points
    if released:
        shown.project_mark, shown.project_points = row.project_mark, row.project_points
    if all_revealed and released:
        shown.final_points, shown.grade = row.final_points, row.grade
    columns = [c if c.revealed else replace(c, rule_text="", error="") for c in book.columns]
    return MyGrades(
        columns=columns, row=shown, project_released=released, scheme=book.scheme, items=book.items
    )


# --- how the parts combine, in words ----------------------------------------------------------


def item_name(item: grade_scheme.Item) -> str:
    return f"the better of {' and '.join(item.slugs)}" if len(item.slugs) > 1 else item.slugs[0]


def item_points(
    scheme: grade_scheme.Scheme, items: list[grade_scheme.Item], item: grade_scheme.Item
) -> float:
    total = sum(i.weight for i in items if i.weight > 0)
    return 0.0 if total <= 0 else scheme.challenge_percent * max(item.weight, 0) / total


def parts_text(scheme: grade_scheme.Scheme, items: list[grade_scheme.Item]) -> str:
    """ "The challenge part (30 points) has 4 equal parts of 7.5 points: the better of
    fitting-1d and fitting-5d; glasses; mics-mnist; sword-video." """
    terms = [item for item in items if item.weight > 0]
    if not terms:
        return ""
    points = f"{scheme.challenge_percent:g} points"
    if len({item.weight for item in terms}) == 1:
        each = round(item_points(scheme, items, terms[0]), 2)
        names = "; ".join(item_name(item) for item in terms)
        return (
            f"The challenge part ({points}) has {len(terms)} equal parts of {each:g} "
            f"points: {names}."
        )
    shares = "; ".join(
        f"{item_name(item)}: {round(item_points(scheme, items, item), 2):g}" for item in terms
    )
    return f"The challenge part ({points}) adds up from: {shares} points."


def challenge_summary(challenge: Challenge, *, user) -> dict:
    """What a challenge page says about grading: its part, how parts combine, the ties, and
    the rule once revealed (instructors: always)."""
    scheme = GradeScheme.load().as_scheme()
    items = grade_scheme.items(scheme, [c.slug for c in graded_challenges()])
    item = next((i for i in items if challenge.slug in i.slugs), None)
    part = ""
    if item is not None and item.weight > 0:
        points = round(item_points(scheme, items, item), 2)
        part = (
            f"It counts as {item_name(item)}: {points:g} of the "
            f"{scheme.challenge_percent:g} challenge points."
        )
    rule = ""
    if permissions.is_instructor(user) or deadlines.is_revealed(challenge):
        try:
            parsed = grading.parse_rule(
                challenge.grading, higher_is_better=challenge.higher_is_better
            )
            rule = grading.describe_rule(
                parsed, metric=metric_name(challenge), higher_is_better=challenge.higher_is_better
            )
        except grading.RuleError:
            rule = ""
    return {
        "part": part,
        "parts": parts_text(scheme, items),
        "rule": rule,
        "ties": describe_ties(challenge.ties),
    }


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
        slug = key[len("mark:") :]
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
    return [
        "username",
        "last_name",
        "first_name",
        "email",
        "group",
        *(column.slug for column in book.columns),
        "challenge_points",
        "project_mark",
        "project_points",
        "final_points",
        "grade",
    ]


def csv_row(book: Gradebook, row: Row) -> list[str]:
    text = [
        safe_cell(v) for v in (row.username, row.last_name, row.first_name, row.email, row.group)
    ]
    marks = [number(row.marks.get(column.slug), 4) for column in book.columns]
    totals = [
        number(row.challenge_points, 2),
        number(row.project_mark, 2),
        number(row.project_points, 2),
        number(row.final_points, 2),
        safe_cell(row.grade),
    ]
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
