"""One training loop for every baseline: AdamW, one-cycle schedule, tqdm, a figure per epoch.

Data lives in tensors on the device (the demo sets are small), so batches are index slices
of a seeded permutation and augmentation runs on the device: no loader processes, no
nondeterminism from them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from baselines.common import Context, autocast

Batch = tuple[torch.Tensor, torch.Tensor]

# A tiny run proves the pipeline (reading, training, predicting, writing), not the model.
TINY_EPOCHS = 1
TINY_TRAIN_ROWS = 48  # enough for each of ten classes to turn up a few times


@dataclass(frozen=True)
class Schedule:
    epochs: int
    lr: float
    batch_size: int
    weight_decay: float = 0.0


def tiny(schedule: Schedule) -> Schedule:
    """The schedule of a tiny run: the same settings for TINY_EPOCHS epochs."""
    return replace(schedule, epochs=TINY_EPOCHS)


def split(n: int, fraction: float, seed: int, labels: np.ndarray | None = None):
    """Train and held-out indices; stratified by label when labels are given."""
    rng = np.random.default_rng(seed)
    if labels is None:
        order = rng.permutation(n)
        held = max(1, int(round(n * fraction)))
        return np.sort(order[held:]), np.sort(order[:held])
    train, val = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        held = max(1, int(round(len(members) * fraction)))
        val.append(members[:held])
        train.append(members[held:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(val))


def fit(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    ctx: Context,
    schedule: Schedule,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    validate: Callable[[], float],
    metric: str,
    augment: Callable[[torch.Tensor, torch.Tensor], Batch] | None = None,
    amp: bool = True,
) -> float:
    """Trains in place; returns the last held-out figure."""
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        params, lr=schedule.lr, weight_decay=schedule.weight_decay, fused=x.device.type == "cuda"
    )
    steps_per_epoch = -(-len(x) // schedule.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, schedule.lr, total_steps=schedule.epochs * steps_per_epoch, pct_start=0.2
    )
    value = float("nan")
    bar = progress_bar(ctx, schedule.epochs * steps_per_epoch, "train")
    try:
        for epoch in range(1, schedule.epochs + 1):
            model.train()
            for index in _batches(len(x), schedule.batch_size, x.device):
                xb, yb = x[index], y[index]
                if augment is not None:
                    xb, yb = augment(xb, yb)
                with autocast(x.device, amp):
                    loss = loss_fn(model(xb), yb)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                scheduler.step()
                bar.update()
            value = validate()
            report_epoch(ctx, bar, epoch, schedule.epochs, metric, value)
    finally:
        bar.close()
    return value


def progress_bar(ctx: Context, steps: int, phase: str) -> tqdm:
    return tqdm(
        total=steps,
        desc=f"{ctx.slug} {phase}",
        unit="step",
        mininterval=1.0,
        leave=False,
        file=sys.stderr,
    )


def report_epoch(
    ctx: Context, bar: tqdm, epoch: int, epochs: int, metric: str, value: float
) -> None:
    """The held-out figure: on the bar, as a line on stderr, and as a progress event."""
    bar.set_postfix({metric: f"{value:.4g}"})
    tqdm.write(f"{ctx.slug}: epoch {epoch}/{epochs} {metric} {value:.4f}", file=sys.stderr)
    ctx.epoch(epoch, epochs, metric, value)


def _batches(n: int, size: int, device: torch.device):
    order = torch.randperm(n, device="cpu").to(device)
    for start in range(0, n, size):
        yield order[start : start + size]


@torch.no_grad()
def predict(
    model: nn.Module, x: torch.Tensor, batch_size: int = 512, amp: bool = True
) -> torch.Tensor:
    """Model outputs for all of x, in float32 on the CPU."""
    model.eval()
    outputs = []
    for start in range(0, len(x), batch_size):
        with autocast(x.device, amp):
            outputs.append(model(x[start : start + batch_size]).float().cpu())
    return torch.cat(outputs)


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return (predict(model, x).argmax(1) == y.cpu()).float().mean().item()
