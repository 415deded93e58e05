"""Printing results: a table by default, CSV or JSON on request; a progress bar on stderr."""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from collections.abc import Sequence
from typing import Any, TextIO

PROGRESS_MIN_BYTES = 1024 * 1024  # smaller transfers finish before a bar would help
# The server's rule (challenges/kaggle.py): text a spreadsheet would run as a formula, even
# after leading spaces or quote marks, gets an apostrophe in front.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LEADING_SPACES_AND_QUOTES = re.compile(r"[\s\"']*")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return " ".join(cell(item) for item in value)  # ids: "7 3"
    return str(value)


def table(columns: Sequence[str], rows: Sequence[dict], out: TextIO) -> None:
    """Columns padded to their widest value under a dashed rule, like the kaggle CLI's."""
    texts = [[table_cell(row.get(column)) for column in columns] for row in rows]
    widths = [
        max([len(column), *(len(text[i]) for text in texts)]) for i, column in enumerate(columns)
    ]
    out.write(format_line(columns, widths))
    out.write(format_line(["-" * width for width in widths], widths))
    for text in texts:
        out.write(format_line(text, widths))


def table_cell(value: Any) -> str:
    text = cell(value)
    return short_date(text) if looks_like_datetime(text) else text


def format_line(values: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(value.ljust(width) for value, width in zip(values, widths)).rstrip() + "\n"


def looks_like_datetime(text: str) -> bool:
    return len(text) >= 19 and text[4] == "-" and text[10] == "T" and text[13] == ":"


def short_date(text: str) -> str:
    """'2023-03-15T17:00:00.123+01:00' -> '2023-03-15 17:00:00 UTC+01:00': the course's
    time, as the server sends it, with its offset named (CSV and JSON keep ISO 8601)."""
    offset = text[19:].lstrip(".0123456789")
    zone = " UTC" if offset == "Z" else f" UTC{offset}" if offset else ""
    return text[:10] + " " + text[11:19] + zone


def readable_time(text: str | None) -> str:
    """'2023-03-15T17:00:00+01:00' -> '2023-03-15 17:00 UTC+01:00'."""
    if not text or not looks_like_datetime(text):
        return text or "unknown"
    offset = text[19:].lstrip(".0123456789")
    zone = " UTC" if offset == "Z" else f" UTC{offset}" if offset else ""
    return f"{text[:10]} {text[11:16]}{zone}"


def write_csv(columns: Sequence[str], rows: Sequence[dict], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])


def csv_cell(value: Any) -> str:
    """Full precision for numbers: a CSV is read by programs, a table by people. Text that
    a spreadsheet would run as a formula (a team name such as `=HYPERLINK(…)`) is defused."""
    if isinstance(value, float):
        return repr(value)
    text = cell(value)
    if isinstance(value, str):
        core = text[LEADING_SPACES_AND_QUOTES.match(text).end() :]
        if text.startswith(FORMULA_STARTS) or core.startswith(FORMULA_STARTS):
            return "'" + text
    return text


def write_json(columns: Sequence[str], rows: Sequence[dict], out: TextIO) -> None:
    json.dump([record(columns, row) for row in rows], out, indent=2)
    out.write("\n")


def record(columns: Sequence[str], row: dict) -> dict:
    return {column: row.get(column) for column in columns}


FORMATS = {"table": table, "csv": write_csv, "json": write_json}


def show_record(columns: Sequence[str], row: dict, style: str, out: TextIO | None = None) -> None:
    """One record (a status, a submission) as CSV or JSON: a header and one row, or one
    object rather than a list of one."""
    out = out or sys.stdout
    if style == "json":
        json.dump(record(columns, row), out, indent=2)
        out.write("\n")
    else:
        write_csv(columns, [row], out)


def show(
    columns: Sequence[str], rows: Sequence[dict], style: str = "table", out: TextIO | None = None
) -> None:
    FORMATS[style](columns, rows, out or sys.stdout)


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


class Progress:
    """`label [#########.........]  45%  12.3 MB / 27.0 MB` redrawn in place on stderr.

    Shown only on a terminal and for transfers of at least PROGRESS_MIN_BYTES (or when
    `enabled` forces it), so that logs of scripts stay clean.
    """

    WIDTH = 30

    def __init__(
        self,
        label: str,
        total: int = 0,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        quiet: bool = False,
    ):
        self.label = label
        self.stream = stream or sys.stderr
        self.done = 0
        self._forced = enabled
        self._quiet = quiet
        self._drawn_at = 0.0
        self._drawn_width = 0
        self.start(total)

    def start(self, total: int) -> None:
        self.total = total
        enabled = self._forced
        if enabled is None:
            enabled = is_terminal(self.stream) and total >= PROGRESS_MIN_BYTES
        self.enabled = bool(enabled) and not self._quiet

    def update(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.enabled and (now - self._drawn_at >= 0.1 or self.done >= self.total):
            self._drawn_at = now
            text = self.render()
            self.stream.write("\r" + text.ljust(self._drawn_width))  # covers a longer last line
            self._drawn_width = len(text)
            self.stream.flush()

    def render(self) -> str:
        if not self.total:
            return f"{self.label}  {human_size(self.done)}"
        fraction = min(self.done / self.total, 1.0)
        filled = int(fraction * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        sizes = f"{human_size(min(self.done, self.total))} / {human_size(self.total)}"
        return f"{self.label} [{bar}] {fraction:4.0%}  {sizes}"

    def close(self) -> None:
        if self.enabled and self.done:
            self.stream.write("\n")
            self.stream.flush()


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
