"""Class-level statistics: percentiles, shake-up, overfitting, hardest rows. Pure numpy."""

from __future__ import annotations

import numpy as np

HARDEST = 12


def percentile(score: float, scores: list[float], higher_is_better: bool) -> float:
    """Share of the class (in %) this score is at least as good as, the student included."""
    values = np.asarray(scores, dtype=float)
    beaten = values <= score if higher_is_better else values >= score
    return float(100.0 * beaten.sum() / len(values)) if len(values) else 100.0


def ranks(scores: list[float], higher_is_better: bool) -> list[int]:
    """1-based ranks (the best is 1); equal scores keep their order."""
    values = np.asarray(scores, dtype=float)
    order = np.argsort(-values if higher_is_better else values, kind="stable")
    result = np.empty(len(values), dtype=int)
    result[order] = np.arange(1, len(values) + 1)
    return [int(r) for r in result]


def shakeup(public: list[float], private: list[float], higher_is_better: bool) -> list[list[int]]:
    """[public rank, private rank] of each participant, in the input order."""
    return [
        list(pair)
        for pair in zip(
            ranks(public, higher_is_better), ranks(private, higher_is_better), strict=True
        )
    ]


def overfitting(
    public: list[float], private: list[float], entries: list[int], higher_is_better: bool
) -> list[list[float]]:
    """[submissions made, public − private gap] per participant; a positive gap means the
    public board flattered them (for a lower-is-better metric the sign is turned)."""
    sign = 1.0 if higher_is_better else -1.0
    return [
        [int(n), sign * (float(a) - float(b))]
        for a, b, n in zip(public, private, entries, strict=True)
    ]


def hardest_rows(wrong: np.ndarray, rows: np.ndarray, limit: int = HARDEST) -> list[list[int]]:
    """[row, how many got it wrong] for the rows of `rows` most often wrong across the class;
    `wrong` is students × solution rows (bool)."""
    counts = np.asarray(wrong, dtype=np.int64).sum(axis=0)
    picked = rows[np.argsort(-counts[rows], kind="stable")][:limit]
    return [[int(r), int(counts[r])] for r in picked if counts[r] > 0]
