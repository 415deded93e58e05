"""The five demo challenge bundles of the course, generated deterministically from a seed.

    build_demo_bundles(Path("var/demo"), seed=2023, scale=1.0)

builds var/demo/<slug>/ for each of DEMO_SLUGS (skipping bundles already built with the same
generator version, seed and scale) and returns the five folders in that order. `scale`
multiplies the row counts (with a minimum of 40 rows per set), so tests can use tiny bundles.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

import cv2

from demo.bundles import common
from demo.bundles.digits import build_digits
from demo.bundles.fitting import build_fitting_1d, build_fitting_5d
from demo.bundles.glasses import build_glasses
from demo.bundles.sword import build_sword

BUILDERS: dict[str, Callable[[Path, int, float, Executor | None], None]] = {
    "fitting-1d": lambda folder, seed, scale, pool: build_fitting_1d(folder, seed, scale),
    "fitting-5d": lambda folder, seed, scale, pool: build_fitting_5d(folder, seed, scale),
    "glasses": build_glasses,
    "mics-mnist": build_digits,
    "sword-video": build_sword,
}
DEMO_SLUGS: tuple[str, ...] = tuple(BUILDERS)
PARALLEL_FROM_SCALE = 0.2  # below this the worker processes cost more than they save


def build_demo_bundles(
    out_dir: Path, *, seed: int = 2023, scale: float = 1.0, workers: int | None = None
) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    folders = [out_dir / slug for slug in DEMO_SLUGS]
    todo = [f for f in folders if not common.is_built(f, common.stamp_text(f.name, seed, scale))]
    workers = workers if workers is not None else _default_workers(scale)
    pool = _pool(workers) if todo and workers > 1 else None
    try:
        for folder in todo:
            stamp = common.stamp_text(folder.name, seed, scale)
            common.build_atomically(folder, stamp, BUILDERS[folder.name], seed, scale, pool)
    finally:
        if pool is not None:
            pool.shutdown()
    return folders


def _pool(workers: int) -> ProcessPoolExecutor:
    """Workers started clean (a fork of a process whose OpenCV or BLAS threads hold a lock can
    hang), each with one OpenCV thread, which would otherwise fight the other workers for cores.
    """
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=cv2.setNumThreads, initargs=(1,)
    )


def _default_workers(scale: float) -> int:
    return min(2, os.cpu_count() or 1) if scale >= PARALLEL_FROM_SCALE else 1


__all__ = ["DEMO_SLUGS", "build_demo_bundles"]
