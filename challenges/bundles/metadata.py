"""Read and check challenge.toml: every problem becomes one message an instructor can act on.

`read_metadata` never raises for a bad file: it appends to `errors` and returns what it could
read, so the caller can still check the other files of the bundle in the same round.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from vsegrader_client.format.spec import TARGET_KINDS, Target

from challenges.bundles.format import Limits
from challenges.scoring.metrics import METRICS
from challenges.scoring.spec import SubmissionSpec

# The metric table is `challenges.scoring.metrics.METRICS`; these are views of it.
KNOWN_METRICS: tuple[str, ...] = tuple(METRICS)
METRIC_TARGET_KINDS: dict[str, tuple[str, ...]] = {
    metric.name: tuple(kind for kind in TARGET_KINDS if kind in metric.target_kinds)
    for metric in METRICS.values()
}
MULTI_COLUMN_METRICS = tuple(metric.name for metric in METRICS.values() if metric.multi_column)
BINARY_METRICS = tuple(metric.name for metric in METRICS.values() if metric.binary)
PREVIEWS = ("xy-plot", "images", "video", "table", "none")
TOP_LEVEL_KEYS = (
    "slug",
    "title",
    "subtitle",
    "metric",
    "deadline",
    "id_column",
    "preview",
    "preview_source",
    "preview_files",
    "targets",
    "limits",
    "grading",
    "facts",
)
REQUIRED_KEYS = ("slug", "title", "metric", "deadline", "targets")
TARGET_KEYS = ("name", "type", "labels")
LIMIT_MINIMUMS = {
    "daily": 1,
    "total": 0,
    "final_selections": 1,
    "max_file_mb": 1,
    "failed_daily": 0,
}
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,48}$")
DEADLINE_EXAMPLE = "2023-03-15T17:00:00+01:00"
TOML = "challenge.toml"


def read_metadata(root: Path, errors: list[str]) -> dict[str, Any] | None:
    path = root / TOML
    if not path.is_file():
        errors.append(f"{TOML} is missing; the bundle's folder must hold it at the top")
        return None
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as error:
        errors.append(f"{TOML}: not valid TOML: {error}")
        return None
    _check_keys(raw, TOP_LEVEL_KEYS, TOML, errors)
    errors.extend(f"{TOML}: '{key}' is missing" for key in REQUIRED_KEYS if key not in raw)
    id_column = _text(raw, "id_column", errors, default="id")
    meta = {
        "slug": _slug(raw, errors),
        "title": _text(raw, "title", errors),
        "subtitle": _text(raw, "subtitle", errors),
        "deadline": _deadline(raw.get("deadline"), errors),
        "limits": _limits(raw.get("limits", {}), errors),
        "grading": _grading(_table(raw, "grading", errors), errors),
        "facts": _table(raw, "facts", errors),
        "preview": _preview(raw, errors),
        "preview_source": _text(raw, "preview_source", errors),
        "preview_files": _text(raw, "preview_files", errors),
    }
    before_targets = len(errors)
    targets = _targets(raw.get("targets"), id_column, errors)
    meta["columns_known"] = len(errors) == before_targets and bool(targets)
    metric = _metric(raw, targets, errors)
    meta["spec"] = SubmissionSpec(id_column=id_column, targets=targets, metric=metric)
    return meta


def _check_keys(table: dict, known: tuple[str, ...], where: str, errors: list[str]) -> None:
    for key in table:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"
            errors.append(f"{where}: unknown key '{key}'{hint}")


def _text(raw: dict, key: str, errors: list[str], default: str = "") -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        errors.append(f"{TOML}: '{key}' must be text in quotes, not {value!r}")
        return default
    return value.strip()


def _table(raw: dict, key: str, errors: list[str]) -> dict:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        errors.append(f"{TOML}: '{key}' must be a table: write [{key}] and key = value lines")
        return {}
    return value


GRADING_KEYS = {  # the course app computes the marks; here only the shape is checked
    "tiers": {"rule", "tiers", "boundary", "full_marks_top"},
    "score_or_percentile": {"rule"},
    "linear": {"rule", "target", "zero"},
}


def _grading(table: dict, errors: list[str]) -> dict:
    if not table:
        return table
    rule = table.get("rule")
    if rule not in GRADING_KEYS:
        errors.append(
            f"{TOML}: [grading] rule must be one of {', '.join(GRADING_KEYS)}, not {rule!r}"
        )
        return table
    unknown = sorted(set(table) - GRADING_KEYS[rule])
    if unknown:
        errors.append(
            f"{TOML}: [grading] rule '{rule}' does not use {', '.join(unknown)}; "
            f"its keys are {', '.join(sorted(GRADING_KEYS[rule]))}"
        )
    return table


def _slug(raw: dict, errors: list[str]) -> str:
    slug = _text(raw, "slug", errors)
    if "slug" in raw and isinstance(raw["slug"], str) and not SLUG_PATTERN.match(slug):
        errors.append(
            f"{TOML}: slug '{slug}' must be 2 to 49 lower-case letters, digits and dashes, "
            "starting with a letter or digit, like 'fitting-1d'"
        )
    return slug


def _deadline(value: Any, errors: list[str]) -> datetime | None:
    if value is None:
        return None
    shown = value.isoformat(sep=" ") if isinstance(value, datetime) else value
    how = f"write it like {DEADLINE_EXAMPLE}"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            errors.append(f"{TOML}: deadline '{shown}' is not a date and time; {how}")
            return None
    if not isinstance(value, datetime):
        kind = "has no time of day" if isinstance(value, date) else "is not a date and time"
        errors.append(f"{TOML}: deadline '{shown}' {kind}; {how}")
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        errors.append(f"{TOML}: deadline '{shown}' has no time zone; {how}")
        return None
    return value


def _limits(value: Any, errors: list[str]) -> Limits:
    if not isinstance(value, dict):
        errors.append(f"{TOML}: 'limits' must be a table: write [limits] and daily = 5")
        return Limits()
    _check_keys(value, tuple(LIMIT_MINIMUMS), f"{TOML} [limits]", errors)
    good = {}
    for key, minimum in LIMIT_MINIMUMS.items():
        number = value.get(key)
        if number is None:
            continue
        if isinstance(number, bool) or not isinstance(number, int) or number < minimum:
            errors.append(
                f"{TOML} [limits]: {key} must be a whole number ≥ {minimum}, not {number!r}"
            )
        else:
            good[key] = number
    return Limits(**good)


def _preview(raw: dict, errors: list[str]) -> str:
    preview = _text(raw, "preview", errors, default="none") or "none"
    if preview not in PREVIEWS:
        errors.append(f"{TOML}: preview '{preview}' is not known; use one of {', '.join(PREVIEWS)}")
        return "none"
    return preview


def _targets(value: Any, id_column: str, errors: list[str]) -> tuple[Target, ...]:
    if value is None:
        return ()  # reported as missing
    if not value or not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        errors.append(f"{TOML}: write each target as a [[targets]] table with name and type")
        return ()
    targets = tuple(t for t in (_target(i, raw, errors) for i, raw in enumerate(value)) if t)
    names = [t.name for t in targets]
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(f"{TOML}: target '{name}' is listed twice")
    for reserved in (id_column, "Usage"):
        if reserved in names:
            errors.append(f"{TOML}: target '{reserved}' clashes with the id or Usage column")
    return targets


def _target(index: int, raw: dict, errors: list[str]) -> Target | None:
    where = f"{TOML} [[targets]] #{index + 1}"
    _check_keys(raw, TARGET_KEYS, where, errors)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.append(f"{where}: 'name' is missing; write name = \"y\"")
        return None
    name = name.strip()
    kind = raw.get("type", "float")
    if kind not in TARGET_KINDS:
        errors.append(
            f"{TOML}: target '{name}' has unknown type {kind!r}; use {', '.join(TARGET_KINDS)}"
        )
        return None
    labels = _labels(name, kind, raw.get("labels", []), errors)
    return Target(name=name, kind=kind, labels=labels) if labels is not None else None


def _labels(name: str, kind: str, value: Any, errors: list[str]) -> tuple[str, ...] | None:
    if kind != "label":
        if value:
            errors.append(f"{TOML}: target '{name}' has labels but is of type {kind!r}")
        return ()
    if not isinstance(value, list) or not value:
        errors.append(
            f"{TOML}: target '{name}' is a label target but has no labels; "
            'add labels = ["0", "1"] (every value a submission may use)'
        )
        return None
    if not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        errors.append(f"{TOML}: target '{name}' labels must be text or whole numbers")
        return None
    labels = tuple(str(v).strip() for v in value)
    if len(set(labels)) != len(labels) or len(labels) < 2:
        errors.append(f"{TOML}: target '{name}' needs at least two labels, each listed once")
        return None
    return labels


def _metric(raw: dict, targets: tuple[Target, ...], errors: list[str]) -> str:
    metric = _text(raw, "metric", errors)
    if "metric" not in raw or not isinstance(raw["metric"], str):
        return metric
    if metric not in KNOWN_METRICS:
        known = ", ".join(KNOWN_METRICS)
        errors.append(f"{TOML}: metric '{metric}' is not known; use one of {known}")
        return metric
    kinds = METRIC_TARGET_KINDS[metric]
    for target in targets:
        if target.kind not in kinds:
            errors.append(
                f"{TOML}: metric '{metric}' scores {' or '.join(kinds)} targets, "
                f"but target '{target.name}' is of type '{target.kind}'"
            )
    if len(targets) > 1 and metric not in MULTI_COLUMN_METRICS:
        errors.append(
            f"{TOML}: metric '{metric}' scores one target column, not {len(targets)}; "
            f"use one of {', '.join(MULTI_COLUMN_METRICS)} for several"
        )
    return metric
