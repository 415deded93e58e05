"""The local check in plain Python, for when pyarrow is not installed.

The encoding and header checks are the server's own (vsegrader_client/format/text.py, pure
Python); the rest repeats the server's check (vsegrader_client/format, which
challenges/scoring imports) in the same order and with the same wording, so that a file
refused here would have failed there. tests/test_cli_checks.py and
tests/test_hostile_files.py run both on the same files and compare the messages: keep the
two in step. vsegrader_client.checks chooses the path.
"""

from __future__ import annotations

import csv
import gc
import io
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vsegrader_client.format.spec import Target
from vsegrader_client.format.text import (
    MULTILINE,
    check_header,
    content_end,
    not_utf8,
    read_header,
    text_start,
)
from vsegrader_client.problems import (
    MAX_MESSAGES,
    CannotTell,
    FileRefused,
    Problems,
    plural,
    quote,
)

if TYPE_CHECKING:
    from vsegrader_client.checks import Spec

MAX_LINE_BYTES = 1 << 19  # from here the server's messages depend on its CSV reader's blocks
NUMBER = re.compile(
    r"(?i)^[ \t]*[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?|inf|infinity|nan)[ \t]*$"
)
FLOAT_KINDS = ("float", "probability")
MAX_MAGNITUDE = 1e100  # as vsegrader_client/format/columns.py
TOO_LARGE = "is too large to score (numbers must lie between -1e100 and 1e100)"


@dataclass
class Table:
    names: list[str]  # the header
    lines: list[int]  # the file line of each row
    rows: list[list[str]]
    has_padding: bool

    def column(self, name: str) -> list[str]:
        """Built once per column: a 1.25M-row file has its columns read several times."""
        cache = self.__dict__.setdefault("_columns", {})
        if name not in cache:
            index = self.names.index(name)
            cache[name] = [row[index] for row in self.rows]
        return cache[name]


def check_plain(data: bytes, spec: Spec, expected_ids: Sequence[str] | None = None) -> None:
    """The check in plain Python. The garbage collector is paused meanwhile: millions of
    small lists would trigger it over and over (it costs more than the checks themselves),
    and none of them form cycles."""
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
    try:
        table = read_table(data, spec)
    except CannotTell:
        return
    problems = Problems()
    ids = read_ids(table, spec.id_column, problems)
    check_ids(ids, table, spec.row_count, expected_ids, problems)
    for target in spec.targets:
        check_target(table, target, problems)
    problems.raise_if_any()


# --- reading (vsegrader_client/format/csvfile.py) ---------------------------------------


def read_table(data: bytes, spec: Spec) -> Table:
    start = text_start(data)
    names, body_start = read_header(data, start)
    check_header(names, data[start:body_start], spec.columns)
    body_end = content_end(data, start)
    body = data[body_start : max(body_end, body_start)]
    if max(map(len, body.splitlines()), default=0) >= MAX_LINE_BYTES:
        raise CannotTell("a line too long for the server's fast reader")
    # pyarrow skips a byte-order mark where the rows begin, as at the start of the file
    records = parse_records(decode_body(body).removeprefix("\ufeff"), len(names))
    table = Table(
        names=names,
        lines=[line for line, _ in records],
        rows=[fields for _, fields in records],
        has_padding=b" " in body or b"\t" in body,
    )
    check_number_texts(table, [t.name for t in spec.targets if t.kind in FLOAT_KINDS])
    return table


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


def parse_records(text: str, width: int) -> list[tuple[int, list[str]]]:
    """(file line, fields) of each row; empty lines are skipped, as pyarrow skips them.
    Rows that span lines, then rows with the wrong number of fields, are refused, in the
    server's order."""
    fast = split_plain(text)
    records = fast if fast is not None else read_quoted(text)
    problems = Problems()
    for line, fields in records:
        if len(fields) != width:
            columns = plural(len(fields), "column")
            problems.add(f"Line {line} has {len(fields)} {columns}; expected {width}")
    problems.raise_if_any()
    return records


def split_plain(text: str) -> list[tuple[int, list[str]]] | None:
    """The common case at C speed: no quotes, no lone carriage returns, no NUL. None: read
    it with the csv module instead."""
    if '"' in text or "\x00" in text:
        return None
    text = text.replace("\r\n", "\n")
    if "\r" in text:
        return None
    return [(number, line.split(",")) for number, line in enumerate(text.split("\n"), 2) if line]


