"""Classification results: confusion matrix, per-class accuracy, wrong rows. Pure numpy."""

from __future__ import annotations

import numpy as np

WRONG_EXAMPLES = 12


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_labels: int) -> np.ndarray:
    """counts[t, p]: rows whose true label code is t and predicted code is p."""
    flat = np.asarray(y_true, dtype=np.int64) * n_labels + np.asarray(y_pred, dtype=np.int64)
    return np.bincount(flat, minlength=n_labels * n_labels).reshape(n_labels, n_labels)


def per_class_accuracy(matrix: np.ndarray) -> list[float | None]:
    """Recall of each true class; None for a class without rows."""
    totals = matrix.sum(axis=1)
    return [None if total == 0 else float(matrix[i, i] / total) for i, total in enumerate(totals)]


def wrong_rows(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    rows: np.ndarray,
    *,
    difficulty=None,
    limit=WRONG_EXAMPLES,
) -> list[int]:
    """Up to `limit` solution rows (of `rows`) predicted wrongly; with `difficulty` (how many
    classmates got each solution row wrong) the rows fewest classmates missed come first,
    as those are the ones a student can learn the most from."""
    wrong = rows[np.asarray(y_true)[rows] != np.asarray(y_pred)[rows]]
    if difficulty is not None and len(wrong):
        wrong = wrong[np.argsort(difficulty[wrong], kind="stable")]
    return [int(r) for r in wrong[:limit]]
