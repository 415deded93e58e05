"""The gradebook as CSV: the page's download, the API's ?format=csv and `exportgrades`.

The last column, `provisional`, names the challenges whose private board students do not
see yet: their marks (and every total built on them) may still change."""

import csv
import io

from challenges.boards.kaggle import neutralise
from vsegrader.course.gradebook import Gradebook, Row


def safe_cell(value) -> str:
    """Text a spreadsheet never runs as a formula: a leading = + - @ TAB or CR (also after
    spaces and quote marks) gets a '."""
    return neutralise("" if value is None else str(value))


def number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def csv_header(book: Gradebook) -> list[str]:
    return [
        "username",
        "last_name",
        "first_name",
        "email",
        "group",
        *(column.slug for column in book.columns),
        "challenge_points",
        "project_mark",
        "project_points",
        "final_points",
        "grade",
        "provisional",
    ]


def provisional_cell(book: Gradebook) -> str:
    return " ".join(column.slug for column in book.provisional)


def csv_row(book: Gradebook, row: Row) -> list[str]:
    text = [
        safe_cell(v) for v in (row.username, row.last_name, row.first_name, row.email, row.group)
    ]
    marks = [number(row.marks.get(column.slug), 4) for column in book.columns]
    totals = [
        number(row.challenge_points, 2),
        number(row.project_mark, 2),
        number(row.project_points, 2),
        number(row.final_points, 2),
        safe_cell(row.grade),
    ]
    return text + marks + totals + [provisional_cell(book)]


def csv_text(book: Gradebook, rows: list[Row] | None = None) -> str:
    """The gradebook as CSV (UTF-8 with a BOM, so that Excel reads the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_header(book))
    for row in book.rows if rows is None else rows:
        writer.writerow(csv_row(book, row))
    return "\ufeff" + buffer.getvalue()


def csv_error(message: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([["error"], [safe_cell(message)]])
    return buffer.getvalue()
