"""Benchmark: a 95 % bootstrap CI (1,000 resamples) of a 1,400-row private split, per metric.

Run: .venv/bin/python bench/bootstrap.py [--rows 1400] [--runs 21]
Goal: ≤ 20 ms median for each metric with per-row losses (mse, mean_column_mse over 5
columns, rmse over 5 columns, accuracy, log_loss); macro_f1 and roc_auc are printed too.
Wall-clock medians; CPU-time medians beside them, which stay meaningful on a busy machine.
Last line: decomposable_ms=… decomposable_cpu_ms=… (the slowest decomposable medians), then
one key=value per metric.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from challenges.scoring.bootstrap import bootstrap_ci  # noqa: E402
from challenges.scoring.rowloss import DECOMPOSABLE  # noqa: E402


def cases(rows: int) -> dict[str, tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, rows).astype(np.int8)
    guesses = np.where(rng.random(rows) < 0.8, labels, rng.integers(0, 10, rows)).astype(np.int8)
    binary = rng.integers(0, 2, rows)
    return {
        "mse": ("mse", rng.normal(size=rows), rng.normal(size=rows)),
        "mean_column_mse_5": (
            "mean_column_mse",
            rng.normal(size=(rows, 5)),
            rng.normal(size=(rows, 5)),
        ),
        "rmse_5": ("rmse", rng.normal(size=(rows, 5)), rng.normal(size=(rows, 5))),
        "accuracy": ("accuracy", labels, guesses),
        "log_loss": ("log_loss", binary, np.clip(binary * 0.6 + rng.random(rows) * 0.4, 0, 1)),
        "macro_f1": ("macro_f1", labels, guesses),
        "roc_auc": ("roc_auc", binary, binary + rng.normal(size=rows)),
    }


def median_ms(metric: str, y_true, y_pred, runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds of one 1,000-resample interval."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        bootstrap_ci(metric, y_true, y_pred, n_resamples=1000, seed=0)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1400)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    results, decomposable = {}, []
    for key, (metric, y_true, y_pred) in cases(args.rows).items():
        results[key] = median_ms(metric, y_true, y_pred, args.runs)
        kind = "per-row losses" if metric in DECOMPOSABLE else "no per-row losses"
        print(f"{key:<18} {results[key][0]:7.2f} ms wall {results[key][1]:7.2f} ms cpu  ({kind})")
        if metric in DECOMPOSABLE:
            decomposable.append(results[key])
    wall, cpu = (max(times) for times in zip(*decomposable, strict=True))
    pairs = " ".join(f"{key}_ms={ms:.2f}" for key, (ms, _) in results.items())
    print(f"decomposable_ms={wall:.2f} decomposable_cpu_ms={cpu:.2f} {pairs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
