"""The integrity detector on simulated classes: independent students with similar accuracies
(rows differ in hardness) plus two planted copies with 5 % and 15 % of their rows changed.

    .venv/bin/python bench/integrity.py [--students 300] [--rows 1000] [--seeds 5]

The last line: students=… pairs=… false_pairs=… found_5pct=… found_15pct=… seconds=…
(false pairs and found copies summed over the seeds; seconds per class)."""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from challenges.insights import integrity, simulate  # noqa: E402


def one_class(seed: int, students: int, rows: int) -> tuple[int, bool, bool, float]:
    rng = np.random.default_rng(seed)
    truth, predictions = simulate.independent_class(rng, students=students, rows=rows)
    copies = [
        simulate.planted_copy(rng, predictions[k], changed=c) for k, c in enumerate((0.05, 0.15))
    ]
    everyone = np.vstack([predictions, *copies])
    started = time.perf_counter()
    wrong = everyone != truth[None, :]
    flags = integrity.merge(
        integrity.error_overlap_flags(wrong), integrity.identical_flags(everyone, wrong.sum(axis=1))
    )
    seconds = time.perf_counter() - started
    pairs = {(f.a, f.b) for f in flags}
    planted = {(0, students), (1, students + 1)}
    return len(pairs - planted), (0, students) in pairs, (1, students + 1) in pairs, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    results = [one_class(seed, args.students, args.rows) for seed in range(args.seeds)]
    for seed, (false, f5, f15, seconds) in enumerate(results):
        print(f"seed {seed}: false pairs {false}, 5 % copy {f5}, 15 % copy {f15}, {seconds:.3f} s")
    n = args.students + 2
    print(
        f"students={n} pairs={n * (n - 1) // 2} false_pairs={sum(r[0] for r in results)} "
        f"found_5pct={sum(r[1] for r in results)}/{args.seeds} "
        f"found_15pct={sum(r[2] for r in results)}/{args.seeds} "
        f"seconds={np.median([r[3] for r in results]):.3f}"
    )


if __name__ == "__main__":
    main()
