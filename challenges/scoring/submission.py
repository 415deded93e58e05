"""Validating a student's CSV against the spec and the solution's ids.

Every check is vectorised; messages (and their line numbers) are worked out only for the
rows that failed. Messages quote the student's own file and the public spec, never the
solution's values.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from challenges.scoring.columns import arrow_type, read_ids, read_target
from challenges.scoring.csvfile import CsvTable, Source, read_csv
from challenges.scoring.errors import MAX_MESSAGES, Problems, quote
from challenges.scoring.ids import Alignment, duplicate_groups
from challenges.scoring.solution import Solution
from challenges.scoring.spec import SubmissionSpec


def validate_submission(source: Source, spec: SubmissionSpec, solution: Solution) -> np.ndarray:
    """The predictions aligned to the solution's rows (shaped like `solution.y`).

    Raise SubmissionInvalid listing what is wrong with the file.
    """
    _require_same_targets(spec, solution)
    csv = read_csv(source, _column_types(spec))
    problems = Problems()
    ids = read_ids(csv, spec.id_column, problems)
    alignment = solution.index.align(ids)
    if not alignment.same_order:
        _check_ids(ids, alignment.positions, solution, csv, problems)
    predictions = [read_target(csv, target, problems) for target in spec.targets]
    problems.raise_if_any()
    return _aligned(predictions, alignment)


def _require_same_targets(spec: SubmissionSpec, solution: Solution) -> None:
    if (spec.id_column, spec.targets) != (solution.spec.id_column, solution.spec.targets):
        raise ValueError("The solution was loaded for a different submission format")


def _column_types(spec: SubmissionSpec) -> dict[str, pa.DataType]:
    types = {spec.id_column: pa.string()}
    types.update({target.name: arrow_type(target) for target in spec.targets})
    return types


def _check_ids(ids, positions, solution: Solution, csv: CsvTable, problems: Problems) -> None:
    if len(ids) != solution.row_count:
        problems.add(f"Submission must have {solution.row_count} rows (found {len(ids)})")
    unknown = positions < 0
    if ids.null_count:
        unknown &= ~ids.is_null().to_numpy(zero_copy_only=False)
    _report_unknown(ids, np.flatnonzero(unknown), csv, problems)
    known = positions if positions.min(initial=0) >= 0 else positions[positions >= 0]
    counts = np.bincount(known, minlength=solution.row_count)
    if counts.max(initial=0) > 1:
        _report_duplicates(ids, int(np.count_nonzero(counts > 1)), csv, problems)
    _report_missing_ids(np.flatnonzero(counts == 0), solution, problems)


def _report_unknown(ids: pa.Array, rows: np.ndarray, csv: CsvTable, problems: Problems) -> None:
    def describe(rows: np.ndarray) -> list[str]:
        texts = ids.take(pa.array(rows)).to_pylist()
        return [
            f"Unknown id {quote(text)} on line {line}"
            for text, line in zip(texts, csv.lines.of_rows(rows), strict=True)
        ]

    problems.add_rows(rows, describe)


def _report_duplicates(ids: pa.Array, count: int, csv: CsvTable, problems: Problems) -> None:
    groups = duplicate_groups(ids, limit=MAX_MESSAGES)
    for text, rows in groups:
        problems.add(f"Duplicate id {quote(text)} on {csv.lines.describe(rows)}")
    problems.more += max(count - len(groups), 0)


def _report_missing_ids(rows: np.ndarray, solution: Solution, problems: Problems) -> None:
    if len(rows) == 0:
        return
    examples = ", ".join(quote(text) for text in solution.ids.take(pa.array(rows[:3])).to_pylist())
    if len(rows) == 1:
        problems.add(f"Missing ids: 1 id of the test set is absent: {examples}")
    else:
        problems.add(f"Missing ids: {len(rows)} ids of the test set are absent, e.g. {examples}")


def _aligned(predictions: list[np.ndarray], alignment: Alignment) -> np.ndarray:
    values = predictions[0] if len(predictions) == 1 else np.column_stack(predictions)
    if alignment.same_order:
        return values
    aligned = np.empty_like(values)
    aligned[alignment.positions] = values
    return aligned
