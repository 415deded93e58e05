"""The gradebook: each student's challenge marks, project mark, points and grade.

Challenge results are read only through `challenges.selectors`: the final (private)
leaderboard of each published challenge, in its order, ranked by the challenge's tie policy
exactly as the board and its Kaggle-format CSV are: every ranked row of the board counts (as
in the CSV a notebook reads), baselines are reference rows, and instructors' own uploads are
not ranked (the board leaves them unranked too). Marks are kept for the course's students.
"""

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from challenges import selectors
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
    reveal_at: datetime | None = None  # when the private board opens to students

    @property
    def provisional(self) -> bool:
        """Marks may still change until students see the private board: submissions,
        final picks and extensions still move it."""
        return not self.revealed


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
        """ "First Last", or the username for an account without a name: never blank."""
        return display_name(self.first_name, self.last_name, self.username)


def display_name(first_name: str, last_name: str, username: str) -> str:
    return " ".join(f"{first_name} {last_name}".split()) or username


def name_key(name: str) -> str:
    """Case- and accent-blind, so that "Žofie" sorts beside "Zoe" and "alice" beside "Bob"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass
class Gradebook:
    columns: list[Column]
    rows: list[Row]
    scheme: grade_scheme.Scheme
    items: list[grade_scheme.Item]

    @property
    def problems(self) -> list[str]:
        return [f"{column.title}: {column.error}" for column in self.columns if column.error]

    @property
    def provisional(self) -> list[Column]:
        """The challenges whose marks may still change (private board not yet revealed)."""
        return [column for column in self.columns if column.provisional]


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
        reveal_at=deadlines.reveal_at(challenge),
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
