"""Reading a CSV upload into typed pyarrow columns, or explaining why it cannot be read.

The fast path is one multithreaded `pyarrow.csv.read_csv` over the raw bytes, with every
column's type given. Only when pyarrow refuses the file does `diagnose` look closer, to
name the first offending lines in words a student understands (format/diagnosis.py).
"""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from typing import BinaryIO, Literal, Union

import numpy as np
import pyarrow as pa
import pyarrow.csv as pv

from vsegrader_client.format.errors import SubmissionInvalid
from vsegrader_client.format.lines import CR, LF, LineNumbers
from vsegrader_client.format.text import (
    MULTILINE,
    check_header,
    content_end,
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
        table = arrow_read(body, names, column_types) if len(body) else _empty(column_types)
    except pa.ArrowException as error:
        from vsegrader_client.format.diagnosis import diagnose  # pyarrow.compute: 0.05 s

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


def arrow_read(
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
