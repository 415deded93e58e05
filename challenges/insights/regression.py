"""Regression results: residuals, MSE per output column, residual histograms. Pure numpy."""

from __future__ import annotations

import numpy as np

PLOT_POINTS = 400
HISTOGRAM_BINS = 20


def residuals(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Prediction minus truth, row by row (and column by column)."""
    return np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)


def column_mse(y_true: np.ndarray, y_pred: np.ndarray) -> list[float]:
    r = residuals(y_true, y_pred).reshape(len(y_true), -1)
    return [float(v) for v in np.mean(r**2, axis=0)]


def histogram(values: np.ndarray, bins: int = HISTOGRAM_BINS) -> dict:
    values = np.asarray(values, dtype=float)
    counts, edges = np.histogram(values, bins=bins)
    return {"counts": [int(c) for c in counts], "edges": [float(e) for e in edges]}


def curve_points(x: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, limit=PLOT_POINTS):
    """(x, truth, prediction, residual) rows sorted by x, evenly thinned to `limit`."""
    order = np.argsort(np.asarray(x, dtype=float), kind="stable")
    if len(order) > limit:
        order = order[np.linspace(0, len(order) - 1, limit).astype(int)]
    r = residuals(y_true, y_pred)
    return [
        [
            round(float(x[i]), 5),
            round(float(y_true[i]), 5),
            round(float(y_pred[i]), 5),
            round(float(r[i]), 5),
        ]
        for i in order
    ]
