"""Why pyarrow refused a CSV upload, in words a student understands: reached only after
`read_csv`'s fast path failed, so the common path never imports pyarrow.compute (0.05 s,
a tenth of the command line's check of a 30 MB file)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vsegrader_client.format.csvfile import BLOCK_SIZE, arrow_read
from vsegrader_client.format.errors import Problems, SubmissionInvalid, quote, values_at
from vsegrader_client.format.lines import LineNumbers
from vsegrader_client.format.text import MULTILINE, not_utf8

NUMBER_PATTERN = (
    r"(?i)^[ \t]*[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?|inf|infinity|nan)[ \t]*$"
)


def diagnose(body: bytes, names, column_types, lines: LineNumbers, error: Exception):
    """Raise SubmissionInvalid naming what made pyarrow refuse the file."""
    _check_utf8(body, lines)
    _check_line_lengths(lines)
    table = _read_as_text(pa.py_buffer(body), names, column_types, lines)
    _check_numbers(table, column_types, lines)
    raise SubmissionInvalid([_unreadable(error)])


def _unreadable(error: Exception) -> str:
    message = str(error).split("\n")[0].removeprefix("CSV parse error: ")
    return f"The file could not be read as CSV: {message[:200]}"


def _check_utf8(body: bytes, lines: LineNumbers) -> None:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SubmissionInvalid([not_utf8(lines.of_offset(error.start))]) from None


def _check_line_lengths(lines: LineNumbers) -> None:
    length, line = lines.longest()
    if length >= BLOCK_SIZE // 2:
        raise SubmissionInvalid(
            [f"Line {line} is too long ({length:,} bytes; a row should be short)"]
        )


def _read_as_text(body: pa.Buffer, names, column_types, lines: LineNumbers) -> pa.Table:
    """Every column as text, one thread, so that pyarrow can name the rows it rejects."""
    problems = Problems()

    def report(row) -> str:
        columns = "column" if row.actual_columns == 1 else "columns"
        problems.add(
            f"Line {lines.of_row(row.number - 1)} has {row.actual_columns} {columns}; "
            f"expected {row.expected_columns}"
        )
        return "skip"

    try:
        table = arrow_read(body, names, column_types, as_text=True, invalid_row_handler=report)
    except pa.ArrowException as error:
        problems.raise_if_any()
        raise SubmissionInvalid([_unreadable(error)]) from None
    # Rows counted past a value that spans lines would name the wrong lines: that comes first.
    if table.num_rows + len(problems.messages) != lines.row_count:
        raise SubmissionInvalid([MULTILINE])
    problems.raise_if_any()
    return table


def _check_numbers(table: pa.Table, column_types, lines: LineNumbers) -> None:
    problems = Problems()
    for name, arrow_type in column_types.items():
        if pa.types.is_floating(arrow_type):
            _check_number_texts(name, table.column(name), lines, problems)
    problems.raise_if_any()


def _check_number_texts(name: str, column, lines: LineNumbers, problems: Problems) -> None:
    numeric = pc.match_substring_regex(column, NUMBER_PATTERN).fill_null(True)
    bad_rows = np.flatnonzero(~numeric.to_numpy(zero_copy_only=False))

    def describe(rows: np.ndarray) -> list[str]:
        texts = values_at(column, rows)
        return [
            f"Column {name!r} line {line}: "
            + ("missing value" if not text.strip() else f"{quote(text)} is not a number")
            for line, text in zip(lines.of_rows(rows), texts)
        ]

    problems.add_rows(bad_rows, describe)
