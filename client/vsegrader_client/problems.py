"""Problems found in a submission file, as the server words and counts them: the error
type the checks raise (at most MAX_MESSAGES messages, then "and N more problems") and the
grouping by kind with row counts that the command line shows ("1,250,000 rows: unknown
id")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Callable

MAX_MESSAGES = 10


class FileRefused(ValueError):
    """The file would fail on the server. `errors` lists the messages as the server shows
    them (at most MAX_MESSAGES, then "and N more problems"); str() is a one-line summary."""

    def __init__(self, errors: Sequence[str], more: int = 0, kinds: dict | None = None):
        total = len(errors) + more
        self.kinds = dict(kinds) if kinds else {kind_of(e): 1 for e in errors[:1]}
        shown = list(errors[:MAX_MESSAGES])
        hidden = total - len(shown)
        if hidden:
            shown.append(f"and {hidden} more {plural(hidden, 'problem')}")
        self.errors = shown
        self.problem_count = total
        first = errors[0] if errors else "The submission is invalid"
        more_text = f" (and {total - 1} more {plural(total - 1, 'problem')})" if total > 1 else ""
        super().__init__(first + more_text)


class CannotTell(Exception):
    """The file is unusual in a way only the server's reader can judge: upload it."""


def plural(count: int, noun: str) -> str:
    return noun if count == 1 else noun + "s"


def quote(text: str, limit: int = 40) -> str:
    if len(text) > limit:
        return repr(text[:limit]) + "…"
    return repr(text)


KINDS = [
    (re.compile(r"Column ('.*') line \d+: .* is not a number$"), r"column \1: not a number"),
    (
        re.compile(r"Column ('.*') line \d+: .* is not one of the allowed labels.*"),
        r"column \1: not an allowed label",
    ),
    (
        re.compile(r"Column ('.*') line \d+: .* is not a probability.*"),
        r"column \1: not a probability between 0 and 1",
    ),
    (re.compile(r"Column ('.*') line \d+: .* is too large.*"), r"column \1: too large"),
    (re.compile(r"Column ('.*') line \d+: (.*)"), r"column \1: \2"),
    (re.compile(r"Unknown id .*"), "unknown id"),
    (re.compile(r"Duplicate id .*"), "duplicate id"),
    (re.compile(r"Line \d+ has \d+ columns?; expected \d+"), "wrong number of columns"),
]


def kind_of(message: str) -> str:
    """'Unknown id '7' on line 9' -> 'unknown id': what problems are grouped and counted by."""
    for pattern, kind in KINDS:
        if pattern.fullmatch(message):
            return pattern.sub(kind, message)
    return message


class Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.more = 0
        self.kinds: dict[str, int] = {}

    def add(self, message: str) -> None:
        self.messages.append(message)
        self.count(kind_of(message), 1)

    def count(self, kind: str, rows: int) -> None:
        self.kinds[kind] = self.kinds.get(kind, 0) + rows

    def add_rows(self, rows: list[int], describe: Callable[[int], str]) -> None:
        """One message for each of the first MAX_MESSAGES rows; the rest are counted."""
        messages = [describe(row) for row in rows[:MAX_MESSAGES]]
        self.messages.extend(messages)
        self.more += max(len(rows) - MAX_MESSAGES, 0)
        if messages:
            self.count(kind_of(messages[0]), len(rows))

    def raise_if_any(self) -> None:
        if self.messages or self.more:
            raise FileRefused(self.messages, self.more, self.kinds)
