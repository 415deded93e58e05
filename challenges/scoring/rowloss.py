"""Per-row losses: each scored row's share of a metric, lower is better whatever the metric.

A metric "decomposes" when its value is a function of the mean of one number per row:
mse, mae and mean_column_mse are that mean, accuracy is 1 − mean 0/1 error, log_loss is the
mean per-row log loss, and rmse is a function of the per-column means of squared errors (its
per-row loss is the squared error, averaged over columns). macro_f1 and roc_auc compare rows
with each other, so they have no per-row loss.
"""

from __future__ import annotations

import numpy as np

from challenges.scoring.metrics import log_loss_terms

SQUARED = frozenset({"mse", "rmse", "mean_column_mse"})
DECOMPOSABLE = frozenset({*SQUARED, "mae", "accuracy", "log_loss"})


def has_row_losses(metric_name: str) -> bool:
    """Whether the metric decomposes per row, and so can drive the Ladder."""
    return metric_name in DECOMPOSABLE


def row_losses(metric_name: str, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray | None:
    """One float64 per row (lower is better), or None if the metric does not decompose."""
    losses = cell_losses(metric_name, y_true, y_pred)
    if losses is None or losses.ndim == 1:
        return losses
    return losses.mean(axis=1)


def cell_losses(metric_name: str, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray | None:
    """Like `row_losses`, but one column per target column for multi-column metrics."""
    if metric_name not in DECOMPOSABLE:
        return None
    if np.shape(y_true) != np.shape(y_pred):
        raise ValueError("y_true and y_pred must have the same shape")
    if metric_name in SQUARED:
        return np.square(np.subtract(y_true, y_pred, dtype=np.float64))
    if metric_name == "mae":
        return np.abs(np.subtract(y_true, y_pred, dtype=np.float64))
    if metric_name == "accuracy":
        return np.not_equal(y_true, y_pred).astype(np.float64)
    return log_loss_terms(y_true, y_pred)
