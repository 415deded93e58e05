"""The error a student sees when a submission file cannot be scored."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

MAX_MESSAGES = 10


class SubmissionInvalid(ValueError):
    """A submission that cannot be scored.

    `errors` lists specific, fixable messages (at most MAX_MESSAGES, then "and N more
    problems"); `str(e)` is a one-line summary. Messages never contain hidden solution values.
    """

    def __init__(self, errors: Sequence[str], more: int = 0):
        self._arguments = (list(errors), more)
        total = len(errors) + more
        shown = list(errors[:MAX_MESSAGES])
        hidden = total - len(shown)
        if hidden:
            shown.append(f"and {hidden} more {_plural(hidden, 'problem')}")
        self.errors = shown
        self.problem_count = total
        super().__init__(_summary(errors[0] if errors else "The submission is invalid", total))

    def __reduce__(self):  # pickles (Celery results, caches) rebuild it from the same messages
        return type(self), self._arguments


def _summary(first: str, total: int) -> str:
    if total <= 1:
        return first
    return f"{first} (and {total - 1} more {_plural(total - 1, 'problem')})"


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else noun + "s"


class Problems:
    """Collects messages from several checks, so that a student sees all of them at once."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.more = 0

    def __bool__(self) -> bool:
        return bool(self.messages) or self.more > 0

    def add(self, message: str) -> None:
        self.messages.append(message)

    def add_rows(self, rows: np.ndarray, describe: Callable[[np.ndarray], list[str]]) -> None:
        """One message per offending row; only the first few are described, the rest counted."""
        if len(rows) == 0:
            return
        self.messages.extend(describe(rows[:MAX_MESSAGES]))
        self.more += max(len(rows) - MAX_MESSAGES, 0)

    def raise_if_any(self) -> None:
        if self:
            raise SubmissionInvalid(self.messages, self.more)


def quote(text: str, limit: int = 40) -> str:
    """A student's value in a message: quoted, control characters escaped, long text cut."""
    if len(text) > limit:
        return repr(text[:limit]) + "…"
    return repr(text)
