"""Checking a whole submission file against its format and, when known, the test set's ids.

Every check is vectorised; messages (and their line numbers) are worked out only for the
rows that failed. Messages quote the student's own file and the public format, never the
solution's values. The server scores what `check_file` returns; the client only wants to
know whether it raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vsegrader_client.format.columns import arrow_type, read_ids, read_target
from vsegrader_client.format.csvfile import CsvTable, Source, read_csv
from vsegrader_client.format.errors import (
    MAX_MESSAGES,
    Problems,
    SubmissionInvalid,
    quote,
    values_at,
)
from vsegrader_client.format.ids import Alignment, DuplicateIds, IdIndex, duplicate_groups
from vsegrader_client.format.spec import Target


@dataclass(frozen=True)
class CheckedFile:
    predictions: list[np.ndarray]  # one per target, in the file's order of rows
    alignment: Alignment | None  # where each row is in the test set; None: ids not known


def check_file(
    source: Source,
    id_column: str,
    targets: Sequence[Target],
    row_count: int,
    index: IdIndex | None = None,
    *,
    read: CsvTable | None = None,
) -> CheckedFile:
    """The file's predictions; raise SubmissionInvalid listing what is wrong with it.

    `index`: the test set's ids. Without it only the number of rows is checked, not the ids.
    `read`: `source` as read_csv read it with `column_types(id_column, targets)`, if it was.
    """
    csv = read or read_csv(source, column_types(id_column, targets))
    problems = Problems()
    ids = read_ids(csv, id_column, problems)
    alignment = index.align(ids) if index is not None else None
    if alignment is None:
        _check_row_count(row_count, len(ids), problems)
    elif not alignment.same_order:
        _check_ids(ids, alignment.positions, index, row_count, csv, problems)
    predictions = [read_target(csv, target, problems) for target in targets]
    problems.raise_if_any()
    return CheckedFile(predictions, alignment)


def column_types(id_column: str, targets: Sequence[Target]) -> dict[str, pa.DataType]:
    types = {id_column: pa.string()}
    types.update({target.name: arrow_type(target) for target in targets})
    return types


def id_index(ids: Sequence[str] | pa.Array | None) -> IdIndex | None:
    """The test set's ids (text, in the solution's order) ready for `check_file`."""
    if ids is None:
        return None
    array = ids if isinstance(ids, pa.Array) else pa.array(list(ids), pa.string())
    try:
        return IdIndex.build(array)
    except DuplicateIds:  # not a list of the test set's ids: leave them to the server
        return None


def sample_ids(source: Source, id_column: str, row_count: int) -> pa.Array | None:
    """The ids of a sample submission, if it lists `row_count` ids: on vsegrader every sample
    submission lists each test id once (the bundle reader checks it). That they are distinct
    is left to `id_index`, which finds a repeat as it builds (pyarrow's count_distinct took
    0.5 s on 1.25M ids, ten times the rest)."""
    try:
        csv = read_csv(
            source, {id_column: pa.string()}, extra_columns="ignore", one_row_per_line=False
        )
    except (SubmissionInvalid, pa.ArrowException):
        return None
    ids = pc.utf8_trim_whitespace(csv.table.column(id_column).combine_chunks())
    return None if ids.null_count or len(ids) != row_count else ids


def _check_row_count(row_count: int, found: int, problems: Problems) -> None:
    if found != row_count:
        problems.add(f"Submission must have {row_count} rows (found {found})")


def _check_ids(ids, positions, index: IdIndex, row_count, csv: CsvTable, problems) -> None:
    _check_row_count(row_count, len(ids), problems)
    unknown = positions < 0
    if ids.null_count:
        unknown &= ~ids.is_null().to_numpy(zero_copy_only=False)
    _report_unknown(ids, np.flatnonzero(unknown), csv, problems)
    known = positions if positions.min(initial=0) >= 0 else positions[positions >= 0]
    counts = np.bincount(known, minlength=len(index.ids))
    if counts.max(initial=0) > 1:
        _report_duplicates(ids, int(np.count_nonzero(counts > 1)), csv, problems)
    _report_missing_ids(np.flatnonzero(counts == 0), index.ids, problems)


def _report_unknown(ids: pa.Array, rows: np.ndarray, csv: CsvTable, problems: Problems) -> None:
    def describe(rows: np.ndarray) -> list[str]:
        texts = values_at(ids, rows)
        return [
            f"Unknown id {quote(text)} on line {line}"
            for text, line in zip(texts, csv.lines.of_rows(rows))
        ]

    problems.add_rows(rows, describe)


def _report_duplicates(ids: pa.Array, count: int, csv: CsvTable, problems: Problems) -> None:
    groups = duplicate_groups(ids, limit=MAX_MESSAGES)
    messages = [
        f"Duplicate id {quote(text)} on {csv.lines.describe(rows)}" for text, rows in groups
    ]
    problems.add_group(messages, count, "duplicate id")


def _report_missing_ids(rows: np.ndarray, expected: pa.Array, problems: Problems) -> None:
    if len(rows) == 0:
        return
    examples = ", ".join(quote(text) for text in values_at(expected, rows[:3]))
    if len(rows) == 1:
        problems.add(f"Missing ids: 1 id of the test set is absent: {examples}")
    else:
        problems.add(f"Missing ids: {len(rows)} ids of the test set are absent, e.g. {examples}")
