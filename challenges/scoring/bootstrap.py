"""Percentile bootstrap confidence intervals for a metric on one split (the private rows).

Every metric reuses the same resamples: a (resamples × rows) matrix of row numbers drawn with
replacement from a seeded generator, in fixed-size chunks so that memory stays bounded. Each
metric then turns a chunk into one value per resample, vectorised:

- mean-type metrics (mse, mae, mean_column_mse, log_loss, accuracy) average per-row losses;
- rmse averages the square roots of the per-column mean squared errors, as `metrics.rmse`;
  both are one matrix product with the resamples' row counts, which are cached per shape and
  seed while they fit in one chunk: drawing them cost more than all the rest of scoring;
- macro_f1 counts per-class true positives and class totals with one `bincount` per chunk,
  over the classes present in each resample (as `metrics.macro_f1` does for its input);
- roc_auc counts, per tie group of scores, the weight of positives and negatives, which gives
  the Mann–Whitney statistic (ties count one half) without sorting each resample.

Any other metric falls back to calling it once per resample. A resample on which the metric
is undefined (roc_auc with one class only) is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache

import numpy as np

from challenges.scoring.metrics import get_metric
from challenges.scoring.rowloss import DECOMPOSABLE, cell_losses

CHUNK_DRAWS = 1 << 21  # row numbers drawn at once: 16 MB of int64, ~1,500 resamples of 1,400

Statistic = Callable[[np.ndarray], np.ndarray]  # (resamples × rows) row numbers -> values


def bootstrap_ci(
    metric_name: str,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    n_resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """The `level` percentile interval of the metric over resampled rows; same seed, same CI."""
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    values = resampled_scores(metric_name, y_true, y_pred, n_resamples=n_resamples, seed=seed)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        raise ValueError(f"{metric_name} is undefined on every resample")
    tail = (1 - level) / 2
    low, high = np.quantile(values, [tail, 1 - tail])
    return float(low), float(high)


def resampled_scores(
    metric_name: str,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    vectorised: bool = True,
) -> np.ndarray:
    """The metric on each of `n_resamples` bootstrap resamples (NaN where it is undefined).

    `vectorised=False` calls the metric itself on every resample: slow, for cross-checks.
    """
    rows = len(y_true)
    if rows == 0 or n_resamples < 1:
        raise ValueError("a bootstrap needs at least one row and one resample")
    if np.shape(y_true) != np.shape(y_pred):
        raise ValueError("y_true and y_pred must have the same shape")
    per_row = mean_type_losses(metric_name, y_true, y_pred) if vectorised else None
    if per_row is not None and rows * n_resamples <= CHUNK_DRAWS:
        means = _resample_counts(rows, n_resamples, seed) @ per_row / rows
        return np.sqrt(means).mean(axis=1) if metric_name == "rmse" else means
    if vectorised:
        statistic = statistic_for(metric_name, y_true, y_pred)
    else:
        statistic = _each_resample(metric_name, y_true, y_pred)
    rng = np.random.default_rng(seed)
    return np.concatenate([statistic(chunk) for chunk in _resamples(rng, rows, n_resamples)])


def _resamples(rng: np.random.Generator, rows: int, n_resamples: int) -> Iterator[np.ndarray]:
    per_chunk = max(1, CHUNK_DRAWS // rows)
    for start in range(0, n_resamples, per_chunk):
        count = min(per_chunk, n_resamples - start)
        # np.take with native intp indices gathers several times faster than int32 indices
        yield rng.integers(0, rows, size=(count, rows), dtype=np.intp)


@lru_cache(maxsize=4)
def _resample_counts(rows: int, n_resamples: int, seed: int) -> np.ndarray:
    """How often each row is drawn in each resample: (resamples × rows), the same draws as
    `_resamples` makes. At most CHUNK_DRAWS cells (16 MB); read-only, as it is shared."""
    draws = next(_resamples(np.random.default_rng(seed), rows, n_resamples))
    cells = draws + np.arange(n_resamples)[:, None] * rows
    counts = np.bincount(cells.ravel(), minlength=n_resamples * rows)
    counts = counts.reshape(n_resamples, rows).astype(np.float64)
    counts.flags.writeable = False
    return counts


def mean_type_losses(metric_name: str, y_true: np.ndarray, y_pred: np.ndarray):
    """Per-row values whose resampled means give the metric (rmse: per-column squared errors,
    whose means are rooted and averaged), or None for the other metrics."""
    if metric_name == "rmse":
        squared = cell_losses("rmse", y_true, y_pred)
        return squared if squared.ndim == 2 else squared[:, None]
    if metric_name == "accuracy":
        return np.equal(y_true, y_pred).astype(np.float64)
    if metric_name in DECOMPOSABLE:
        losses = cell_losses(metric_name, y_true, y_pred)
        return losses if losses.ndim == 1 else losses.mean(axis=1)
    return None


def statistic_for(metric_name: str, y_true: np.ndarray, y_pred: np.ndarray) -> Statistic:
    if metric_name == "rmse":
        return _root_mean_columns(cell_losses("rmse", y_true, y_pred))
    if metric_name == "accuracy":
        correct = np.equal(y_true, y_pred).astype(np.float64)
        return lambda rows: correct.take(rows).mean(axis=1)
    if metric_name in DECOMPOSABLE:
        losses = cell_losses(metric_name, y_true, y_pred)
        losses = losses if losses.ndim == 1 else losses.mean(axis=1)
        return lambda rows: losses.take(rows).mean(axis=1)
    if metric_name == "macro_f1":
        return _macro_f1(y_true, y_pred)
    if metric_name == "roc_auc":
        return _roc_auc(y_true, y_pred)
    return _each_resample(metric_name, y_true, y_pred)


def _root_mean_columns(squared: np.ndarray) -> Statistic:
    columns = [squared] if squared.ndim == 1 else [np.ascontiguousarray(c) for c in squared.T]

    def statistic(rows: np.ndarray) -> np.ndarray:
        roots = [np.sqrt(column.take(rows).mean(axis=1)) for column in columns]
        return np.mean(roots, axis=0)

    return statistic


def _macro_f1(y_true: np.ndarray, y_pred: np.ndarray) -> Statistic:
    _, codes = np.unique(np.concatenate([y_true, y_pred]), return_inverse=True)
    classes = int(codes.max()) + 1
    true_codes, pred_codes = codes[: len(y_true)], codes[len(y_true) :]
    hits = true_codes == pred_codes

    def statistic(rows: np.ndarray) -> np.ndarray:
        offsets = np.arange(len(rows))[:, None] * classes
        true_bins = offsets + true_codes.take(rows)
        true_counts = _counts(true_bins, len(rows), classes)
        pred_counts = _counts(offsets + pred_codes.take(rows), len(rows), classes)
        true_positives = _counts(true_bins[hits.take(rows)], len(rows), classes)
        present = (true_counts + pred_counts) > 0  # classes seen in this resample
        f1 = np.divide(
            2 * true_positives,
            true_counts + pred_counts,
            where=present,
            out=np.zeros(true_counts.shape),
        )
        return f1.sum(axis=1) / present.sum(axis=1)

    return statistic


def _roc_auc(y_true: np.ndarray, y_pred: np.ndarray) -> Statistic:
    positives = y_true == 1
    # tie groups of scores, numbered in increasing order of score
    _, groups = np.unique(np.asarray(y_pred, dtype=np.float64), return_inverse=True)
    group_count = int(groups.max()) + 1

    def statistic(rows: np.ndarray) -> np.ndarray:
        bins = np.arange(len(rows))[:, None] * group_count + groups.take(rows)
        chosen = positives.take(rows)
        positive = _counts(bins[chosen], len(rows), group_count)
        negative = _counts(bins[~chosen], len(rows), group_count)
        negatives_below = np.cumsum(negative, axis=1) - negative
        wins = (positive * (negatives_below + negative / 2)).sum(axis=1)
        pairs = positive.sum(axis=1) * negative.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(pairs > 0, wins / pairs, np.nan)

    return statistic


def _counts(bins: np.ndarray, resamples: int, width: int) -> np.ndarray:
    flat = np.bincount(bins.ravel(), minlength=resamples * width)
    return flat.reshape(resamples, width).astype(np.float64)


def _each_resample(metric_name: str, y_true: np.ndarray, y_pred: np.ndarray) -> Statistic:
    metric = get_metric(metric_name)

    def one(rows: np.ndarray) -> float:
        try:
            return metric(y_true.take(rows, axis=0), y_pred.take(rows, axis=0))
        except ValueError:  # undefined on this resample
            return float("nan")

    return lambda chunk: np.array([one(rows) for rows in chunk], dtype=np.float64)
