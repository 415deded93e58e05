"""What every demo bundle generator shares: sizes, seeds, CSV and TOML writing, the cache.

Every random draw comes from a generator seeded by (seed, bundle, purpose, item), so a file's
bytes depend only on those and not on the order in which worker processes make them.
"""

from __future__ import annotations

import json
import os
import shutil
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from pathlib import Path

import numpy as np

from vsegrader.training.runner import process_alive

GENERATOR_VERSION = 2
DEADLINE = "2023-03-15T17:00:00+01:00"
TEST_ROWS = 2000
MIN_ROWS = 40
PUBLIC_FRACTION = 0.3
DAILY_LIMIT = 5
FINAL_SELECTIONS = 2
STAMP = ".generated"
CHUNKS = 12  # enough that a worker never waits long for the slowest one
SERIAL_BELOW = 400  # items; a pool costs more than it saves for fewer


def row_count(full: int, scale: float, minimum: int = MIN_ROWS) -> int:
    return max(minimum, round(full * scale))


def rng_for(seed: int, slug: str, purpose: str, index: int = 0) -> np.random.Generator:
    return np.random.default_rng([seed, _code(slug), _code(purpose), index])


def _code(text: str) -> int:
    return zlib.crc32(text.encode())


def balanced_labels(count: int, labels: Sequence[str], rng: np.random.Generator) -> list[str]:
    repeated = [labels[i % len(labels)] for i in range(count)]
    return [repeated[i] for i in rng.permutation(count)]


def usage_column(count: int, rng: np.random.Generator) -> list[str]:
    """Exactly round(30 %) Public rows, at random places; the rest Private (Kaggle's split)."""
    public = set(rng.permutation(count)[: round(count * PUBLIC_FRACTION)].tolist())
    return ["Public" if row in public else "Private" for row in range(count)]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    lines = [",".join(header)] + [",".join(str(value) for value in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def number(value: float) -> str:
    return f"{value:.6f}"


# --- challenge.toml and description.md -----------------------------------------------------


def toml_value(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML string
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return repr(value)


def challenge_toml(meta: dict, targets: list[dict], tables: dict[str, dict]) -> str:
    lines = [f"{key} = {toml_value(value)}" for key, value in meta.items()]
    lines.append(f'deadline = "{DEADLINE}"')
    for target in targets:
        lines += ["", "[[targets]]", *(f"{k} = {toml_value(v)}" for k, v in target.items())]
    tables = {"limits": {"daily": DAILY_LIMIT, "final_selections": FINAL_SELECTIONS}, **tables}
    for name, table in tables.items():
        lines += ["", f"[{name}]", *(f"{k} = {toml_value(v)}" for k, v in table.items())]
    return "\n".join(lines) + "\n"


def tiers_grading() -> dict:
    """The 2024 notebook's rule for regression: score tiers, full marks for the top 10 ranks."""
    return {"rule": "tiers", "tiers": [[1.0, 0.5], [0.1, 0.7], [0.01, 0.9]], "full_marks_top": 10}


def percentile_grading() -> dict:
    """The 2024 notebook's rule for classification: max(accuracy, 1 - (rank - 1) / N)."""
    return {"rule": "score_or_percentile"}


def rules_md(metric_md: str) -> str:
    return f"""## Evaluation

{metric_md}

The leaderboard you see during the challenge is computed on about 30 % of the test rows
(the **public** leaderboard). The final ranking uses the other 70 % (the **private**
leaderboard), which is revealed after the deadline — so fitting the public leaderboard
does not pay.

## Rules

- You may make at most **{DAILY_LIMIT} submissions a day**.
- Before the deadline, select up to **{FINAL_SELECTIONS} submissions** for the final ranking.
- Work on your own; do not share code or predictions with other students.
- Any model and any library is allowed, but do not label the test data by hand.
"""


def write_text_files(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", newline="\n")


# --- running many items, in worker processes when it pays ----------------------------------


def render_all(render: Callable, items: list[tuple], pool: Executor | None) -> None:
    """Call render(*item) for every item; `render` must be a module-level function."""
    if pool is None or len(items) < SERIAL_BELOW:
        _render_chunk(render, items)
        return
    size = -(-len(items) // CHUNKS)
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    for done in [pool.submit(_render_chunk, render, chunk) for chunk in chunks]:
        done.result()


def _render_chunk(render: Callable, items: list[tuple]) -> None:
    for item in items:
        render(*item)


# --- the cache: build into a hidden sibling, then rename ------------------------------------


def stamp_text(slug: str, seed: int, scale: float) -> str:
    stamp = {"generator": GENERATOR_VERSION, "slug": slug, "seed": int(seed), "scale": float(scale)}
    return json.dumps(stamp, sort_keys=True) + "\n"


def is_built(folder: Path, stamp: str) -> bool:
    path = folder / STAMP
    return path.is_file() and path.read_text(encoding="utf-8") == stamp


def build_atomically(folder: Path, stamp: str, build: Callable[..., None], *args) -> None:
    """Build into .<name>.partial-<pid>, then swap it in: a killed run leaves no half bundle."""
    _remove_abandoned_partials(folder)
    partial = folder.with_name(f".{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        build(partial, *args)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    (partial / STAMP).write_text(stamp, encoding="utf-8")
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        folder.rename(old)
        shutil.rmtree(old)
    partial.rename(folder)


def _remove_abandoned_partials(folder: Path) -> None:
    if not folder.parent.is_dir():
        return
    for path in folder.parent.glob(f".{folder.name}.*-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
