"""Read a challenge bundle (folder or .zip) into a `Bundle`, or explain every problem in it.

Every check adds a message to one list, so an instructor fixes a bundle in one round: each
message names the file (and line, where there is one) and says what to write instead.
"""

from __future__ import annotations

import csv
import shutil
import string
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv
from vsegrader_client.format.columns import MAX_MAGNITUDE
from vsegrader_client.format.spec import Target

from challenges.bundles.format import Bundle, BundleError
from challenges.bundles.metadata import BINARY_METRICS, TOML, read_metadata
from challenges.bundles.safety import (
    check_no_answers_in_public_csvs,
    check_no_copy_of_solution,
    check_no_symlinks,
    extract_safely,
)
from challenges.scoring.spec import SubmissionSpec

__all__ = ["extract_zip", "is_sample_name", "read_bundle"]

USAGES = ("Public", "Private", "Ignored")
SOLUTION = "solution.csv"
INCLASS_HINT = (
    "this looks like a Kaggle InClass export (solution.csv, no challenge.toml): to import it "
    "as one, give its metric and deadline (importchallenge PATH --metric … --deadline …)"
)


def read_bundle(path: str | Path, *, extract_to: Path | None = None) -> Bundle:
    """Read and validate a bundle folder or .zip; raise `BundleError` listing every problem.

    A zip is extracted into `extract_to` (default: a new temporary folder, which the caller
    owns and may delete once the bundle's files are copied; it is deleted here if the bundle
    is refused); `Bundle.root` points there.
    """
    path = Path(path)
    if not path.exists():
        raise BundleError([f"{path}: no such file or folder"])
    if path.is_dir():
        return _read_valid_folder(path)
    root = extract_zip(path, extract_to)
    try:
        return _read_valid_folder(root)
    except BundleError:
        if extract_to is None:
            shutil.rmtree(root, ignore_errors=True)
        raise


def _read_valid_folder(root: Path) -> Bundle:
    errors: list[str] = []
    root = _find_bundle_root(root)
    bundle = _read_folder(root, errors)
    if errors or bundle is None:
        if (root / SOLUTION).is_file() and not (root / TOML).exists():
            errors.append(INCLASS_HINT)
        raise BundleError(errors)
    return bundle


# --- zip ------------------------------------------------------------------------------


def extract_zip(path: Path, extract_to: Path | None) -> Path:
    """Unpack a zip safely into `extract_to` (default: a new temporary folder, removed again
    if the zip is refused): no member outside it, no links, within the size limits."""
    if not zipfile.is_zipfile(path):
        raise BundleError([f"{path.name}: not a folder or a .zip file"])
    with zipfile.ZipFile(path) as archive:
        unsafe = [name for name in archive.namelist() if not _is_safe_member(name)]
    if unsafe:
        raise BundleError(
            [
                f"{path.name}: member '{name}' would be written outside the bundle folder; "
                "zip the bundle folder's contents with relative paths"
                for name in unsafe
            ]
        )
    target = extract_to or Path(tempfile.mkdtemp(prefix="vsegrader-bundle-"))
    try:
        extract_safely(path, target)
    except BundleError:
        if extract_to is None:
            shutil.rmtree(target, ignore_errors=True)
        raise
    return target


def _is_safe_member(name: str) -> bool:
    normalised = name.replace("\\", "/")
    parts = PurePosixPath(normalised).parts
    has_drive = len(normalised) > 1 and normalised[1] == ":"
    return not (normalised.startswith("/") or has_drive or ".." in parts)


def _find_bundle_root(root: Path) -> Path:
    """A zip made by zipping the bundle folder itself holds one folder with the bundle in it."""
    if (root / TOML).exists():
        return root
    folders = [p for p in root.iterdir() if p.is_dir() and p.name != "__MACOSX"]
    if len(folders) == 1 and (folders[0] / TOML).exists():
        return folders[0]
    return root


# --- the folder ------------------------------------------------------------------------


def _read_folder(root: Path, errors: list[str]) -> Bundle | None:
    check_no_symlinks(root, errors)
    if errors:
        return None  # a link may point anywhere: nothing in the bundle is read
    meta = read_metadata(root, errors)
    description = _read_description(root, errors)
    has_public = _check_public_folder(root, errors)
    if meta is None:
        return None
    if has_public:
        _check_preview(root / "public", meta, errors)
    spec = meta["spec"]
    if not meta["columns_known"]:
        return None  # without the columns, solution.csv cannot be checked
    solution = _read_solution(root / SOLUTION, spec, errors)
    if solution is not None and has_public:
        _check_sample_submission(root / "public", spec, solution, errors)
        _check_no_answers(root, spec, solution, errors)
    if errors or solution is None:
        return None
    return Bundle(
        root=root,
        slug=meta["slug"],
        title=meta["title"],
        subtitle=meta["subtitle"],
        description_md=description,
        deadline=meta["deadline"],
        spec=SubmissionSpec(spec.id_column, spec.targets, spec.metric, solution.num_rows),
        limits=meta["limits"],
        grading=meta["grading"],
        facts=meta["facts"],
        preview=meta["preview"],
        preview_source=meta["preview_source"],
        preview_files=meta["preview_files"],
    )


