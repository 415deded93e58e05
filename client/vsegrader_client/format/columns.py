"""Typed CSV columns → numpy arrays, with a message for every value that cannot be scored.

Shared by submissions and solutions; a solution checks only its scored rows (`checked`).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vsegrader_client.format.csvfile import CsvTable
from vsegrader_client.format.errors import Problems, quote
from vsegrader_client.format.spec import Target

MISSING = -1  # label code of an empty cell
UNKNOWN = -2  # label code of a value that is not one of the labels
LABEL_TYPE = pa.dictionary(pa.int32(), pa.string())
MAX_MAGNITUDE = 1e100  # a float target's limit: (2e100)² still leaves room for any mean
TOO_LARGE = "is too large to score (numbers must lie between -1e100 and 1e100)"


def arrow_type(target: Target) -> pa.DataType:
    return LABEL_TYPE if target.kind == "label" else pa.float64()


def read_ids(csv: CsvTable, name: str, problems: Problems) -> pa.Array:
    """The id column as text, spaces stripped; an empty id is reported and stays null."""
    ids = csv.table.column(name).combine_chunks()
    if csv.has_padding:
        ids = pc.utf8_trim_whitespace(ids)
    if ids.null_count:
        _report_missing(name, ids.is_null().to_numpy(zero_copy_only=False), csv, problems)
    return ids


def read_target(
    csv: CsvTable, target: Target, problems: Problems, checked: np.ndarray | None = None
) -> np.ndarray:
    """Float targets as float64; label targets as codes into `target.labels`."""
    column = csv.table.column(target.name)
    if target.kind == "label":
        codes = label_codes(column, target.labels)
        _check_labels(target, codes, column, csv, problems, checked)
        return codes
    values = column.to_numpy()
    _check_numbers(target, values, column, csv, problems, checked)
    return values


def label_codes(column: pa.ChunkedArray, labels: tuple[str, ...]) -> np.ndarray:
    """Each row's index into `labels` (spaces stripped), or MISSING / UNKNOWN."""
    allowed = pa.array([label.strip() for label in labels], pa.string())
    code_type = np.int8 if len(labels) < 127 else np.int32  # small codes compare faster
    codes = [_chunk_codes(chunk, allowed).astype(code_type, copy=False) for chunk in column.chunks]
    return np.concatenate(codes) if codes else np.empty(0, dtype=code_type)


def _chunk_codes(chunk: pa.DictionaryArray, allowed: pa.Array) -> np.ndarray:
    """Codes of one chunk: look up each distinct value once, then index by row."""
    distinct = pc.index_in(pc.utf8_trim_whitespace(chunk.dictionary), value_set=allowed)
    # the extra last entry is where empty cells (null indices) point
    lookup = np.append(distinct.fill_null(UNKNOWN).to_numpy(zero_copy_only=False), MISSING)
    indices = chunk.indices
    if indices.null_count:
        indices = indices.fill_null(len(lookup) - 1)
    return lookup.take(indices.to_numpy(zero_copy_only=False))


def _check_labels(target, codes, column, csv, problems, checked) -> None:
    _report_missing(target.name, _only(codes == MISSING, checked), csv, problems)
    unknown = _only(codes == UNKNOWN, checked)
    if not unknown.any():
        return
    allowed = ", ".join(target.labels)

    def describe(rows: np.ndarray) -> list[str]:
        texts = _texts(column, rows)
        return [
            f"Column {target.name!r} line {line}: {quote(text.strip())} is not one of the "
            f"allowed labels {allowed}"
            for line, text in zip(csv.lines.of_rows(rows), texts)
        ]

    problems.add_rows(np.flatnonzero(unknown), describe)


def _check_numbers(target, values, column, csv, problems, checked) -> None:
    missing = column.is_null().to_numpy() if column.null_count else np.zeros(len(values), bool)
    _report_missing(target.name, _only(missing, checked), csv, problems)
    finite = np.isfinite(values)
    if not finite.all():
        nan = np.isnan(values) & ~missing
        _report_rows(target.name, _only(nan, checked), "NaN is not allowed", csv, problems)
        infinite = _only(~finite & ~np.isnan(values), checked)
        _report_rows(target.name, infinite, "infinity is not allowed", csv, problems)
    if target.kind == "probability":
        _check_probabilities(target.name, values, _only(finite, checked), csv, problems)
    else:
        _check_magnitudes(target.name, values, _only(finite, checked), csv, problems)


def _check_magnitudes(name, values, finite, csv, problems) -> None:
    """Finite numbers so large that a squared error would overflow to an infinite score."""
    if len(values) == 0 or (finite.all() and max(values.max(), -values.min()) <= MAX_MAGNITUDE):
        return
    too_large = finite & (np.abs(values) > MAX_MAGNITUDE)

    def describe(rows: np.ndarray) -> list[str]:
        return [
            f"Column {name!r} line {line}: {float(values[row])!r} {TOO_LARGE}"
            for row, line in zip(rows.tolist(), csv.lines.of_rows(rows))
        ]

    problems.add_rows(np.flatnonzero(too_large), describe)


def _check_probabilities(name, values, finite, csv, problems) -> None:
    outside = np.zeros(len(values), dtype=bool)
    outside[finite] = (values[finite] < 0) | (values[finite] > 1)
    if not outside.any():
        return

    def describe(rows: np.ndarray) -> list[str]:
        return [
            f"Column {name!r} line {line}: {float(values[row])!r} is not a probability "
            "between 0 and 1"
            for row, line in zip(rows.tolist(), csv.lines.of_rows(rows))
        ]

    problems.add_rows(np.flatnonzero(outside), describe)


def _report_missing(name: str, missing: np.ndarray, csv: CsvTable, problems: Problems) -> None:
    _report_rows(name, missing, "missing value", csv, problems)


def _report_rows(name, rows_mask, problem: str, csv: CsvTable, problems: Problems) -> None:
    if not rows_mask.any():
        return

    def describe(rows: np.ndarray) -> list[str]:
        return [f"Column {name!r} line {line}: {problem}" for line in csv.lines.of_rows(rows)]

    problems.add_rows(np.flatnonzero(rows_mask), describe)


def _only(mask: np.ndarray, checked: np.ndarray | None) -> np.ndarray:
    return mask if checked is None else mask & checked


def _texts(column: pa.ChunkedArray, rows: np.ndarray) -> list[str]:
    return pc.cast(column.take(rows.tolist()), pa.string()).to_pylist()  # see values_at
