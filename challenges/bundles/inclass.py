"""Import a Kaggle InClass host export as it is: a folder (or .zip) without challenge.toml.

An export holds `solution.csv` (`<id>,<targets…>,Usage`, Usage Public/Private/Ignored), a
sample submission (`sample_submission.csv` or `sampleSubmission.csv`, every test id once)
and usually `train.csv`, `test.csv` and data folders. What Kaggle keeps elsewhere (metric,
deadline, title) comes in `InClassOptions`. The id column and the targets are the sample
submission's columns; every other top-level file or folder is public data.

The export is turned into an ordinary bundle folder (files hard-linked where possible), and
that folder is read by `read_bundle`, so an export passes exactly the checks a bundle passes.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from challenges.bundles.format import Bundle, BundleError, Limits
from challenges.bundles.metadata import DEADLINE_EXAMPLE, KNOWN_METRICS, SLUG_PATTERN, TOML
from challenges.bundles.reader import SOLUTION, extract_zip, is_sample_name, read_bundle
from challenges.scoring.metrics import get_metric

DESCRIPTION = "description.md"
NOT_PUBLIC = {SOLUTION, TOML, DESCRIPTION, "__MACOSX"}
TARGET_KINDS = {  # the kind of target each metric scores, for a target read from a header
    "accuracy": "label",
    "macro_f1": "label",
    "log_loss": "probability",
}


@dataclass(frozen=True)
class InClassOptions:
    metric: str  # a name from challenges.scoring.metrics, e.g. "accuracy"
    deadline: datetime | str  # timezone-aware, or ISO-8601 text with a zone
    slug: str = ""  # default: made from the export's folder or zip name
    title: str = ""  # default: made from the slug
    subtitle: str = ""
    description_md: str = ""  # default: the export's description.md, else a generated page
    labels: tuple[str, ...] = ()  # label targets; default: the values found in the files
    sample_submission: str = ""  # default: the file named like sample_submission.csv
    exclude: tuple[str, ...] = ()  # top-level names that must not be offered to students
    limits: Limits = field(default_factory=Limits)


def read_inclass_export(
    path: str | Path, options: InClassOptions, *, workdir: Path | None = None
) -> Bundle:
    """Read an export folder or .zip into a `Bundle`; raise `BundleError` listing problems.

    The bundle is written under `workdir` (default: a new temporary folder that the caller
    owns), which must outlive the use of the bundle's files.
    """
    path = Path(path)
    if not path.exists():
        raise BundleError([f"{path}: no such file or folder"])
    workdir = Path(workdir or tempfile.mkdtemp(prefix="vsegrader-inclass-"))
    export = path if path.is_dir() else extract_zip(path, workdir / "export")
    export = _export_root(export)
    target = workdir / "bundle"
    default_slug = path.name if path.is_dir() else path.stem
    write_inclass_bundle(export, options, target, default_slug=default_slug)
    return read_bundle(target)


def looks_like_inclass_export(folder: Path) -> bool:
    """A solution.csv at the top and no challenge.toml, as Kaggle hands them out."""
    return (folder / SOLUTION).is_file() and not (folder / TOML).exists()


def write_inclass_bundle(
    export: Path, options: InClassOptions, target: Path, *, default_slug: str = ""
) -> Path:
    """Write the bundle folder for `export` at `target` (which must not exist yet)."""
    errors: list[str] = []
    slug = _slug(options.slug or default_slug or export.name, bool(options.slug), errors)
    deadline = _deadline(options.deadline, errors)
    _check_metric(options.metric, errors)
    sample = _sample_submission(export, options.sample_submission, errors)
    if (export / TOML).exists():
        errors.append(
            f"{export.name} holds a {TOML}: it is a vsegrader bundle; import it "
            "without the Kaggle options"
        )
    if not (export / SOLUTION).is_file():
        errors.append(
            f"{SOLUTION} is missing; a Kaggle export has it at the top, with the "
            "columns of the sample submission and Usage"
        )
    if errors:
        raise BundleError(errors)
    id_column, *target_names = _header(sample)
    targets = [_target(name, options, export / SOLUTION, sample) for name in target_names]
    target.mkdir(parents=True)
    title = options.title or slug.replace("-", " ").capitalize()
    _write_toml(target, options, slug, title, deadline, id_column, targets)
    _write_description(target, export, options, title, [id_column, *target_names])
    _write_solution(export / SOLUTION, target / SOLUTION, [id_column, *target_names])
    _link_public(export, target / "public", sample, options.exclude)
    return target


# --- options -------------------------------------------------------------------------------


def _slug(text: str, given: bool, errors: list[str]) -> str:
    slug = text if given else re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:49]
    if not SLUG_PATTERN.match(slug):
        errors.append(
            f"slug '{slug}' must be 2 to 49 lower-case letters, digits and dashes, "
            "like 'fitting-1d'"
        )
    return slug


def _deadline(value: datetime | str, errors: list[str]) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            errors.append(
                f"deadline '{value}' is not a date and time; write it like {DEADLINE_EXAMPLE}"
            )
            return ""
    if value.tzinfo is None or value.utcoffset() is None:
        errors.append(
            f"deadline '{value.isoformat()}' has no time zone; write it like {DEADLINE_EXAMPLE}"
        )
        return ""
    return value.isoformat()


def _check_metric(metric: str, errors: list[str]) -> None:
    if metric not in KNOWN_METRICS:
        errors.append(f"metric '{metric}' is not known; use one of {', '.join(KNOWN_METRICS)}")


# --- the export's files --------------------------------------------------------------------


def _export_root(folder: Path) -> Path:
    """A zip of the export's folder holds that one folder: look inside it."""
    if looks_like_inclass_export(folder) or (folder / TOML).exists():
        return folder
    inside = [p for p in folder.iterdir() if p.is_dir() and p.name not in NOT_PUBLIC]
    if len(inside) == 1 and (inside[0] / SOLUTION).is_file():
        return inside[0]
    return folder