def _read_description(root: Path, errors: list[str]) -> str:
    path = root / "description.md"
    if not path.is_file():
        errors.append("description.md is missing; write the challenge page there, in Markdown")
        return ""
    text = path.read_text(encoding="utf-8-sig")
    if not text.strip():
        errors.append("description.md is empty; write the challenge page there, in Markdown")
    return text


def _check_public_folder(root: Path, errors: list[str]) -> bool:
    public = root / "public"
    if not public.is_dir():
        errors.append(
            "public/ folder is missing; put what students download there "
            "(train data, test inputs, sample_submission.csv)"
        )
        return False
    if (public / SOLUTION).exists():
        errors.append("public/solution.csv would let students download the answers; move it up")
    return True


# --- CSV files ---------------------------------------------------------------------------


def _read_csv_as_text(path: Path, shown: str, errors: list[str]) -> pa.Table | None:
    """Every column as text, so ids like '007' keep their zeros and bad numbers get a line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
        types = {name: pa.string() for name in header}
        return pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False),
        )
    except (OSError, UnicodeDecodeError, pa.ArrowInvalid) as error:
        errors.append(f"{shown}: cannot be read as CSV: {error}")
        return None


def _report_rows(bad: np.ndarray, shown: str, message: str, values: pa.Array) -> str:
    """One message for the first bad row (lines count the header as line 1), plus a count."""
    rows = np.flatnonzero(bad)
    first = int(rows[0])
    more = f" (and {len(rows) - 1} more rows)" if len(rows) > 1 else ""
    return f"{shown} line {first + 2}: {message.format(value=values[first].as_py())}{more}"


def _read_solution(path: Path, spec: SubmissionSpec, errors: list[str]) -> pa.Table | None:
    if not path.is_file():
        errors.append(
            f"{SOLUTION} is missing; it holds the hidden answers: {', '.join(spec.columns)}, Usage"
        )
        return None
    table = _read_csv_as_text(path, SOLUTION, errors)
    if table is None or not _has_columns(table, (*spec.columns, "Usage"), SOLUTION, errors):
        return None
    if table.num_rows == 0:
        errors.append(f"{SOLUTION} has no rows")
        return None
    before = len(errors)
    _check_ids(table[spec.id_column], SOLUTION, errors)
    usage = table["Usage"].combine_chunks()
    bad_usage = ~np.asarray(pc.is_in(usage, pa.array(USAGES)))
    if bad_usage.any():
        message = "Usage must be Public, Private or Ignored, not '{value}'"
        errors.append(_report_rows(bad_usage, SOLUTION, message, usage))
    for kind in ("Public", "Private"):
        if not np.asarray(pc.equal(usage, kind)).any():
            errors.append(
                f"{SOLUTION}: no row has Usage {kind}; Kaggle puts about 30 % "
                "of rows on the public leaderboard and the rest on the private one"
            )
    scored = np.asarray(pc.not_equal(usage, "Ignored"))
    binary = spec.metric in BINARY_METRICS
    for target in spec.targets:
        values = table[target.name].combine_chunks()
        _check_target_values(values, target, scored, binary, errors)
    return table if len(errors) == before else None


def _has_columns(table: pa.Table, expected: tuple[str, ...], shown: str, errors: list) -> bool:
    names = table.column_names
    before = len(errors)
    errors.extend(f"{shown}: column '{c}' is missing" for c in expected if c not in names)
    errors.extend(
        f"{shown}: unexpected column '{c}'; the columns must be {', '.join(expected)}"
        for c in names
        if c not in expected
    )
    return len(errors) == before


def _check_ids(ids: pa.ChunkedArray, shown: str, errors: list[str]) -> None:
    ids = ids.combine_chunks()
    empty = np.asarray(pc.equal(pc.utf8_trim_whitespace(ids), ""))
    if empty.any():
        errors.append(_report_rows(empty, shown, "the id is empty", ids))
    codes = np.asarray(ids.dictionary_encode().indices)
    _, first_rows = np.unique(codes, return_index=True)
    repeated = np.arange(len(codes)) != first_rows[codes]
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        errors.append(
            f"{shown}: {int(repeated.sum())} duplicate ids, "
            f"first '{ids[row].as_py()}' on line {row + 2}"
        )


def _check_target_values(
    values: pa.Array, target: Target, scored: np.ndarray, binary: bool, errors: list[str]
) -> None:
    """Checks the rows that are scored: Kaggle's Ignored rows may hold anything."""
    if target.kind == "label":
        allowed = pa.array(target.labels)
        bad = ~np.asarray(pc.is_in(pc.utf8_trim_whitespace(values), allowed)) & scored
        problem = f"is not one of the labels {', '.join(target.labels)}"
    else:
        numbers = pd.to_numeric(
            pd.Series(values.to_numpy(zero_copy_only=False)), errors="coerce"
        ).to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            bad = ~(np.abs(numbers) <= MAX_MAGNITUDE) & scored
        problem = "is not a finite number between -1e100 and 1e100"  # MAX_MAGNITUDE
        if binary or target.kind == "probability":
            bad |= scored & np.isfinite(numbers) & ~np.isin(numbers, (0.0, 1.0))
            problem = "must be 0 or 1 (this metric's solution holds the true classes)"
    if bad.any():
        message = f"'{target.name}' value '{{value}}' {problem}"
        errors.append(_report_rows(bad, SOLUTION, message, values))


