"""Metrics: numpy implementations that agree with scikit-learn, each with its direction.

`fn(y_true, y_pred) -> float` takes aligned arrays of the same shape: 1-D for one target
column, 2-D (rows × columns) where the metric accepts several columns. Label targets arrive
as integer codes (any comparable values work). Binary metrics take y_true in {0, 1}.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata
from vsegrader_client.format.spec import TargetKind


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    higher_is_better: bool
    fn: Callable[[np.ndarray, np.ndarray], float]
    target_kinds: frozenset[TargetKind]  # the spec's target kinds it can score
    multi_column: bool = False  # several target columns allowed
    binary: bool = False  # y_true must hold 0/1 and both classes in every scored split
    do_not_call_in_templates = True  # Django templates would call it for `metric.label`

    def __call__(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return self.fn(y_true, y_pred)


def _column_means(values: np.ndarray) -> np.ndarray:
    return values.mean(axis=0)


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(_column_means((y_true - y_pred) ** 2)))


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    # scikit-learn averages the per-column RMSEs, not the root of the overall mean
    return float(np.mean(np.sqrt(_column_means((y_true - y_pred) ** 2))))


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(_column_means(np.abs(y_true - y_pred))))


def mean_column_mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean over output columns of each column's MSE (fitting-5d's metric)."""
    return mse(y_true, y_pred)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    _require_1d(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Unweighted mean of per-class F1 over every class in y_true or y_pred."""
    _require_1d(y_true, y_pred)
    classes, codes = np.unique(np.concatenate([y_true, y_pred]), return_inverse=True)
    true_codes, pred_codes = codes[: len(y_true)], codes[len(y_true) :]
    true_positives = np.bincount(true_codes[true_codes == pred_codes], minlength=len(classes))
    true_counts = np.bincount(true_codes, minlength=len(classes))
    pred_counts = np.bincount(pred_codes, minlength=len(classes))
    return float(np.mean(2 * true_positives / (true_counts + pred_counts)))


def log_loss(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Binary cross-entropy; y_pred is the probability of class 1, clipped like scikit-learn."""
    return float(np.mean(log_loss_terms(y_true, y_pred)))


def log_loss_terms(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Each row's cross-entropy, −log of the probability given to the true class."""
    _require_1d(y_true, y_pred)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    eps = np.finfo(y_pred.dtype).eps
    clipped = np.clip(y_pred, eps, 1 - eps)
    probability_of_truth = np.where(y_true == 1, clipped, np.clip(1 - y_pred, eps, 1 - eps))
    return -np.log(probability_of_truth)


def roc_auc(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Area under the ROC curve via the Mann–Whitney U statistic (ties get average ranks)."""
    _require_1d(y_true, y_pred)
    positives = y_true == 1
    n_pos = int(np.count_nonzero(positives))
    n_neg = len(y_true) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("ROC AUC is undefined when y_true holds only one class")
    rank_sum = average_ranks(y_pred)[positives].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks; tied values share the mean of the ranks they span."""
    return rankdata(values, method="average")


def _require_1d(y_true: np.ndarray, y_pred: np.ndarray) -> None:
    if np.ndim(y_true) != 1 or np.ndim(y_pred) != 1:
        raise ValueError("this metric scores a single target column")


_NUMBERS: frozenset[TargetKind] = frozenset({"float", "probability"})

METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric("mse", "Mean squared error", False, mse, _NUMBERS, multi_column=True),
        Metric("rmse", "Root mean squared error", False, rmse, _NUMBERS, multi_column=True),
        Metric("mae", "Mean absolute error", False, mae, _NUMBERS, multi_column=True),
        Metric(
            "mean_column_mse",
            "Mean over columns of the mean squared error",
            False,
            mean_column_mse,
            _NUMBERS,
            multi_column=True,
        ),
        Metric("accuracy", "Accuracy", True, accuracy, frozenset({"label"})),
        Metric("macro_f1", "Macro-averaged F1 score", True, macro_f1, frozenset({"label"})),
        Metric("log_loss", "Log loss", False, log_loss, frozenset({"probability"}), binary=True),
        Metric("roc_auc", "Area under the ROC curve", True, roc_auc, _NUMBERS, binary=True),
    )
}


def get_metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        known = ", ".join(sorted(METRICS))
        raise ValueError(f"Unknown metric {name!r}; known metrics: {known}") from None
