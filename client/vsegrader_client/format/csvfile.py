"""Reading a CSV upload into typed pyarrow columns, or explaining why it cannot be read.

The fast path is one multithreaded `pyarrow.csv.read_csv` over the raw bytes, with every
column's type given. Only when pyarrow refuses the file does `diagnose` look closer, to
name the first offending lines in words a student understands.
"""

from __future__ import annotations

import csv
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

Source = Union[bytes, bytearray, memoryview, str, os.PathLike, BinaryIO]  # py3.9: no `|`

BLOCK_SIZE = 1 << 20  # pyarrow's chunk size; a line must fit in one
MAX_HEADER_BYTES = 1 << 16
WHITESPACE = b" \t\r\n"
OTHER_SEPARATORS = {";": "';'", "\t": "tabs", "|": "'|'"}
PANDAS_INDEX_HINT = " (was a pandas index saved? Use to_csv(index=False))"


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
    start = _text_start(data)
    names, body_start = _read_header(data, start)
    _check_header(names, data[start:body_start], list(column_types), extra_columns)
    body_end = _content_end(data, body_start)
    lines = LineNumbers(data, body_start, body_end)
    body = pa.py_buffer(memoryview(data)[body_start:body_end])
    try:
        table = _arrow_read(body, names, column_types) if len(body) else _empty(column_types)
    except pa.ArrowException as error:
        diagnose(data[body_start:body_end], names, column_types, lines, error)
    quoted = data.find(b'"', body_start, body_end) != -1
    if one_row_per_line and quoted and not _one_row_per_line(data, table, lines):
        raise SubmissionInvalid([_MULTILINE])
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


def _text_start(data: bytes) -> int:
    """Where the UTF-8 text begins (after a BOM); raise if the bytes are not UTF-8 text."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise SubmissionInvalid(["The file must be UTF-8 encoded (found UTF-32)"])
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(head):
        raise SubmissionInvalid(["The file must be UTF-8 encoded (found UTF-16)"])
    start = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    if _content_end(data, start) == start:
        raise SubmissionInvalid(["The file is empty"])
    if b"\x00" in data[start : start + 4096]:
        raise SubmissionInvalid(["The file is not a CSV text file (it contains binary data)"])
    return start


def _looks_like_utf16(head: bytes) -> bool:
    """ASCII text saved as UTF-16 has a zero byte at every other position."""
    if len(head) < 4:
        return False
    even_zeros = head[0::2].count(0) / len(head[0::2])
    odd_zeros = head[1::2].count(0) / len(head[1::2])
    return max(even_zeros, odd_zeros) > 0.6 and min(even_zeros, odd_zeros) < 0.1


def _content_end(data: bytes, start: int) -> int:
    """The end of the data without trailing blank lines and spaces."""
    end = len(data)
    while end > start:  # in pieces: a file of only spaces must not cost a byte-by-byte loop
        piece_start = max(start, end - 4096)
        kept = data[piece_start:end].rstrip(WHITESPACE)
        if kept:
            return piece_start + len(kept)
        end = piece_start
    return start


def _read_header(data: bytes, start: int) -> tuple[list[str], int]:
    """Column names (spaces stripped) and the offset where line 2 begins."""
    end = _first_line_end(data, start)
    if end - start > MAX_HEADER_BYTES:
        raise SubmissionInvalid(["The first line (the header) is too long to be a header"])
    try:
        text = data[start:end].decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionInvalid([_not_utf8(1)]) from None
    if not text.strip():
        raise SubmissionInvalid(["The first line must be a header naming the columns"])
    names = [_column_name(name) for name in next(csv.reader([text], skipinitialspace=True), [])]
    next_line = end + 2 if data[end : end + 2] == b"\r\n" else end + 1
    return names, min(next_line, len(data))


def _column_name(field: str) -> str:
    """A header field without padding, also inside quotes: ' "y" ' and '" y"' name 'y'."""
    name = field.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('""', '"')
    return name.strip()


def _first_line_end(data: bytes, start: int) -> int:
    ends = [data.find(char, start, start + MAX_HEADER_BYTES + 1) for char in (b"\n", b"\r")]
    found = [end for end in ends if end != -1]
    return min(found) if found else len(data)


def _check_header(names: list[str], header: bytes, expected: list[str], extra_columns: str) -> None:
    problems = Problems()
    missing = [name for name in expected if name not in names]
    separator = _other_separator(header, names) if missing else None
    if separator:
        raise SubmissionInvalid(
            [f"Columns must be separated by commas; this file seems to use {separator}"]
        )
    for name in missing:
        problems.add(f"Required column {name!r} could not be found")
    first_position: dict[str, int] = {}  # names.index() would be quadratic in a long header
    for position, name in enumerate(names, start=1):
        if not name:
            hint = PANDAS_INDEX_HINT if position == 1 else ""
            problems.add(f"Column {position} of the header has no name{hint}")
        elif first_position.setdefault(name, position) != position:
            problems.add(f"Column {quote(name)} appears more than once")
        elif name not in expected and extra_columns == "reject":
            hint = PANDAS_INDEX_HINT if name.startswith("Unnamed: ") else ""
            problems.add(f"Unexpected column {quote(name)}{hint}")
    problems.raise_if_any()


def _other_separator(header: bytes, names: list[str]) -> str | None:
    text = header.decode("utf-8", errors="replace")
    for separator, description in OTHER_SEPARATORS.items():
        if separator in text and len(text.split(separator)) > len(names):
            return description
    return None


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


_MULTILINE = "A quoted value spans several lines; each row must be on one line"


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


def _not_utf8(line: int) -> str:
    return f"The file must be UTF-8 encoded (line {line} has bytes that are not UTF-8)"


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
        raise SubmissionInvalid([_not_utf8(lines.of_offset(error.start))]) from None


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
        raise SubmissionInvalid([_MULTILINE])
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
