"""`run()`: one baseline from public folder to submission CSV, reporting as it goes."""

from __future__ import annotations

import importlib
import os
import time
from pathlib import Path

from baselines.common import (
    BaselineError,
    Context,
    ProgressCallback,
    resolve_device,
    seed_everything,
)
from baselines.data import write_submission

MODULES = {
    "fitting-1d": "fitting_1d",
    "fitting-5d": "fitting_5d",
    "glasses": "glasses",
    "mics-mnist": "mics_mnist",
    "sword-video": "sword_video",
}
SLUGS: tuple[str, ...] = tuple(MODULES)


def run(
    slug: str,
    data_dir: str | os.PathLike,
    out: str | os.PathLike,
    *,
    device: str = "auto",
    quick: bool = False,
    tiny: bool = False,
    seed: int = 0,
    on_progress: ProgressCallback | None = None,
    pretrained: bool = True,
) -> dict:
    """Trains the slug's baseline on DATA_DIR's public files and writes OUT; returns a summary
    (out, seconds, device, held-out figures). Raises BaselineError for what a user can fix.

    quick=True trains smaller networks for a few epochs on part of the data: minutes on a
    CPU, and still clearly better than a trivial submission (bench/baselines.py checks it).
    tiny=True is a smoke run that proves the pipeline, not the model: quick's networks for
    one epoch on at most a few dozen training rows (sword-video: a few steps of pretraining),
    predictions for every test row; seconds on a CPU. It implies quick.

    pretrained=False trains sword-video's network from scratch, for comparison; the other
    baselines have no pretraining and ignore it."""
    module = _module(slug)
    data = Path(data_dir)
    if not data.is_dir():
        raise BaselineError(f"data folder not found: {data}")
    ctx = Context(
        slug=slug,
        data=data,
        device=resolve_device(device),
        quick=quick or tiny,
        tiny=tiny,
        seed=seed,
        on_progress=on_progress,
        pretrained=pretrained,
    )
    started = time.perf_counter()
    seed_everything(seed, ctx.device)
    ctx.emit("start", slug=slug, device=ctx.device.type, epochs=module.planned_epochs(ctx))
    submission = module.train_and_predict(ctx)
    _write_atomically(submission, Path(out))
    seconds = round(time.perf_counter() - started, 2)
    ctx.emit("done", out=str(out), seconds=seconds)
    return {
        "slug": slug,
        "out": str(out),
        "seconds": seconds,
        "device": ctx.device.type,
        **ctx.results,
    }


def _module(slug: str):
    if slug not in MODULES:
        raise BaselineError(f"unknown challenge {slug!r}; choose from {', '.join(SLUGS)}")
    return importlib.import_module(f"baselines.{MODULES[slug]}")


def _write_atomically(submission, out: Path) -> None:
    """A half-written CSV must never look like a result to whoever polls for OUT."""
    partial = out.with_name(f".{out.name}.partial")
    write_submission(submission, partial)
    os.replace(partial, out)