def _sample_submission(export: Path, name: str, errors: list[str]) -> Path | None:
    if name:
        path = export / name
        if not path.is_file():
            errors.append(f"the sample submission '{name}' is not a file at the export's top")
            return None
        return path
    found = [p for p in sorted(export.iterdir()) if is_sample_name(p.name)]
    if not found:
        errors.append(
            "no sample_submission.csv at the export's top: its header gives the id "
            "and target columns; name the file if it is called differently"
        )
        return None
    return found[0]


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        names = [name.strip() for name in next(csv.reader(handle), [])]
    if len(names) < 2 or not all(names):
        raise BundleError(
            [
                f"{path.name}: the header must name the id column and at least one "
                f"target column, like id,label"
            ]
        )
    return names


def _target(name: str, options: InClassOptions, solution: Path, sample: Path) -> dict:
    kind = TARGET_KINDS.get(options.metric, "float")
    if kind != "label":
        return {"name": name, "type": kind}
    labels = list(options.labels) or _labels_found(name, solution, sample)
    return {"name": name, "type": kind, "labels": labels}


def _labels_found(name: str, solution: Path, sample: Path) -> list[str]:
    """The distinct values of the scored solution rows and of the sample submission."""
    values: set[str] = set()
    table = _text_columns(solution, [name, "Usage"])
    if table is not None:
        usage = pc.utf8_lower(pc.utf8_trim_whitespace(table["Usage"]))
        values |= _distinct(pc.filter(table[name], pc.not_equal(usage, "ignored")))
    sample_table = _text_columns(sample, [name])
    if sample_table is not None:
        values |= _distinct(sample_table[name])
    values.discard("")
    numeric = all(re.fullmatch(r"-?\d+", v) for v in values)
    return sorted(values, key=int if numeric else str)


def _text_columns(path: Path, names: list[str]) -> pa.Table | None:
    try:
        return pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                include_columns=names,
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
            ),
        )
    except (OSError, pa.ArrowException, KeyError):
        return None  # read_bundle reports what is wrong with the file


def _distinct(column: pa.ChunkedArray) -> set[str]:
    return set(pc.unique(pc.utf8_trim_whitespace(column)).to_pylist())


# --- writing the bundle --------------------------------------------------------------------


def _write_toml(
    target: Path,
    options: InClassOptions,
    slug: str,
    title: str,
    deadline: str,
    id_column: str,
    targets: list[dict],
) -> None:
    def text(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string

    lines = [
        f"slug = {text(slug)}",
        f"title = {text(title)}",
        f"subtitle = {text(options.subtitle)}",
        f"metric = {text(options.metric)}",
        f"deadline = {text(deadline)}",
        f"id_column = {text(id_column)}",
    ]
    for spec in targets:
        lines += ["", "[[targets]]", f"name = {text(spec['name'])}", f"type = {text(spec['type'])}"]
        if "labels" in spec:
            lines.append(f"labels = [{', '.join(text(label) for label in spec['labels'])}]")
    limits = options.limits
    lines += [
        "",
        "[limits]",
        f"daily = {limits.daily}",
        f"total = {limits.total}",
        f"final_selections = {limits.final_selections}",
        f"max_file_mb = {limits.max_file_mb}",
    ]
    (target / TOML).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_description(
    target: Path, export: Path, options: InClassOptions, title: str, columns: list[str]
) -> None:
    text = options.description_md
    if not text and (export / DESCRIPTION).is_file():
        text = (export / DESCRIPTION).read_text(encoding="utf-8-sig")
    if not text.strip():
        text = _generated_description(title, options.metric, columns)
    (target / DESCRIPTION).write_text(text, encoding="utf-8")


def _generated_description(title: str, metric: str, columns: list[str]) -> str:
    return (
        f"# {title}\n\nImported from a Kaggle InClass competition.\n\n"
        f"Submit a CSV file with the header `{','.join(columns)}` and one row for every id "
        "of `sample_submission.csv`. Submissions are scored by "
        f"{get_metric(metric).label.lower()}: the public leaderboard on part of the test "
        "rows, the private leaderboard on the rest, revealed after the deadline.\n"
    )


def _write_solution(source: Path, target: Path, columns: list[str]) -> None:
    """The solution as it is, or only its scored columns if Kaggle's file has more."""
    header = _header(source)
    wanted = [*columns, "Usage"]
    if set(header) <= set(wanted):
        _link(source, target)  # read_bundle reports any missing column
        return
    table = _text_columns(source, wanted)
    if table is None:
        _link(source, target)
        return
    pacsv.write_csv(table, target, pacsv.WriteOptions(quoting_style="needed"))


def _link_public(export: Path, public: Path, sample: Path, exclude: tuple[str, ...]) -> None:
    public.mkdir()
    for entry in sorted(export.iterdir()):
        if entry.name in NOT_PUBLIC or entry.name in exclude or entry.name.startswith("."):
            continue
        name = "sample_submission.csv" if entry == sample else entry.name
        if entry.is_dir():
            shutil.copytree(entry, public / name, copy_function=_link)
        else:
            _link(entry, public / name)


def _link(source: Path | str, target: Path | str) -> None:
    """A hard link costs no space for a large data set; copy across file systems."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
