"""The first checks of a submission file, in plain Python (no pyarrow, no numpy): the text
encoding, the header line and its column names. The server's reader (csvfile.py) and the
client's fallback without pyarrow (vsegrader_client/plain.py) both call these, so the
messages about encodings and headers have one home."""

from __future__ import annotations

import csv

from vsegrader_client.format.errors import Problems, SubmissionInvalid, quote

MAX_HEADER_BYTES = 1 << 16
WHITESPACE = b" \t\r\n"
OTHER_SEPARATORS = {";": "';'", "\t": "tabs", "|": "'|'"}
PANDAS_INDEX_HINT = " (was a pandas index saved? Use to_csv(index=False))"
MULTILINE = "A quoted value spans several lines; each row must be on one line"


def text_start(data: bytes) -> int:
    """Where the UTF-8 text begins (after a BOM); raise if the bytes are not UTF-8 text."""
    head = data[:4096]
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise SubmissionInvalid(["The file must be UTF-8 encoded (found UTF-32)"])
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or looks_like_utf16(head):
        raise SubmissionInvalid(["The file must be UTF-8 encoded (found UTF-16)"])
    start = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    if content_end(data, start) == start:
        raise SubmissionInvalid(["The file is empty"])
    if b"\x00" in data[start : start + 4096]:
        raise SubmissionInvalid(["The file is not a CSV text file (it contains binary data)"])
    return start


def looks_like_utf16(head: bytes) -> bool:
    """ASCII text saved as UTF-16 has a zero byte at every other position."""
    if len(head) < 4:
        return False
    even_zeros = head[0::2].count(0) / len(head[0::2])
    odd_zeros = head[1::2].count(0) / len(head[1::2])
    return max(even_zeros, odd_zeros) > 0.6 and min(even_zeros, odd_zeros) < 0.1


def content_end(data: bytes, start: int) -> int:
    """The end of the data without trailing blank lines and spaces."""
    end = len(data)
    while end > start:  # in pieces: a file of only spaces must not cost a byte-by-byte loop
        piece_start = max(start, end - 4096)
        kept = data[piece_start:end].rstrip(WHITESPACE)
        if kept:
            return piece_start + len(kept)
        end = piece_start
    return start


def read_header(data: bytes, start: int) -> tuple[list[str], int]:
    """Column names (spaces stripped) and the offset where line 2 begins."""
    end = first_line_end(data, start)
    if end - start > MAX_HEADER_BYTES:
        raise SubmissionInvalid(["The first line (the header) is too long to be a header"])
    try:
        text = data[start:end].decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionInvalid([not_utf8(1)]) from None
    if not text.strip():
        raise SubmissionInvalid(["The first line must be a header naming the columns"])
    names = [column_name(name) for name in next(csv.reader([text], skipinitialspace=True), [])]
    next_line = end + 2 if data[end : end + 2] == b"\r\n" else end + 1
    return names, min(next_line, len(data))


def column_name(field: str) -> str:
    """A header field without padding, also inside quotes: ' "y" ' and '" y"' name 'y'."""
    name = field.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('""', '"')
    return name.strip()


def first_line_end(data: bytes, start: int) -> int:
    ends = [data.find(char, start, start + MAX_HEADER_BYTES + 1) for char in (b"\n", b"\r")]
    found = [end for end in ends if end != -1]
    return min(found) if found else len(data)


def check_header(
    names: list[str], header: bytes, expected: list[str], extra_columns: str = "reject"
) -> None:
    problems = Problems()
    missing = [name for name in expected if name not in names]
    separator = other_separator(header, names) if missing else None
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


def other_separator(header: bytes, names: list[str]) -> str | None:
    text = header.decode("utf-8", errors="replace")
    for separator, description in OTHER_SEPARATORS.items():
        if separator in text and len(text.split(separator)) > len(names):
            return description
    return None


def not_utf8(line: int) -> str:
    return f"The file must be UTF-8 encoded (line {line} has bytes that are not UTF-8)"
