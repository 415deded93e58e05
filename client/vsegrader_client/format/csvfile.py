"""Reading a CSV upload into typed pyarrow columns, or explaining why it cannot be read.

The fast path is one multithreaded `pyarrow.csv.read_csv` over the raw bytes, with every
column's type given. Only when pyarrow refuses the file does `diagnose` look closer, to
name the first offending lines in words a student understands.
"""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from typing import BinaryIO, Literal, Union

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from vsegrader_client.format.errors import Problems, SubmissionInvalid, quote
from vsegrader_client.format.lines import CR, LF, LineNumbers
from vsegrader_client.format.text import (
    MULTILINE,
    check_header,
    content_end,
    not_utf8,
    read_header,
    text_start,
)

Source = Union[bytes, bytearray, memoryview, str, os.PathLike, BinaryIO]  # py3.9: no `|`

BLOCK_SIZE = 1 << 20  # pyarrow's chunk size; a line must fit in one


@dataclass(frozen=True)
class CsvTable:
    table: pa.Table  # the requested columns, in the requested order, typed
    lines: LineNumbers
    has_padding: bool  # some bytes are spaces or tabs, so text values may need trimming


def read_csv(
    source: Source,
    column_types: dict[str, pa.DataType],
    *,
    extra_columns: Literal["reject", "ignore"] = "reject",
    one_row_per_line: bool = True,
) -> CsvTable:
    """Read the columns named in `column_types`; raise SubmissionInvalid if the file is unusable.

    `one_row_per_line` rejects quoted values that span lines (they would make line numbers
    in messages wrong); it costs a pass over the bytes when the file has quotes.
    """
    data = read_bytes(source)
    start = text_start(data)
    names, body_start = read_header(data, start)
    check_header(names, data[start:body_start], list(column_types), extra_columns)
    body_end = content_end(data, body_start)
    lines = LineNumbers(data, body_start, body_end)
    body = pa.py_buffer(memoryview(data)[body_start:body_end])
    try:
        table = _arrow_read(body, names, column_types) if len(body) else _empty(column_types)
    except pa.ArrowException as error:
        diagnose(data[body_start:body_end], names, column_types, lines, error)
    quoted = data.find(b'"', body_start, body_end) != -1
    if one_row_per_line and quoted and not _one_row_per_line(data, table, lines):
        raise SubmissionInvalid([MULTILINE])
    has_padding = any(data.find(char, body_start, body_end) != -1 for char in (b" ", b"\t"))
    return CsvTable(table, lines, has_padding)


def read_bytes(source: Source) -> bytes | mmap.mmap:
    """The file's bytes; a file on disk is memory-mapped rather than copied."""
    if isinstance(source, bytes):
        return source
    if isinstance(source, (bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as file:
            try:
                return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            except (ValueError, OSError):  # an empty file or not a regular file
                return file.read()
    if hasattr(source, "read"):
        data = source.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    raise TypeError(f"cannot read a CSV file from {type(source).__name__}")


def _empty(column_types: dict[str, pa.DataType]) -> pa.Table:
    return pa.schema(list(column_types.items())).empty_table()


def _arrow_read(
    body: pa.Buffer,
    names: list[str],
    column_types: dict[str, pa.DataType],
    *,
    as_text: bool = False,
    invalid_row_handler=None,
) -> pa.Table:
    types = {name: pa.string() for name in column_types} if as_text else column_types
    return pv.read_csv(
        body,
        read_options=pv.ReadOptions(
            column_names=names,
            block_size=BLOCK_SIZE,
            use_threads=invalid_row_handler is None,
        ),
        parse_options=pv.ParseOptions(invalid_row_handler=invalid_row_handler),
        convert_options=pv.ConvertOptions(
            column_types=types,
            include_columns=list(column_types),
            null_values=[""],
            strings_can_be_null=True,
        ),
    )


def _one_row_per_line(data: bytes, table: pa.Table, lines: LineNumbers) -> bool:
    """False if a quoted value spans lines (pyarrow accepts that; a submission must not)."""
    body = np.frombuffer(data, np.uint8, count=lines.end - lines.start, offset=lines.start)
    line_feeds = int(np.count_nonzero(body == LF))
    # the usual files, \n or \r\n endings and no blank line, need no closer look
    if table.num_rows == line_feeds + 1 and (
        data.find(b"\r", lines.start, lines.end) == -1
        or int(np.count_nonzero(body == CR)) == line_feeds
    ):
        return True
    return table.num_rows == lines.row_count


# Diagnosis: reached only after pyarrow refused the file. -----------------------------------

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
        table = _arrow_read(body, names, column_types, as_text=True, invalid_row_handler=report)
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
        texts = column.take(pa.array(rows)).to_pylist()
        return [
            f"Column {name!r} line {line}: "
            + ("missing value" if not text.strip() else f"{quote(text)} is not a number")
            for line, text in zip(lines.of_rows(rows), texts)
        ]

    problems.add_rows(bad_rows, describe)
