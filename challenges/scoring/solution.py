"""A challenge's hidden answers, loaded once and reused for every submission.

Problems found here are the instructor's to fix, so they are ValueErrors (not
SubmissionInvalid) and may quote the solution's values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from vsegrader_client.format.columns import (
    LABEL_TYPE,
    arrow_type,
    label_codes,
    read_ids,
    read_target,
)
from vsegrader_client.format.csvfile import CsvTable, Source, read_csv
from vsegrader_client.format.errors import Problems, SubmissionInvalid
from vsegrader_client.format.ids import DuplicateIds, IdIndex
from vsegrader_client.format.spec import TARGET_KINDS

from challenges.scoring.metrics import Metric, get_metric
from challenges.scoring.spec import SubmissionSpec

USAGE_COLUMN = "Usage"
USAGES = ("Public", "Private", "Ignored")


@dataclass(frozen=True, eq=False)
class Solution:
    spec: SubmissionSpec
    ids: pa.Array  # text, spaces stripped, one per row
    y: np.ndarray  # (rows,) for one target, (rows, targets) for several; labels as codes
    public: np.ndarray  # bool masks over rows
    private: np.ndarray
    ignored: np.ndarray  # must be submitted, never scored
    index: IdIndex = field(repr=False)

    @property
    def row_count(self) -> int:
        return len(self.ids)

    # row numbers rather than masks: taking rows by number is several times faster
    @cached_property
    def public_rows(self) -> np.ndarray:
        return np.flatnonzero(self.public)

    @cached_property
    def private_rows(self) -> np.ndarray:
        return np.flatnonzero(self.private)


def load_solution(source: Source, spec: SubmissionSpec) -> Solution:
    """Read solution.csv (id, targets, Usage); raise ValueError if it cannot score anything."""
    metric = check_spec(spec)
    try:
        # an instructor's quoted multi-line value could only misnumber lines in our messages
        csv = read_csv(source, _column_types(spec), extra_columns="ignore", one_row_per_line=False)
    except SubmissionInvalid as error:
        raise ValueError(_broken(error.errors)) from None
    problems = Problems()
    ids = read_ids(csv, spec.id_column, problems)
    public, private, ignored = _usage_masks(csv, problems)
    scored = public | private
    y = _stack([read_target(csv, target, problems, checked=scored) for target in spec.targets])
    if metric.binary and not problems:
        _check_binary_truth(y, {"Public": public, "Private": private}, problems)
    _check_row_count(spec, len(ids), problems)
    index = _index(ids, csv, problems) if not ids.null_count else None
    if problems:
        raise ValueError(_broken(problems.messages, problems.more))
    return Solution(spec, ids, y, public, private, ignored, index)


def check_spec(spec: SubmissionSpec) -> Metric:
    """The spec's metric, if the spec is consistent; raise ValueError otherwise."""
    metric = get_metric(spec.metric)
    problems = [*_target_problems(spec), *_metric_problems(spec, metric)]
    if problems:
        raise ValueError("The submission format is inconsistent: " + "; ".join(problems))
    return metric


def _target_problems(spec: SubmissionSpec) -> list[str]:
    problems = []
    names = spec.columns
    if not spec.targets:
        problems.append("there must be at least one target column")
    if len(set(names)) != len(names) or USAGE_COLUMN in names:
        problems.append(f"column names must be distinct and not {USAGE_COLUMN!r}")
    for target in spec.targets:
        if target.kind not in TARGET_KINDS:
            problems.append(f"target {target.name!r} has an unknown type {target.kind!r}")
        if target.kind == "label" and len(set(target.labels)) < 2:
            problems.append(f"label target {target.name!r} needs at least two distinct labels")
    return problems


def _metric_problems(spec: SubmissionSpec, metric: Metric) -> list[str]:
    problems = []
    if len(spec.targets) > 1 and not metric.multi_column:
        problems.append(f"metric {metric.name!r} scores a single target column")
    kinds = ", ".join(sorted(metric.target_kinds))
    for target in spec.targets:
        if target.kind not in metric.target_kinds:
            problems.append(
                f"metric {metric.name!r} needs {kinds} targets; {target.name!r} is {target.kind}"
            )
    return problems


def _column_types(spec: SubmissionSpec) -> dict[str, pa.DataType]:
    types = {spec.id_column: pa.string()}
    types.update({target.name: arrow_type(target) for target in spec.targets})
    types[USAGE_COLUMN] = LABEL_TYPE
    return types


def _usage_masks(csv: CsvTable, problems: Problems) -> tuple[np.ndarray, ...]:
    column = csv.table.column(USAGE_COLUMN)
    codes = label_codes(column, USAGES)
    if (codes < 0).any():
        codes = label_codes(_lowercase(column), tuple(usage.lower() for usage in USAGES))
    bad = np.flatnonzero(codes < 0)

    def describe(rows: np.ndarray) -> list[str]:
        return [
            f"Column {USAGE_COLUMN!r} line {line}: must be Public, Private or Ignored"
            for line in csv.lines.of_rows(rows)
        ]

    problems.add_rows(bad, describe)
    return tuple(codes == code for code in range(len(USAGES)))


def _lowercase(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.dictionary_encode(pc.utf8_lower(pc.cast(column, pa.string())))


def _stack(columns: list[np.ndarray]) -> np.ndarray:
    return columns[0] if len(columns) == 1 else np.column_stack(columns)


def _check_binary_truth(y: np.ndarray, splits: dict[str, np.ndarray], problems: Problems) -> None:
    scored = splits["Public"] | splits["Private"]
    if not np.isin(y[scored], (0, 1)).all():
        problems.add("this metric needs targets of 0 or 1 in every Public and Private row")
        return
    for name, rows in splits.items():
        if rows.any() and len(np.unique(y[rows])) < 2:
            problems.add(f"the {name} rows must contain both classes, 0 and 1")


def _check_row_count(spec: SubmissionSpec, rows: int, problems: Problems) -> None:
    if spec.row_count and spec.row_count != rows:
        problems.add(f"the challenge expects {spec.row_count} rows but the file has {rows}")


def _index(ids: pa.Array, csv: CsvTable, problems: Problems) -> IdIndex | None:
    try:
        return IdIndex.build(ids)
    except DuplicateIds as error:
        for text, rows in error.groups:
            problems.add(f"Duplicate id {text!r} on {csv.lines.describe(rows)}")
        return None


def _broken(messages: list[str], more: int = 0) -> str:
    tail = f"; and {more} more" if more else ""
    return "The solution file is broken: " + "; ".join(messages) + tail
