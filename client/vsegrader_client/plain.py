"""The local check in plain Python, for when pyarrow is not installed (and for small files,
where importing pyarrow would take longer than the check).

The encoding and header checks are the server's own (vsegrader_client/format/text.py, pure
Python); the rest repeats the server's check (vsegrader_client/format, which
challenges/scoring imports) in the same order and with the same wording, so that a file
refused here would have failed there. tests/test_cli_checks.py and
tests/test_hostile_files.py run both on the same files and compare the messages: keep the
two in step. vsegrader_client.checks chooses the path.

The rows are read in blocks of BLOCK_ROWS and checked block by block
(vsegrader_client/plain_rows.py): no table of the whole file is built, and each check runs
over a block's column with the interpreter's C loops (set lookups, `map(float, ...)`).
"""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Iterator, Sequence
from itertools import repeat
from typing import TYPE_CHECKING

from vsegrader_client.format.text import (
    MULTILINE,
    check_header,
    content_end,
    not_utf8,
    read_header,
    text_start,
)
from vsegrader_client.plain_rows import Block, Scan
from vsegrader_client.problems import CannotTell, FileRefused

if TYPE_CHECKING:
    from vsegrader_client.checks import Spec

MAX_LINE_BYTES = 1 << 19  # from here the server's messages depend on its CSV reader's blocks
BLOCK_ROWS = 1 << 15
BLOCK_CHARS = 1 << 20


def check_plain(data: bytes, spec: Spec, expected_ids: Sequence[str] | None = None) -> None:
    """The check in plain Python. The garbage collector is paused meanwhile: a block's many
    small lists would trigger it over and over, and none of them form cycles."""
    paused = gc.isenabled()
    gc.disable()
    try:
        check_data(data, spec, expected_ids)
    finally:
        if paused:
            gc.enable()


def check_data(data: bytes, spec: Spec, expected_ids: Sequence[str] | None) -> None:
    if not data:
        raise FileRefused(["The file is empty."])
    start = text_start(data)
    names, body_start = read_header(data, start)
    check_header(names, data[start:body_start], spec.columns)
    body = data[body_start : max(content_end(data, start), body_start)]
    try:
        refuse_long_lines(body)
    except CannotTell:
        return
    # pyarrow skips a byte-order mark where the rows begin, as at the start of the file
    text = decode_body(body).removeprefix("\ufeff")
    scan = Scan(spec, names, expected_ids, has_padding=b" " in body or b"\t" in body)
    try:
        for block in blocks(text):
            scan.add(block)
    except CannotTell:
        return
    scan.raise_if_refused(lambda: blocks(text))


# --- reading (vsegrader_client/format/csvfile.py) ---------------------------------------


def refuse_long_lines(body: bytes) -> None:
    """CannotTell if a line is too long for the server's fast reader. Lines are measured
    only if some window of half that length has no line end: a line of MAX_LINE_BYTES or
    more covers a whole such window."""
    half = MAX_LINE_BYTES // 2
    for start in range(0, len(body) - half + 1, half):
        end = start + half
        if body.find(b"\n", start, end) == -1 and body.find(b"\r", start, end) == -1:
            if max(map(len, body.splitlines())) >= MAX_LINE_BYTES:
                raise CannotTell("a line too long for the server's fast reader")
            return


def decode_body(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileRefused([not_utf8(line_of_offset(body, error.start))]) from None


def line_of_offset(body: bytes, offset: int) -> int:
    """The file line holding byte `offset` of the body (line 2 is the first after the header)."""
    before = body[:offset]
    lone_cr = before.count(b"\r") - before.count(b"\r\n")
    return 2 + before.count(b"\n") + lone_cr


def blocks(text: str) -> Iterator[Block]:
    """The rows after the header, BLOCK_ROWS or so at a time, each with its file line;
    empty lines are skipped, as pyarrow skips them. A quoted value that spans lines is
    refused (FileRefused with MULTILINE) once every row is read, as the server refuses it
    before anything else."""
    if '"' in text or "\x00" in text:
        return quoted_blocks(text)
    unix = text.replace("\r\n", "\n")
    if "\r" in unix:
        return quoted_blocks(text)
    return split_blocks(unix)


def split_blocks(text: str) -> Iterator[Block]:
    """The common case at C speed: no quotes, no lone carriage returns, no NUL."""
    line, position = 2, 0
    while position < len(text):
        end = text.find("\n", position + BLOCK_CHARS)
        end = len(text) if end == -1 else end
        pieces = text[position:end].split("\n")
        count = len(pieces)
        if "" in pieces:
            lines = [line + i for i, piece in enumerate(pieces) if piece]
            pieces = [piece for piece in pieces if piece]
        else:
            lines = range(line, line + len(pieces))
        yield Block(lines, list(map(str.split, pieces, repeat(","))))
        line += count
        position = end + 1


def quoted_blocks(text: str) -> Iterator[Block]:
    reader = csv.reader(io.StringIO(text, newline=""))
    lines, rows, spans, consumed = [], [], False, 0
    try:
        for fields in reader:
            if fields:
                lines.append(2 + consumed)
                rows.append(fields)
                spans = spans or reader.line_num - consumed > 1
            consumed = reader.line_num
            if len(rows) >= BLOCK_ROWS:
                yield Block(lines, rows)
                lines, rows = [], []
    except csv.Error as error:  # e.g. a field over the csv module's size limit
        raise CannotTell(str(error)) from None
    if spans:  # before the column counts: the server cannot number lines past such a row
        raise FileRefused([MULTILINE])
    if rows:
        yield Block(lines, rows)
