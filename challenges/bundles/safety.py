"""What keeps a bundle from publishing its hidden data or filling the disk.

- Symbolic links are refused anywhere in a bundle folder and in a zip: `public/a.csv ->
  ../solution.csv` would otherwise be offered for download (and packed into a data zip).
- A zip is unpacked one member at a time, counting the bytes really written, within
  limits on the total size, the number of files and each large member's compression ratio
  (settings BUNDLE_MAX_MB, BUNDLE_MAX_FILES, BUNDLE_MAX_RATIO).
- A public file identical to solution.csv, a public CSV with a Usage column, or one that
  lists test ids (ids of solution.csv) together with a target column is refused.
"""

from __future__ import annotations

import csv
import hashlib
import os
import stat
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from pyarrow import csv as pacsv

from challenges.bundles.format import BundleError

MEGABYTE = 1024 * 1024
RATIO_CHECKED_ABOVE = MEGABYTE  # small members (e.g. a file of zeros) may compress far more
CHUNK = MEGABYTE


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# --- symbolic links -------------------------------------------------------------------


def symlinks_under(root: Path) -> list[Path]:
    """Every symbolic link below `root`, without following any."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            if path.is_symlink():
                found.append(path)
    return sorted(found)


def check_no_symlinks(root: Path, errors: list[str]) -> None:
    errors.extend(
        f"{link.relative_to(root).as_posix()} is a symbolic link; bundles may hold only "
        "real files and folders (copy the file in instead)"
        for link in symlinks_under(root)
    )


def refuse_symlink(path: Path) -> None:
    """For code that is about to publish `path`: never through a link."""
    if path.is_symlink():
        raise BundleError([f"{path.name} is a symbolic link; it is not published"])


# --- zip ------------------------------------------------------------------------------------


def is_zip_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def check_zip_members(archive: zipfile.ZipFile, shown: str) -> None:
    """Refuses links, and archives over the limits by what they declare."""
    members = archive.infolist()
    links = [info.filename for info in members if is_zip_symlink(info)]
    errors = [f"{shown}: member '{name}' is a symbolic link; zip real files only" for name in links]
    max_files, max_bytes = limit("BUNDLE_MAX_FILES", 200_000), bundle_max_bytes()
    if len(members) > max_files:
        errors.append(f"{shown} holds {len(members)} members; at most {max_files} are unpacked")
    declared = sum(info.file_size for info in members)
    if declared > max_bytes:
        errors.append(
            f"{shown} unpacks to {declared // MEGABYTE} MB; at most "
            f"{max_bytes // MEGABYTE} MB (BUNDLE_MAX_MB) are unpacked"
        )
    errors.extend(filter(None, (ratio_error(shown, info) for info in members)))
    if errors:
        raise BundleError(errors)


def bundle_max_bytes() -> int:
    return limit("BUNDLE_MAX_MB", 10_240) * MEGABYTE


def ratio_error(shown: str, info: zipfile.ZipInfo) -> str:
    max_ratio = limit("BUNDLE_MAX_RATIO", 200)
    if info.file_size <= RATIO_CHECKED_ABOVE:
        return ""
    if info.file_size <= max_ratio * max(info.compress_size, 1):
        return ""
    return (
        f"{shown}: member '{info.filename}' is compressed more than {max_ratio} to 1 "
        "(a zip bomb?); it is not unpacked"
    )


def extract_members(archive: zipfile.ZipFile, target: Path, shown: str) -> None:
    """Writes every member under `target`, counting the bytes that really come out."""
    budget = bundle_max_bytes()
    for info in archive.infolist():
        path = target.joinpath(*Path(info.filename.replace("\\", "/")).parts)
        if info.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        budget -= copy_member(archive, info, path, budget, shown)


def copy_member(archive, info: zipfile.ZipInfo, path: Path, budget: int, shown: str) -> int:
    written = 0
    with archive.open(info) as source, open(path, "wb") as sink:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > budget:
                raise BundleError(
                    [
                        f"{shown} unpacks to more than "
                        f"{bundle_max_bytes() // MEGABYTE} MB (BUNDLE_MAX_MB)"
                    ]
                )
            sink.write(chunk)
    return written


def extract_safely(path: Path, target: Path) -> None:
    """Unpacks the zip at `path` into `target`, or raises BundleError."""
    with zipfile.ZipFile(path) as archive:
        check_zip_members(archive, path.name)
        extract_members(archive, target, path.name)


# --- public files that would reveal the answers -------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def public_files(public: Path) -> list[Path]:
    return sorted(p for p in public.rglob("*") if p.is_file() and not p.is_symlink())


def check_no_copy_of_solution(public: Path, solution: Path, errors: list[str]) -> None:
    size, digest = solution.stat().st_size, sha256_of(solution)
    for path in public_files(public):
        if path.stat().st_size == size and sha256_of(path) == digest:
            errors.append(
                f"public/{path.relative_to(public).as_posix()} is a copy of "
                "solution.csv; students would download the answers"
            )


def csv_header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def shares_test_ids(path: Path, id_column: str, test_ids: pa.Array) -> bool:
    convert = pacsv.ConvertOptions(
        column_types={id_column: pa.string()}, include_columns=[id_column]
    )
    try:
        ids = pacsv.read_csv(path, convert_options=convert).column(0)
    except (pa.ArrowInvalid, OSError):
        return False
    return bool(np.asarray(pc.is_in(ids.combine_chunks(), test_ids)).any())


def check_no_answers_in_public_csvs(
    public: Path,
    id_column: str,
    targets: tuple[str, ...],
    solution: pa.Table,
    is_sample,
    errors: list[str],
) -> None:
    """A Usage column, or a target column beside test ids, in any public CSV but the sample
    submission (which lists the test ids with a default prediction)."""
    test_ids = solution[id_column].combine_chunks()
    for path in public_files(public):
        if path.suffix.lower() != ".csv" or is_sample(path.name):
            continue
        shown = f"public/{path.relative_to(public).as_posix()}"
        header = csv_header(path)
        if "Usage" in header:
            errors.append(f"{shown} has a Usage column: it is solution.csv's; remove it")
            continue
        carried = [name for name in targets if name in header]
        if carried and id_column in header and shares_test_ids(path, id_column, test_ids):
            errors.append(
                f"{shown} lists test ids (ids of solution.csv) with the target "
                f"column '{carried[0]}'; remove that column from the test file"
            )
