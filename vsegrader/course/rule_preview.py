"""What a grading rule would give before it is saved: each participant's mark on the current
final board, and what the challenge's sample submission would earn under it; and saving it.

The sample submission (the bundle's public sample_submission.csv, a constant or mean
prediction) is scored like an upload, with the judge's cached solution, and ranked as one
more participant after everyone with an equal score. A rule that gives it more than 0 gives
marks for no work: with `full_marks_top = 10` and five participants, it earns full marks."""

import logging
from dataclasses import dataclass

from django.db import transaction

from challenges import selectors
from challenges.models import Challenge
from challenges.scoring import SubmissionInvalid
from vsegrader.course import grading
from vsegrader.course.gradebook import metric_name
from vsegrader.permissions import is_instructor
from vsegrader.refusals import Refused

log = logging.getLogger(__name__)

SAMPLE_ID = -1  # no account has a negative id
ON_THE_BOARD = "On the current board: "  # before a problem of the board, not of the rule


class RuleRefused(Refused):
    """A rule that cannot be saved, or a user who may not save one."""


@dataclass(frozen=True)
class PreviewRow:
    rank: int | None  # None: a baseline, never ranked nor graded
    name: str
    username: str
    score: float
    mark_now: float | None  # under the saved rule (None: a baseline, or the rule is broken)
    mark: float | None  # under the rule being edited


@dataclass(frozen=True)
class SampleCheck:
    file_name: str
    score: float | None = None
    rank: int | None = None
    of: int = 0  # ranked participants, the sample included
    mark: float | None = None
    problem: str = ""  # why the sample could not be scored

    @property
    def earns_marks(self) -> bool:
        return self.mark is not None and self.mark > 0


@dataclass(frozen=True)
class Preview:
    rows: list[PreviewRow]
    rule_text: str
    error: str = ""  # the board cannot carry the rule (say, linear with no baseline)
    sample: SampleCheck | None = None  # None: the challenge has no sample submission


def graded_rows(challenge: Challenge):
    """The final board's ranked rows and baselines, in board order (as the gradebook)."""
    return [
        row
        for row in selectors.final_leaderboard(challenge=challenge)
        if row.is_baseline or row.rank is not None
    ]


def entries_of(rows) -> list[grading.Entry]:
    return [grading.Entry(row.user_id, row.score, row.is_baseline) for row in rows]


def marks_under(table: dict, challenge: Challenge, entries) -> dict[int, float]:
    """Raises RuleError when the rule is broken or the board cannot carry it."""
    direction = {"higher_is_better": challenge.higher_is_better, "ties": challenge.ties}
    rule = grading.parse_rule(table, higher_is_better=challenge.higher_is_better)
    return grading.marks_for(rule, entries, **direction)


def lenient_marks(table: dict, challenge: Challenge, entries) -> dict[int, float] | None:
    try:
        return marks_under(table, challenge, entries)
    except grading.RuleError:
        return None


def preview(challenge: Challenge, table: dict) -> Preview:
    """The marks `table` gives on the current final board, beside those of the saved rule."""
    rows = graded_rows(challenge)
    entries = entries_of(rows)
    rule = grading.parse_rule(table, higher_is_better=challenge.higher_is_better)
    text = grading.describe_rule(
        rule, metric=metric_name(challenge), higher_is_better=challenge.higher_is_better
    )
    now = lenient_marks(challenge.grading, challenge, entries) or {}
    try:
        marks, error = marks_under(table, challenge, entries), ""
    except grading.RuleError as problem:
        marks, error = {}, str(problem)
    shown = [
        PreviewRow(
            rank=row.rank,
            name=row.name,
            username=row.username,
            score=row.score,
            mark_now=None if row.is_baseline else now.get(row.user_id),
            mark=None if row.is_baseline else marks.get(row.user_id),
        )
        for row in rows
    ]
    return Preview(shown, text, error, sample_check(challenge, table, entries))


def sample_check(challenge: Challenge, table: dict, entries) -> SampleCheck | None:
    sample = selectors.sample_file(challenge=challenge)
    if sample is None:
        return None
    try:
        score = selectors.sample_private_score(challenge=challenge, sample=sample)
    except SubmissionInvalid as invalid:
        return SampleCheck(sample.name, problem="; ".join(invalid.errors[:3]) or str(invalid))
    except OSError as missing:
        log.warning("Cannot score the sample submission of %s: %s", challenge.slug, missing)
        return SampleCheck(sample.name, problem="its file or the solution could not be read")
    if score is None:
        return SampleCheck(sample.name, problem="the challenge has no private rows to score")
    with_sample = [*entries, grading.Entry(SAMPLE_ID, score)]
    direction = {"higher_is_better": challenge.higher_is_better, "ties": challenge.ties}
    rank, count = grading.places(with_sample, **direction)[SAMPLE_ID]
    mark = (lenient_marks(table, challenge, with_sample) or {}).get(SAMPLE_ID)
    return SampleCheck(sample.name, score=score, rank=rank, of=count, mark=mark)


def board_refusal(challenge: Challenge, table: dict) -> str:
    """Why the current final board cannot carry `table` (the words the preview uses), or "".
    Such a rule would leave the gradebook without marks for the challenge, so it is not
    saved, even where a later board (say, once a baseline is trained) could carry it."""
    try:
        marks_under(table, challenge, entries_of(graded_rows(challenge)))
    except grading.RuleError as error:
        return f"{ON_THE_BOARD}{error}"
    return ""


def rule_save(*, challenge: Challenge, table: dict, by) -> Challenge:
    """Replaces the challenge's grading rule; the gradebook applies it at once. A rule the
    current board cannot carry is refused, and the saved one stays."""
    if not is_instructor(by):
        raise RuleRefused("Only instructors change grading rules.", "not_an_instructor")
    try:
        grading.parse_rule(table, higher_is_better=challenge.higher_is_better)
    except grading.RuleError as error:
        raise RuleRefused(f"The rule cannot be used: {error}", "bad_rule") from error
    board_problem = board_refusal(challenge, table)
    if board_problem:
        raise RuleRefused(board_problem, "board_cannot_carry_rule")
    with transaction.atomic():
        locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
        locked.grading = table
        locked.save(update_fields=["grading"])
    log.info("Grading rule of %s set by %s: %s", challenge.slug, by.username, table)
    return locked
