"""Benchmark: the boosting attack against the public board, standard and with the Ladder.

The attack (Blum & Hardt 2015, section 6): submit k random label vectors, keep those the
board says are above chance, submit their majority vote. On a standard board the vote's
public accuracy climbs well above chance while its private accuracy stays at chance. With
the Ladder the attacker sees only what the Ladder releases: a vector is kept when the Ladder
accepted it (its own score is shown, `ladder_accepted`) and that score is above chance.

Pure: the site's own scoring code (challenges.scoring metrics, per-row losses and
`ladder_step`), no database. Medians over seeds.

Run: .venv/bin/python bench/ladder.py [--public 600] [--k 150] [--seeds 51]
     [--paper-public 4000] [--paper-k 150]
Expect: on `glasses`' 600 public rows with k = 150 the standard board shows about 0.61
while the Ladder shows about 0.55: what is left is its first, always shown, submission and
a step or two of one standard error (about 0.03 between two random label vectors on 600
rows); the vote gains nothing. At the paper's 4,000 public rows the standard board gains
about +0.04 and the Ladder about +0.015 (k = 150); with more submissions the standard
board's gain grows like √k (k = 1200: +0.12), the Ladder's only slowly (+0.02).
Last line: n_public=… k=… standard_public=… standard_private=… ladder_shown=… ladder_private=…
(the glasses size), then the same figures at the paper's size prefixed `paper_`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from challenges.scoring.ladder import ladder_step  # noqa: E402
from challenges.scoring.metrics import accuracy  # noqa: E402
from challenges.scoring.rowloss import row_losses  # noqa: E402

CHANCE = 0.5


@dataclass(frozen=True)
class Outcome:
    public: float  # what the board shows for the attacker at the end
    private: float  # the private accuracy of the attacker's final submission


class StandardBoard:
    def __init__(self, truth: np.ndarray):
        self.truth = truth

    def submit(self, guess: np.ndarray) -> float | None:
        """The shown score, if this submission's own score is shown."""
        return accuracy(self.truth, guess)

    def shown(self, final_score: float) -> float:
        return final_score


class LadderBoard:
    def __init__(self, truth: np.ndarray):
        self.truth = truth
        self.best_losses: np.ndarray | None = None
        self.best_score = float("nan")

    def submit(self, guess: np.ndarray) -> float | None:
        losses = row_losses("accuracy", self.truth, guess)
        if not ladder_step(losses, self.best_losses).accepted:
            return None  # the shown score stays: the attacker learns nothing new
        self.best_losses, self.best_score = losses, accuracy(self.truth, guess)
        return self.best_score

    def shown(self, final_score: float) -> float:
        return self.best_score


def majority(guesses: list[np.ndarray], rng: np.random.Generator, size: int) -> np.ndarray:
    if not guesses:
        return rng.integers(0, 2, size)
    votes = np.mean(guesses, axis=0)
    ties = rng.integers(0, 2, size)
    return np.where(votes > 0.5, 1, np.where(votes < 0.5, 0, ties))


def attack(board_class, n_public: int, n_private: int, k: int, seed: int) -> Outcome:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n_public + n_private)
    public, private = truth[:n_public], truth[n_public:]
    board = board_class(public)
    kept = []
    for _ in range(k):
        guess = rng.integers(0, 2, n_public + n_private)
        shown = board.submit(guess[:n_public])
        if shown is not None and shown > CHANCE:
            kept.append(guess)
    vote = majority(kept, rng, n_public + n_private)
    final_public = board.submit(vote[:n_public])
    shown = board.shown(final_public if final_public is not None else float("nan"))
    return Outcome(public=shown, private=accuracy(private, vote[n_public:]))


def medians(board_class, n_public: int, k: int, seeds: int) -> Outcome:
    runs = [attack(board_class, n_public, n_public, k, seed) for seed in range(seeds)]
    return Outcome(
        public=statistics.median(r.public for r in runs),
        private=statistics.median(r.private for r in runs),
    )


def figures(n_public: int, k: int, seeds: int, prefix: str = "") -> str:
    standard = medians(StandardBoard, n_public, k, seeds)
    ladder = medians(LadderBoard, n_public, k, seeds)
    print(
        f"{n_public} public rows, k = {k}, median of {seeds} seeds: standard board shows "
        f"{standard.public:.3f} (private {standard.private:.3f}, gain "
        f"{standard.public - CHANCE:+.3f}); the Ladder shows {ladder.public:.3f} (private "
        f"{ladder.private:.3f}, gain {ladder.public - CHANCE:+.3f})"
    )
    values = {
        "n_public": n_public,
        "k": k,
        "standard_public": f"{standard.public:.4f}",
        "standard_private": f"{standard.private:.4f}",
        "ladder_shown": f"{ladder.public:.4f}",
        "ladder_private": f"{ladder.private:.4f}",
    }
    return " ".join(f"{prefix}{key}={value}" for key, value in values.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--public", type=int, default=600, help="public rows (glasses: 600)")
    parser.add_argument("--k", type=int, default=150, help="random submissions")
    parser.add_argument("--seeds", type=int, default=51)
    parser.add_argument("--paper-public", type=int, default=4000)
    parser.add_argument("--paper-k", type=int, default=150)
    args = parser.parse_args()
    started = time.perf_counter()
    glasses = figures(args.public, args.k, args.seeds)
    paper = figures(args.paper_public, args.paper_k, args.seeds, prefix="paper_")
    print(f"{time.perf_counter() - started:.1f} s")
    print(f"{glasses} {paper}")


if __name__ == "__main__":
    main()