def _check_sample_submission(
    public: Path, spec: SubmissionSpec, solution: pa.Table, errors: list[str]
) -> None:
    path = next((p for p in sorted(public.iterdir()) if is_sample_name(p.name)), None)
    shown = f"public/{path.name if path else 'sample_submission.csv'}"
    if path is None:
        errors.append(
            f"{shown} is missing; give every test id with a default prediction, "
            f"under the header {','.join(spec.columns)}"
        )
        return
    sample = _read_csv_as_text(path, shown, errors)
    if sample is None:
        return
    if tuple(sample.column_names) != spec.columns:
        errors.append(f"{shown}: header must be {','.join(spec.columns)}")
        return
    ids = sample[spec.id_column]
    unknown = ~np.asarray(pc.is_in(ids, solution[spec.id_column].combine_chunks()))
    if unknown.any():
        message = "id '{value}' is not in solution.csv"
        errors.append(_report_rows(unknown, shown, message, ids.combine_chunks()))
    elif sample.num_rows != solution.num_rows:
        errors.append(
            f"{shown} has {sample.num_rows} rows but {SOLUTION} has "
            f"{solution.num_rows}; it must list every test id once"
        )


def _check_no_answers(root: Path, spec, solution: pa.Table, errors: list[str]) -> None:
    check_no_copy_of_solution(root / "public", root / SOLUTION, errors)
    targets = tuple(t.name for t in spec.targets)
    check_no_answers_in_public_csvs(
        root / "public", spec.id_column, targets, solution, is_sample_name, errors
    )


def is_sample_name(name: str) -> bool:
    return name.lower().replace("_", "") == "samplesubmission.csv"


# --- preview -----------------------------------------------------------------------------


def _check_preview(public: Path, meta: dict, errors: list[str]) -> None:
    preview, source, files = meta["preview"], meta["preview_source"], meta["preview_files"]
    if preview == "none":
        return
    if not source:
        errors.append(f"{TOML}: preview '{preview}' needs preview_source, a CSV under public/")
        return
    if preview in ("images", "video") and not files:
        errors.append(f"{TOML}: preview '{preview}' needs preview_files, like \"train/{{id}}.png\"")
    path = (public / source).resolve()
    if not path.is_relative_to(public.resolve()) or not path.is_file():
        errors.append(f"{TOML}: preview_source '{source}' is not a file under public/")
        return
    if files:
        _check_preview_files(public, source, files, errors)


def _check_preview_files(public: Path, source: str, template: str, errors: list[str]) -> None:
    with (public / source).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        first_row = next(reader, None)
        columns = reader.fieldnames or []
    fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    missing = [name for name in fields if name not in columns]
    if missing or not fields:
        errors.append(
            f"{TOML}: preview_files '{template}' must name columns of "
            f"public/{source} in braces, like {{{columns[0] if columns else 'id'}}}"
        )
        return
    if first_row is None:
        return
    example = template.format(**first_row)
    if not (public / example).is_file():
        errors.append(
            f"{TOML}: preview_files '{template}' gives public/{example} for the first "
            f"row of public/{source}, and there is no such file"
        )
