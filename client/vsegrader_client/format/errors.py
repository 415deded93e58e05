"""The error a student sees when a submission file cannot be scored, and the collector of
problems behind it.

`SubmissionInvalid` is the client's `FileRefused` (vsegrader_client/problems.py): the same
messages, the same "and N more problems", the same grouping by kind with row counts
(`kinds`), whether the server or the client found them. Nothing here imports pyarrow or
numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from vsegrader_client.problems import MAX_MESSAGES, FileRefused, kind_of, quote

if TYPE_CHECKING:
    import numpy as np

__all__ = ["MAX_MESSAGES", "Problems", "SubmissionInvalid", "quote"]


class SubmissionInvalid(FileRefused):
    """A submission that cannot be scored.

    `errors` lists specific, fixable messages (at most MAX_MESSAGES, then "and N more
    problems"); `str(e)` is a one-line summary. Messages never contain hidden solution values.
    """

    def __init__(self, errors: Sequence[str], more: int = 0, kinds: dict | None = None):
        self._arguments = (list(errors), more, kinds)
        super().__init__(errors, more, kinds)

    def __reduce__(self):  # pickles (Celery results, caches) rebuild it from the same messages
        return type(self), self._arguments


class Problems:
    """Collects messages from several checks, so that a student sees all of them at once,
    and counts the rows of each kind of problem."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.more = 0
        self.kinds: dict[str, int] = {}

    def __bool__(self) -> bool:
        return bool(self.messages) or self.more > 0

    def add(self, message: str) -> None:
        self.messages.append(message)
        self.count(kind_of(message), 1)

    def count(self, kind: str, rows: int) -> None:
        self.kinds[kind] = self.kinds.get(kind, 0) + rows

    def add_rows(self, rows: np.ndarray, describe: Callable[[np.ndarray], list[str]]) -> None:
        """One message per offending row; only the first few are described, the rest counted."""
        if len(rows) == 0:
            return
        messages = describe(rows[:MAX_MESSAGES])
        self.messages.extend(messages)
        self.more += max(len(rows) - MAX_MESSAGES, 0)
        self.count(kind_of(messages[0]), len(rows))

    def add_group(self, messages: list[str], count: int, kind: str) -> None:
        """`count` problems of one kind, of which `messages` describe the first few."""
        self.messages.extend(messages)
        self.more += max(count - len(messages), 0)
        self.count(kind, count)

    def raise_if_any(self) -> None:
        if self:
            raise SubmissionInvalid(self.messages, self.more, self.kinds)


def values_at(values, rows: np.ndarray) -> list:
    """The values of a pyarrow array at a few `rows`, to quote in messages. The rows go to
    pyarrow as a list: given NumPy's array, pyarrow imports numpy.ma (0.01 s), which nothing
    else in the command line's check needs."""
    return values.take(rows.tolist()).to_pylist()
