"""Simulated classes for measuring the integrity detector (tests and bench/integrity.py)."""

from __future__ import annotations

import numpy as np


def independent_class(
    rng, *, students: int, rows: int, classes: int = 2, accuracy: tuple[float, float] = (0.8, 0.9)
):
    """Truth codes and students × rows predictions: each student has an accuracy drawn from
    `accuracy`, rows differ in how hard they are, and students err independently."""
    truth = rng.integers(0, classes, size=rows)
    hardness = rng.beta(0.6, 0.6, size=rows)  # some rows easy for all, some hard for all
    skill = rng.uniform(*accuracy, size=students)
    error_rate = np.clip((1 - skill)[:, None] * 2 * hardness[None, :], 0, 0.95)
    wrong = rng.random((students, rows)) < error_rate
    shift = rng.integers(1, classes, size=(students, rows))
    predictions = np.where(wrong, (truth[None, :] + shift) % classes, truth[None, :])
    return truth, predictions


def planted_copy(rng, source: np.ndarray, *, changed: float, classes: int = 2) -> np.ndarray:
    """A copy of `source` with a share `changed` of its rows given another label."""
    copy = source.copy()
    rows = rng.choice(len(copy), size=int(round(changed * len(copy))), replace=False)
    copy[rows] = (copy[rows] + rng.integers(1, classes, size=len(rows))) % classes
    return copy
