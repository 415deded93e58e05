"""Benchmark: scoring a 1,000,000-row fitting-1d submission vs pyarrow merely reading the files.

Run: .venv/bin/python bench/scoring.py
The last line is machine-readable: ratio=… seconds=… read_seconds=… peak_mb=…
(the slower of two submissions: ids in the solution's order, and ids shuffled).
Goal: ratio <= 2.0 and peak_mb < 400.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pv

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from challenges.scoring import SubmissionSpec, Target, load_solution, score_submission  # noqa: E402

ROWS = 1_000_000
RUNS = 7
SPEC = SubmissionSpec("id", (Target("y"),), "mse", row_count=ROWS)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, metavar=("SOLUTION", "SUBMISSION"))
    parser.add_argument("--imports-only", action="store_true")
    args = parser.parse_args()
    if args.imports_only:
        return 0  # measures the interpreter and the imports above
    if args.child:
        score_once(*args.child)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        return benchmark(Path(folder))


def benchmark(folder: Path) -> int:
    solution, in_order, shuffled, expected = write_files(folder)
    print(
        f"rows={ROWS:,} solution={mb(solution.stat().st_size)} MB "
        f"submission={mb(in_order.stat().st_size)} MB"
    )
    for submission in (in_order, shuffled):
        check_scores(score_once(solution, submission), expected)
    work = {
        "pyarrow.csv.read_csv of both files": lambda: read_both(solution, in_order),
        "load_solution + score_submission, ids in solution order": lambda: score_once(
            solution, in_order
        ),
        "load_solution + score_submission, ids shuffled": lambda: score_once(solution, shuffled),
    }
    medians = interleaved_medians(work)
    read_seconds, *scoring_seconds = medians.values()
    for label, seconds in medians.items():
        print(
            f"{label}: {seconds:.3f} s = {seconds / read_seconds:.2f}x reading (median of {RUNS})"
        )
    slowest = max(scoring_seconds)
    imports_mb, peak_mb = peak_memory(solution, shuffled)
    print(f"peak RSS: interpreter + imports {imports_mb:.0f} MB, scoring run {peak_mb:.0f} MB")
    print(
        f"ratio={slowest / read_seconds:.2f} seconds={slowest:.3f} "
        f"read_seconds={read_seconds:.3f} peak_mb={peak_mb:.0f}"
    )
    return 0


def write_files(folder: Path):
    """Deterministic fitting-1d-shaped files; returns paths and the expected scores."""
    rng = np.random.default_rng(20230315)
    x = rng.uniform(-3, 3, ROWS)
    truth = np.sin(2 * x) + 0.1 * rng.normal(size=ROWS)
    usage = rng.choice(["Public", "Private", "Ignored"], size=ROWS, p=[0.3, 0.68, 0.02])
    guess = np.sin(2 * x) + 0.05 * rng.normal(size=ROWS)
    ids = np.arange(ROWS)
    solution = write(folder / "solution.csv", {"id": ids, "y": truth, "Usage": usage})
    in_order = write(folder / "submission.csv", {"id": ids, "y": guess})
    order = rng.permutation(ROWS)
    shuffled = write(folder / "shuffled.csv", {"id": ids[order], "y": guess[order]})
    squared = (truth - guess) ** 2
    expected = (squared[usage == "Public"].mean(), squared[usage == "Private"].mean())
    return solution, in_order, shuffled, expected


def write(path: Path, columns: dict) -> Path:
    table = pa.table({name: pa.array(values) for name, values in columns.items()})
    pv.write_csv(table, path, write_options=pv.WriteOptions(quoting_style="needed"))
    return path


def read_both(solution: Path, submission: Path) -> None:
    pv.read_csv(solution)
    pv.read_csv(submission)


def score_once(solution: str | Path, submission: str | Path):
    return score_submission(submission, SPEC, load_solution(solution, SPEC))


def interleaved_medians(work: dict) -> dict[str, float]:
    """Median seconds of each piece of work, run in turns so that all see the same load."""
    times: dict[str, list[float]] = {label: [] for label in work}
    for round_number in range(RUNS + 1):  # round 0 warms up
        for label, run in work.items():
            started = time.perf_counter()
            run()
            if round_number:
                times[label].append(time.perf_counter() - started)
    return {label: statistics.median(values) for label, values in times.items()}


def check_scores(scores, expected) -> None:
    actual = (scores.public, scores.private)
    if not np.allclose(actual, expected, rtol=1e-9, atol=0):
        raise SystemExit(f"wrong scores: {actual} != expected {expected}")


# Runs in a small stdlib-only interpreter: Linux carries a parent's peak RSS into a child
# it forks, so the measured children must not be forked from this (large) process.
MEASURE = """
import resource, subprocess, sys
command = sys.argv[1:]
subprocess.run([*command[:2], "--imports-only"], check=True)
imports = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
subprocess.run([*command[:2], "--child", *command[2:]], check=True)
print(imports, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_memory(solution: Path, submission: Path) -> tuple[float, float]:
    """Peak RSS of fresh interpreters: one that only imports, then one that scores."""
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE, sys.executable, __file__, str(solution), str(submission)],
        check=True,
        capture_output=True,
        text=True,
    )
    imports, scoring = (int(value) for value in measured.stdout.split())
    return imports / 1024, scoring / 1024  # Linux reports KiB


def mb(size: int) -> str:
    return f"{size / 1e6:.1f}"


if __name__ == "__main__":
    sys.exit(main())
