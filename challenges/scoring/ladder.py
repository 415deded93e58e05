"""The parameter-free Ladder: a public leaderboard that only moves on a significant improvement.

Blum & Hardt, "The Ladder: A Reliable Leaderboard for Machine Learning Competitions", ICML
2015 (arXiv:1502.04585), Algorithm 2, as implemented by the authors in Ladder.jl
(github.com/mrtzh/Ladder.jl, src/Ladder.jl, `score!(::FreeLadder, …)`):

    R_0 = ∞; the leader's loss vector starts as all zeros
    for each new submission f_t with per-row losses l_t on the n public rows:
        s = std(l_t − l_leader)              sample standard deviation (Julia's `std`, ddof=1)
        if mean(l_t) < R_{t−1} − s / √n:     "one sided paired t-test"
            R_t = mean(l_t); the leader becomes f_t
        else:
            R_t = R_{t−1}                    the displayed score does not change

So a submission replaces the displayed one only when its mean loss is lower by more than one
standard error of the paired per-row differences; the first one is always shown. Rounding:
the parameter-free variant releases the loss as it is (Ladder.jl stores `l.current = loss`);
only the fixed-step Ladder (Algorithm 1) rounds, to its step η. So nothing is rounded here,
and the displayed score is the accepted submission's own metric score.

Losses are "lower is better" whatever the metric (see rowloss.py): for accuracy the loss is
the 0/1 error, for rmse the squared error. Metrics without per-row losses (macro_f1, roc_auc)
cannot use the Ladder.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# A difference this close to the threshold, relative to the losses, is float round-off: the
# paper's inequality is strict, so such a tie is not an improvement.
ROUND_OFF = 64 * np.finfo(np.float64).eps


@dataclass(frozen=True)
class LadderStep:
    accepted: bool
    improvement: float  # mean(best) − mean(new); positive when the new one is better
    standard_error: float  # std(new − best, ddof=1) / √n; inf for the first submission


def ladder_step(new_losses: np.ndarray, best_losses: np.ndarray | None) -> LadderStep:
    """The Ladder's decision on `new_losses` against the displayed submission's losses."""
    new = _losses(new_losses)
    if best_losses is None:
        return LadderStep(accepted=True, improvement=math.inf, standard_error=math.inf)
    best = _losses(best_losses)
    if new.shape != best.shape:
        raise ValueError("both submissions must have a loss for each of the same public rows")
    differences = new - best
    improvement = -float(differences.mean())
    error = standard_error(differences)
    scale = max(float(np.abs(new).mean()), float(np.abs(best).mean()))
    accepted = improvement - error > ROUND_OFF * scale
    return LadderStep(accepted=accepted, improvement=improvement, standard_error=error)


def ladder_accepts(new_losses: np.ndarray, best_losses: np.ndarray | None) -> bool:
    """True if the new submission becomes the displayed one (always for the first)."""
    return ladder_step(new_losses, best_losses).accepted


def ladder_replay(losses: Sequence[np.ndarray]) -> list[int]:
    """For each submission in time order, the index of the one displayed after it arrived."""
    displayed: list[int] = []
    best: np.ndarray | None = None
    for index, submission in enumerate(losses):
        if ladder_accepts(submission, best):
            best = submission
            displayed.append(index)
        else:
            displayed.append(displayed[-1])
    return displayed


def standard_error(differences: np.ndarray) -> float:
    """Sample standard deviation (ddof=1) over √n; 0 for a single row, which has no spread."""
    n = len(differences)
    if n < 2:
        return 0.0
    return float(np.std(differences, ddof=1) / math.sqrt(n))


def _losses(values: np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or len(array) == 0:
        raise ValueError("per-row losses must be a non-empty 1-D array")
    return array
