"""Line numbers for messages: which line of the file a data row came from.

pyarrow numbers rows, not lines: it skips empty lines and accepts \\n, \\r\\n and \\r as line
ends. This map is built only when a message needs a line number (an error path), from
the raw bytes, with the same rules.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

LF, CR = 10, 13


class LineNumbers:
    """Lines of `data[start:end]`, the rows after the header; the first is line `first_line`."""

    def __init__(self, data: bytes, start: int, end: int, first_line: int = 2):
        self._data = data
        self.start = start
        self.end = end
        self._first_line = first_line

    def of_rows(self, rows: np.ndarray) -> np.ndarray:
        """File line numbers (1-based) of 0-based row indices as pyarrow counts rows."""
        rows = np.asarray(rows, dtype=np.int64)
        row_lines = self._row_lines_through(int(rows.max()) if len(rows) else -1)
        known = rows < len(row_lines)
        lines = np.full(len(rows), -1, dtype=np.int64)
        lines[known] = row_lines[rows[known]]
        return lines

    def _row_lines_through(self, row: int) -> np.ndarray:
        """The lines of the rows up to `row` at least. Messages name the first few problem
        rows, usually near the top: the lines of a growing head of the body are counted
        before the whole of a large file is."""
        size = 1 << 16
        while "_row_lines" not in self.__dict__ and size < self.end - self.start:
            head = self._bytes[:size]
            ends = _line_ends(head)
            ends = ends[ends < size - 1]  # the last line may go on past the head
            lines = self._first_line + np.flatnonzero(_line_lengths(head, ends) > 0)
            if len(lines) > row:
                return lines
            size *= 8
        return self._row_lines

    def of_row(self, row: int) -> int:
        return int(self.of_rows(np.array([row]))[0])

    def describe(self, rows: list[int], shown: int = 5) -> str:
        """Rows in words: "line 4", "lines 4 and 9", "lines 4, 9, 12, 15, 20 and 3 more lines"."""
        lines = [str(line) for line in self.of_rows(np.array(rows[:shown]))]
        if len(rows) > shown:
            return "lines " + ", ".join(lines) + f" and {len(rows) - shown} more lines"
        if len(lines) == 1:
            return "line " + lines[0]
        return "lines " + ", ".join(lines[:-1]) + " and " + lines[-1]

    def of_offset(self, offset: int) -> int:
        """The line holding byte `offset` of the body."""
        return self._first_line + int(np.searchsorted(self._line_ends, offset))

    @property
    def row_count(self) -> int:
        """Non-empty lines: the rows pyarrow reads when no quoted value spans lines."""
        return len(self._row_lines)

    def longest(self) -> tuple[int, int]:
        """(length in bytes, line number) of the longest line."""
        lengths = self._line_lengths
        if len(lengths) == 0:
            return 0, self._first_line
        index = int(np.argmax(lengths))
        return int(lengths[index]), self._first_line + index

    @cached_property
    def _bytes(self) -> np.ndarray:
        return np.frombuffer(
            self._data, dtype=np.uint8, count=self.end - self.start, offset=self.start
        )

    @cached_property
    def _line_ends(self) -> np.ndarray:
        """Offset of each line's terminator (the body's length for a last unterminated line)."""
        ends = _line_ends(self._bytes)
        if len(ends) == 0 or ends[-1] != len(self._bytes) - 1:
            ends = np.append(ends, len(self._bytes))
        return ends

    @cached_property
    def _line_lengths(self) -> np.ndarray:
        return _line_lengths(self._bytes, self._line_ends)

    @cached_property
    def _row_lines(self) -> np.ndarray:
        return self._first_line + np.flatnonzero(self._line_lengths > 0)


def _line_ends(body: np.ndarray) -> np.ndarray:
    """Offsets of the line terminators: \n, or \r not followed by \n."""
    is_end = body == LF
    lone_cr = body == CR
    lone_cr[:-1] &= ~is_end[1:]
    return np.flatnonzero(is_end | lone_cr)


def _line_lengths(body: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The length of each line that ends at `ends`, without its terminator."""
    starts = np.concatenate([[0], ends[:-1] + 1])
    lengths = ends - starts
    # a CR right before the LF of "\r\n" belongs to the line end, not to the content
    before_end = np.clip(ends - 1, 0, max(len(body) - 1, 0))
    crlf = (lengths > 0) & (body[before_end] == CR) if len(body) else lengths > 0
    return lengths - crlf
