"""Tabular regression with an MLP: what fitting-1d and fitting-5d share.

Inputs and targets are standardised on the training rows; the reported figure is the mean
squared error in the targets' own units on the held-out rows, i.e. the challenge's metric.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from baselines.common import Context, cpu_threads
from baselines.data import PublicFolder, check_columns, subsample
from baselines.train import TINY_TRAIN_ROWS, Schedule, fit, predict, split, tiny

VALIDATION_FRACTION = 0.1


@dataclass(frozen=True)
class Task:
    id_column: str
    inputs: tuple[str, ...]
    targets: tuple[str, ...]
    metric: str
    width: int
    depth: int
    quick: Schedule
    full: Schedule

    def schedule(self, ctx: Context) -> Schedule:
        if ctx.tiny:
            return tiny(self.quick)
        return self.quick if ctx.quick else self.full


def mlp(inputs: int, outputs: int, width: int, depth: int) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Linear(inputs, width), nn.SiLU()]
    for _ in range(depth - 1):
        layers += [nn.Linear(width, width), nn.SiLU()]
    return nn.Sequential(*layers, nn.Linear(width, outputs))


class Standardised(nn.Module):
    """Wraps a network so that it takes and returns values in the data's own units."""

    def __init__(self, net: nn.Module, x: torch.Tensor, y: torch.Tensor):
        super().__init__()
        self.net = net
        for name, values in (("x", x), ("y", y)):
            self.register_buffer(f"{name}_mean", values.mean(0))
            self.register_buffer(f"{name}_std", values.std(0).clamp_min(1e-8))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(self.scaled_input(x)) * self.y_std + self.y_mean

    def scaled_input(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.x_mean) / self.x_std

    def scaled_loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """MSE in standardised units, so each output weighs the same whatever its scale."""
        return (((out - y) / self.y_std) ** 2).mean()


def run_regression(ctx: Context, task: Task) -> pd.DataFrame:
    with PublicFolder(ctx.data) as public:
        check_columns(public, (task.id_column, *task.targets))
        train = public.csv("train.csv", (task.id_column, *task.inputs, *task.targets))
        train = subsample(train, TINY_TRAIN_ROWS if ctx.tiny else None, ctx.seed)
        test = public.csv("test.csv", (task.id_column, *task.inputs))
    x, y = _tensor(train, task.inputs, ctx), _tensor(train, task.targets, ctx)
    fit_rows, val_rows = (
        torch.as_tensor(i, device=ctx.device) for i in split(len(x), VALIDATION_FRACTION, ctx.seed)
    )
    net = mlp(len(task.inputs), len(task.targets), task.width, task.depth)
    model = Standardised(net, x[fit_rows], y[fit_rows]).to(ctx.device)
    with cpu_threads(ctx.device, 1):
        ctx.results["validation"] = fit(
            model,
            x[fit_rows],
            y[fit_rows],
            ctx=ctx,
            schedule=task.schedule(ctx),
            loss_fn=model.scaled_loss,
            metric=task.metric,
            amp=False,
            validate=lambda: _mse(model, x[val_rows], y[val_rows]),
        )
    predictions = predict(model, _tensor(test, task.inputs, ctx), amp=False).numpy()
    return _submission(test[task.id_column], task.targets, predictions)


def _tensor(frame: pd.DataFrame, columns, ctx: Context) -> torch.Tensor:
    values = frame[list(columns)].to_numpy(dtype=np.float32)
    return torch.tensor(values, device=ctx.device)


def _mse(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean over columns of each column's MSE, which for one column is plain MSE."""
    return float(((predict(model, x, amp=False) - y.cpu()) ** 2).mean())


def _submission(ids: pd.Series, targets, predictions: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(predictions, columns=list(targets))
    frame.insert(0, ids.name, ids.to_numpy())
    return frame