def read_quoted(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    records, spans, consumed = [], False, 0
    try:
        for fields in reader:
            if fields:
                records.append((2 + consumed, fields))
                spans = spans or reader.line_num - consumed > 1
            consumed = reader.line_num
    except csv.Error as error:  # e.g. a field over the csv module's size limit
        raise CannotTell(str(error)) from None
    if spans:  # before the column counts: the server cannot number lines past such a row
        raise FileRefused([MULTILINE])
    return records


def check_number_texts(table: Table, float_columns: list[str]) -> None:
    """What the server says when its CSV reader refuses a value in a number column."""
    problems = Problems()
    for name in float_columns:
        texts = table.column(name)
        bad = [row for row, text in enumerate(texts) if text and not NUMBER.match(text)]

        def describe(row: int, name=name, texts=texts) -> str:
            text = texts[row]
            problem = "missing value" if not text.strip() else f"{quote(text)} is not a number"
            return f"Column {name!r} line {table.lines[row]}: {problem}"

        problems.add_rows(bad, describe)
    problems.raise_if_any()


# --- ids and values (vsegrader_client/format/columns.py and check.py) --------------------


def read_ids(table: Table, name: str, problems: Problems) -> list[str | None]:
    """The ids as text (stripped when the file has padding); an empty id is None."""
    raw = table.column(name)
    ids = [None if text == "" else (text.strip() if table.has_padding else text) for text in raw]
    report_rows(
        name,
        [row for row, value in enumerate(ids) if value is None],
        "missing value",
        table,
        problems,
    )
    return ids


def check_ids(ids, table: Table, row_count: int, expected, problems: Problems) -> None:
    if expected is not None and ids == list(expected):
        return
    if len(ids) != row_count:
        problems.add(f"Submission must have {row_count} rows (found {len(ids)})")
    if expected is None:
        return
    known = set(expected)
    unknown = [row for row, value in enumerate(ids) if value not in known and value is not None]
    problems.add_rows(
        unknown, lambda row: f"Unknown id {quote(ids[row])} on line {table.lines[row]}"
    )
    present = set(ids)
    repeated = 0
    if len(present) < len(ids):  # a Counter only when some value appears twice
        counts = Counter(ids)
        repeated = sum(1 for value, count in counts.items() if count > 1 and value in known)
    if repeated:
        report_duplicates(ids, repeated, table, problems)
    report_missing_ids([value for value in expected if value not in present], problems)


def report_duplicates(ids, repeated: int, table: Table, problems: Problems) -> None:
    rows_of: dict[str, list[int]] = {}
    for row, value in enumerate(ids):
        if value is not None:
            rows_of.setdefault(value, []).append(row)
    groups = [(value, rows) for value, rows in rows_of.items() if len(rows) > 1][:MAX_MESSAGES]
    for value, rows in groups:
        problems.messages.append(f"Duplicate id {quote(value)} on {describe_lines(table, rows)}")
    problems.more += max(repeated - len(groups), 0)
    problems.count("duplicate id", repeated)


def describe_lines(table: Table, rows: list[int], shown: int = 5) -> str:
    lines = [str(table.lines[row]) for row in rows[:shown]]
    if len(rows) > shown:
        return "lines " + ", ".join(lines) + f" and {len(rows) - shown} more lines"
    if len(lines) == 1:
        return "line " + lines[0]
    return "lines " + ", ".join(lines[:-1]) + " and " + lines[-1]


def report_missing_ids(missing: list[str], problems: Problems) -> None:
    if not missing:
        return
    examples = ", ".join(quote(value) for value in missing[:3])
    if len(missing) == 1:
        problems.add(f"Missing ids: 1 id of the test set is absent: {examples}")
    else:
        problems.add(f"Missing ids: {len(missing)} ids of the test set are absent, e.g. {examples}")


def check_target(table: Table, target: Target, problems: Problems) -> None:
    texts = table.column(target.name)
    missing = [row for row, text in enumerate(texts) if text == ""]
    report_rows(target.name, missing, "missing value", table, problems)
    if target.kind == "label":
        check_labels(target, texts, table, problems)
    else:
        check_numbers(target, texts, table, problems)


def check_labels(target: Target, texts: list[str], table: Table, problems: Problems) -> None:
    allowed = {label.strip() for label in target.labels}
    unknown = [row for row, text in enumerate(texts) if text and text.strip() not in allowed]
    listed = ", ".join(target.labels)
    problems.add_rows(
        unknown,
        lambda row: (
            f"Column {target.name!r} line {table.lines[row]}: "
            f"{quote(texts[row].strip())} is not one of the allowed labels {listed}"
        ),
    )


def check_numbers(target: Target, texts: list[str], table: Table, problems: Problems) -> None:
    values = [float(text) if text else None for text in texts]
    probability = target.kind == "probability"
    low, high = (0.0, 1.0) if probability else (-MAX_MAGNITUDE, MAX_MAGNITUDE)
    # one pass over every value; NaN fails both comparisons, so it is among the odd ones
    odd = [
        row for row, value in enumerate(values) if value is not None and not low <= value <= high
    ]
    nan = [row for row in odd if math.isnan(values[row])]
    report_rows(target.name, nan, "NaN is not allowed", table, problems)
    infinite = [row for row in odd if math.isinf(values[row])]
    report_rows(target.name, infinite, "infinity is not allowed", table, problems)
    outside = [row for row in odd if math.isfinite(values[row])]
    problem = "is not a probability between 0 and 1" if probability else TOO_LARGE
    problems.add_rows(
        outside,
        lambda row: f"Column {target.name!r} line {table.lines[row]}: {values[row]!r} {problem}",
    )


def report_rows(name: str, rows: list[int], problem: str, table: Table, problems) -> None:
    problems.add_rows(rows, lambda row: f"Column {name!r} line {table.lines[row]}: {problem}")
