"""What every baseline shares: the run context, progress events, seeding and the device."""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

ProgressCallback = Callable[[dict], None]


class BaselineError(Exception):
    """A reason to stop that the user can act on (bad slug, missing file, no CUDA)."""


@dataclass
class Context:
    """Everything a baseline module needs besides its data: where, how long, how to report."""

    slug: str
    data: Path
    device: torch.device
    quick: bool = False
    tiny: bool = False  # a smoke run; see baselines.runner.run
    seed: int = 0
    on_progress: ProgressCallback | None = None
    pretrained: bool = True
    results: dict = field(default_factory=dict)

    def emit(self, event: str, **fields) -> None:
        if self.on_progress is not None:
            self.on_progress({"event": event, **fields})

    def phase(self, name: str, epochs: int) -> None:
        self.emit("phase", name=name, epochs=epochs)

    def epoch(self, epoch: int, epochs: int, metric: str, value: float) -> None:
        self.emit("epoch", epoch=epoch, epochs=epochs, metric=metric, value=round(value, 6))


def resolve_device(name: str) -> torch.device:
    if name not in ("auto", "cpu", "cuda"):
        raise BaselineError(f"unknown device {name!r}: use auto, cpu or cuda")
    if name == "cuda" and not torch.cuda.is_available():
        raise BaselineError("CUDA was asked for (--device cuda) but no CUDA device is available")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def seed_everything(seed: int, device: torch.device) -> None:
    """Same seed, same device, same predictions: every RNG seeded, deterministic kernels."""
    # cuBLAS reads this when it first starts; without it deterministic mode raises on CUDA.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True


def autocast(device: torch.device, enabled: bool = True):
    """bf16 on a GPU (several times faster for the CNNs), plain float32 on the CPU."""
    return torch.autocast(
        device.type, dtype=torch.bfloat16, enabled=enabled and device.type == "cuda"
    )


@contextlib.contextmanager
def cpu_threads(device: torch.device, count: int) -> Iterator[None]:
    """Tiny models on a CPU run several times faster on one thread than on many that wait
    for each other, all the more on a machine that other jobs share."""
    if device.type != "cpu":
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)
