"""Kaggle compatibility, both ways: pure, no Django.

Out: `leaderboard_csv` writes a leaderboard in the format of Kaggle's leaderboard download,
so the instructors' notebooks read it unchanged (`Rank` is the board's rank, by the
challenge's tie policy: see `ties.py`):

    Rank,TeamId,TeamName,LastSubmissionDate,Score,SubmissionCount,TeamMemberUserNames
    1,16625060,"Subin An","2026-08-03 23:01:03",2914.0,2,subinium
    139,16623799,"Akhilesh godugu","2026-08-04 10:42:15",2222.3,2,"akhileshgodugu,ashokgodugu"

Dates are UTC, `YYYY-MM-DD HH:MM:SS`; a cell is quoted when it holds a space, a comma, a
quote or a line break (as Kaggle's file does); members are joined by commas; the score is
written with every digit Python needs to read the same float back. Text cells that a
spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return, also
after leading spaces and quote marks) get a leading apostrophe.

In: a Kaggle InClass host export (solution.csv with Usage, sample_submission.csv, no
challenge.toml) is read by `challenges.bundles.inclass.read_inclass_export`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

HEADER = (
    "Rank",
    "TeamId",
    "TeamName",
    "LastSubmissionDate",
    "Score",
    "SubmissionCount",
    "TeamMemberUserNames",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LEADING_SPACES_AND_QUOTES = re.compile(r"[\s\"']*")
NEEDS_QUOTES = frozenset(' ,"\r\n\t')
LINE_END = "\r\n"  # RFC 4180; pandas and spreadsheets read it either way


@dataclass(frozen=True)
class KaggleRow:
    rank: int | None  # None: an unranked row, such as a baseline
    team_id: int | str
    team_name: str
    last_submission: datetime  # timezone-aware
    score: float | None
    submission_count: int
    member_usernames: Sequence[str] = ()


def leaderboard_csv(rows: Iterable[KaggleRow]) -> str:
    lines = [",".join(HEADER)]
    lines.extend(",".join(_cells(row)) for row in rows)
    return LINE_END.join(lines) + LINE_END


def _cells(row: KaggleRow) -> list[str]:
    return [
        "" if row.rank is None else str(int(row.rank)),
        _text(str(row.team_id)),
        _text(row.team_name),
        _quoted(kaggle_date(row.last_submission)),
        kaggle_score(row.score),
        str(int(row.submission_count)),
        _text(",".join(row.member_usernames)),
    ]


def kaggle_date(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("leaderboard dates must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def kaggle_score(score: float | None) -> str:
    if score is None or not math.isfinite(score):
        return ""
    return repr(float(score))  # the shortest text that reads back as the same float


def neutralise(text: str) -> str:
    """Keep a spreadsheet from running a cell as a formula: prefix an apostrophe. Some
    spreadsheets trim leading spaces and quote marks before they look for one."""
    core = text[LEADING_SPACES_AND_QUOTES.match(text).end() :]
    formula = text.startswith(FORMULA_STARTS) or core.startswith(FORMULA_STARTS)
    return "'" + text if formula else text


def _text(text: str) -> str:
    return _quoted(neutralise(text))


def _quoted(text: str) -> str:
    if NEEDS_QUOTES.isdisjoint(text):
        return text
    return '"' + text.replace('"', '""') + '"'
