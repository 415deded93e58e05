"""Integrity signals: pairs of students whose final predictions agree more than chance allows.

Classification: two students who worked independently still share the errors on rows that
are hard for everybody, so the null model weighs each row by how often the class misses it.
Student i misses row r with probability p_ir = e_i * q_r / sum(q), where e_i is how many rows
i got wrong and q_r the class's (smoothed) error rate on r; under independence the overlap of
wrong rows of i and j has mean sum_r p_ir p_jr and variance sum_r p(1 - p) with p = p_ir p_jr.
The p-value of the observed overlap is Bernstein's bound on that sum of independent
Bernoulli variables (conservative: never smaller than the true tail), and a pair is flagged
when it stays under `alpha` after multiplying by the number of pairs (Bonferroni).

Regression: every student's residuals share the noise of the truth, so residuals are taken
against the class's median prediction; a pair is flagged when the correlation of those
centred residuals is too large for independent students (Fisher's z, Bonferroni).

Identical predictions (on every scored row) are flagged whatever the test says, unless both
are perfect. Pure numpy; no Django.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

DEFAULT_ALPHA = 0.01
MIN_STUDENTS_FOR_DIFFICULTY = 10  # fewer: every row is taken as equally hard


@dataclass(frozen=True)
class Flag:
    a: int  # indices into the students passed in
    b: int
    kind: str  # "identical", "errors" or "residuals"
    rows: int  # rows compared
    observed: float  # wrong rows in common, or the residuals' correlation
    expected: float  # under independence
    log10_p: float  # of the pair, before the correction
    corrected_p: float

    def as_dict(self) -> dict:
        return asdict(self)


def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n, k=1)


def _bernstein_log_p(excess: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """log P(X - mean >= excess) bound for sums of independent [0, 1] variables."""
    t = np.maximum(excess, 0.0)
    return -(t**2) / (2.0 * (variance + t / 3.0) + 1e-12)


def error_overlap_flags(wrong: np.ndarray, *, alpha: float = DEFAULT_ALPHA) -> list[Flag]:
    """`wrong`: students × rows, True where the student's prediction is wrong."""
    w = np.asarray(wrong, dtype=np.float64)
    students, rows = w.shape
    if students < 2 or rows == 0:
        return []
    errors = w.sum(axis=1)
    if students >= MIN_STUDENTS_FOR_DIFFICULTY:
        q = (w.sum(axis=0) + 1.0) / (students + 2.0)
    else:
        q = np.ones(rows)
    p = np.clip(np.outer(errors, q / q.sum()), 0.0, 1.0)
    expected = p @ p.T
    variance = expected - (p**2) @ (p**2).T
    observed = w @ w.T
    i, j = _pairs(students)
    log_p = _bernstein_log_p(observed[i, j] - expected[i, j], variance[i, j])
    threshold = math.log(alpha / len(i))
    hits = np.flatnonzero(log_p < threshold)
    return [
        Flag(
            int(i[k]),
            int(j[k]),
            "errors",
            rows,
            float(observed[i[k], j[k]]),
            round(float(expected[i[k], j[k]]), 2),
            float(log_p[k] / math.log(10)),
            _corrected(log_p[k], len(i)),
        )
        for k in hits
    ]


def residual_flags(predictions: np.ndarray, *, alpha: float = DEFAULT_ALPHA) -> list[Flag]:
    """`predictions`: students × values (every output column of every scored row)."""
    y = np.asarray(predictions, dtype=np.float64)
    students, rows = y.shape
    if students < 3 or rows < 4:
        return []
    centred = y - np.median(y, axis=0)
    centred -= centred.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1)
    norms[norms == 0] = 1.0
    unit = centred / norms[:, None]
    corr = np.clip(unit @ unit.T, -0.999999, 0.999999)
    i, j = _pairs(students)
    z = np.arctanh(corr[i, j]) * math.sqrt(rows - 3)
    log_p = np.array([_normal_log_sf(v) for v in z])
    threshold = math.log(alpha / len(i))
    return [
        Flag(
            int(i[k]),
            int(j[k]),
            "residuals",
            rows,
            round(float(corr[i[k], j[k]]), 4),
            0.0,
            float(log_p[k] / math.log(10)),
            _corrected(log_p[k], len(i)),
        )
        for k in np.flatnonzero(log_p < threshold)
    ]


def identical_flags(predictions: np.ndarray, wrong_counts: np.ndarray) -> list[Flag]:
    """Pairs whose predictions are equal on every row, unless neither made an error."""
    y = np.asarray(predictions)
    if len(y) < 2:
        return []
    flat = y.reshape(len(y), -1)
    groups: dict[bytes, list[int]] = {}
    for index, row in enumerate(flat):
        groups.setdefault(np.ascontiguousarray(row).tobytes(), []).append(index)
    flags = []
    for members in groups.values():
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                if wrong_counts[a] > 0 or wrong_counts[b] > 0:
                    flags.append(
                        Flag(
                            a, b, "identical", flat.shape[1], float(flat.shape[1]), 0.0, -999.0, 0.0
                        )
                    )
    return flags


def _normal_log_sf(z: float) -> float:
    if z < 5:
        return math.log(max(0.5 * math.erfc(z / math.sqrt(2)), 1e-300))
    return -0.5 * z * z - math.log(z * math.sqrt(2 * math.pi))  # the tail's asymptote


def _corrected(log_p: float, pairs: int) -> float:
    return float(min(1.0, math.exp(log_p) * pairs))


def merge(*groups: list[Flag]) -> list[Flag]:
    """One flag per pair: identical first, then the strongest evidence."""
    best: dict[tuple[int, int], Flag] = {}
    rank = {"identical": 0, "errors": 1, "residuals": 1}
    for flag in (f for group in groups for f in group):
        key = (flag.a, flag.b)
        old = best.get(key)
        if old is None or (rank[flag.kind], flag.log10_p) < (rank[old.kind], old.log10_p):
            best[key] = flag
    return sorted(best.values(), key=lambda f: (rank[f.kind], f.log10_p))
