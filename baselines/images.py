"""Image classification with a small CNN: what glasses and mics-mnist share.

Images stay uint8 on the device; a batch is augmented there (a random affine warp, flips
where they keep the label, light jitter) and the network scales it itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from baselines.common import BaselineError, Context
from baselines.data import PublicFolder, check_columns, load_images, subsample
from baselines.train import TINY_TRAIN_ROWS, Schedule, accuracy, fit, predict, split, tiny

VALIDATION_FRACTION = 0.1
METRIC = "val_accuracy"


@dataclass(frozen=True)
class Plan:
    schedule: Schedule
    widths: tuple[int, ...]
    convs_per_stage: int
    train_rows: int | None = None  # a subset of the training rows, for quick and tiny runs
    size: int | None = None  # resize the images to size×size first, for quick mode


@dataclass(frozen=True)
class ImageTask:
    id_column: str
    target: str
    labels: tuple[str, ...]
    mode: str  # Pillow's "L" or "RGB"
    flip: bool  # mirroring keeps the label (faces) or not (digits)
    rotate_degrees: float
    shift: float  # as a fraction of the image side
    jitter: float  # brightness and contrast, as a fraction
    quick: Plan
    full: Plan

    def plan(self, ctx: Context) -> Plan:
        if ctx.tiny:
            return replace(
                self.quick, schedule=tiny(self.quick.schedule), train_rows=TINY_TRAIN_ROWS
            )
        return self.quick if ctx.quick else self.full


def conv_block(inputs: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, padding=1, bias=False),
        nn.BatchNorm2d(outputs),
        nn.ReLU(inplace=True),
    )


class Scale(nn.Module):
    """uint8-range pixels to roughly zero mean, unit spread."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x.float() - 127.5) / 64.0


def cnn(channels: int, classes: int, widths: tuple[int, ...], convs_per_stage: int):
    layers: list[nn.Module] = [Scale()]
    for width in widths:
        for _ in range(convs_per_stage):
            layers.append(conv_block(channels, width))
            channels = width
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(
        *layers,
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(channels, classes),
    )


def run_images(ctx: Context, task: ImageTask) -> pd.DataFrame:
    plan = task.plan(ctx)
    train_frame, test_frame, x, x_test = _load(ctx, task, plan)
    y = torch.tensor(_label_indices(train_frame[task.target], task), device=ctx.device)
    fit_rows, val_rows = (
        torch.as_tensor(i, device=ctx.device)
        for i in split(len(x), VALIDATION_FRACTION, ctx.seed, y.cpu().numpy())
    )
    model = cnn(x.shape[1], len(task.labels), plan.widths, plan.convs_per_stage)
    model = model.to(ctx.device, memory_format=torch.channels_last)
    ctx.results["validation"] = fit(
        model,
        x[fit_rows],
        y[fit_rows],
        ctx=ctx,
        schedule=plan.schedule,
        loss_fn=nn.CrossEntropyLoss(label_smoothing=0.05),
        metric=METRIC,
        validate=lambda: accuracy(model, x[val_rows], y[val_rows]),
        augment=lambda xb, yb: (augment(xb, task), yb),
    )
    predicted = predict(model, x_test).argmax(1).numpy()
    return pd.DataFrame(
        {
            task.id_column: test_frame[task.id_column].to_numpy(),
            task.target: np.asarray(task.labels)[predicted],
        }
    )


def _load(ctx: Context, task: ImageTask, plan: Plan):
    with PublicFolder(ctx.data) as public:
        check_columns(public, (task.id_column, task.target))
        train = public.csv("train.csv", (task.id_column, task.target))
        test = public.csv("test.csv", (task.id_column,))
        train = subsample(train, plan.train_rows, ctx.seed)
        x = _images(public.folder("train"), train[task.id_column], task.mode, plan, ctx)
        x_test = _images(public.folder("test"), test[task.id_column], task.mode, plan, ctx)
    return train, test, x, x_test


def _images(folder, ids: pd.Series, mode: str, plan: Plan, ctx: Context) -> torch.Tensor:
    pixels = load_images(folder, [f"{i}.png" for i in ids], mode)
    if pixels.ndim == 3:
        pixels = pixels[:, :, :, None]
    tensor = torch.from_numpy(pixels).permute(0, 3, 1, 2).to(ctx.device)
    if plan.size is not None and plan.size != tensor.shape[-1]:
        tensor = F.interpolate(tensor.float(), size=(plan.size, plan.size), mode="area")
        tensor = tensor.round().to(torch.uint8)
    return tensor.contiguous(memory_format=torch.channels_last)


def _label_indices(values: pd.Series, task: ImageTask) -> np.ndarray:
    index = {label: i for i, label in enumerate(task.labels)}
    unknown = sorted(set(values) - set(index))
    if unknown:
        raise BaselineError(f"train.csv has labels outside {list(task.labels)}: {unknown[:5]}")
    return values.map(index).to_numpy(dtype=np.int64)


def augment(x: torch.Tensor, task: ImageTask) -> torch.Tensor:
    """A random small rotation, zoom and shift per image, then flips and jitter."""
    n, device = len(x), x.device
    angle = (torch.rand(n, device=device) * 2 - 1) * math.radians(task.rotate_degrees)
    zoom = 1 + (torch.rand(n, device=device) * 2 - 1) * 0.1
    shift = (torch.rand(n, 2, device=device) * 2 - 1) * task.shift * 2
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack(
        [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1
    )
    if task.flip:
        theta[:, 0, :2] *= torch.where(torch.rand(n, 1, device=device) < 0.5, -1.0, 1.0)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    padding = "border" if task.flip else "zeros"
    out = F.grid_sample(x.float(), grid, padding_mode=padding, align_corners=False)
    if task.jitter:
        gain = 1 + (torch.rand(n, 1, 1, 1, device=device) * 2 - 1) * task.jitter
        offset = (torch.rand(n, 1, 1, 1, device=device) * 2 - 1) * task.jitter * 127.5
        out = out * gain + offset
    return out.contiguous(memory_format=torch.channels_last)
