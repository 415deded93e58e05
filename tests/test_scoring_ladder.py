"""The parameter-free Ladder (Blum & Hardt 2015, Algorithm 2): pure, no database."""

from __future__ import annotations

import math

import numpy as np
import pytest

from challenges.scoring import ladder_accepts, ladder_replay, ladder_step

# The example of the authors' Ladder.jl README: holdout labels [1, 0, 1, 1, 1, 0] and three
# submissions scored with the 0/1 loss.
#   sub1 predicts [0, 0, 0, 0, 0, 0] -> losses [1, 0, 1, 1, 1, 0], mean 4/6
#   sub2 predicts [1, 0, 0, 0, 0, 0] -> losses [0, 0, 1, 1, 1, 0], mean 3/6
#   sub3 predicts [1, 0, 1, 0, 0, 0] -> losses [0, 0, 0, 1, 1, 0], mean 2/6
SUB1 = np.array([1, 0, 1, 1, 1, 0], dtype=float)
SUB2 = np.array([0, 0, 1, 1, 1, 0], dtype=float)
SUB3 = np.array([0, 0, 0, 1, 1, 0], dtype=float)


def test_the_first_submission_is_always_shown():
    assert ladder_accepts(SUB1, None)
    assert ladder_accepts(np.full(6, 1e9), None)
    assert ladder_step(SUB1, None).standard_error == math.inf


def test_an_improvement_of_exactly_one_standard_error_is_a_tie_and_not_shown():
    # sub2 - sub1 = d = [-1, 0, 0, 0, 0, 0]; mean(d) = -1/6, so the improvement is 1/6.
    # sample variance (ddof=1): ((-1 + 1/6)² + 5 · (1/6)²) / 5 = (25/36 + 5/36) / 5 = 1/6
    # standard error: sqrt(1/6) / sqrt(6) = 1/6 -> 1/6 < 1/6 is false: not shown
    # (with ddof=0 the error would be sqrt(5/36) / sqrt(6) ≈ 0.152 and sub2 would be shown)
    step = ladder_step(SUB2, SUB1)
    assert step.improvement == pytest.approx(1 / 6)
    assert step.standard_error == pytest.approx(1 / 6)
    assert not step.accepted


def test_an_improvement_of_more_than_one_standard_error_is_shown():
    # sub3 - sub1 = d = [-1, 0, -1, 0, 0, 0]; mean(d) = -1/3, the improvement is 1/3.
    # sample variance: (2 · (2/3)² + 4 · (1/3)²) / 5 = (8/9 + 4/9) / 5 = 4/15
    # standard error: sqrt(4/15) / sqrt(6) = sqrt(2/45) ≈ 0.2108 < 1/3 -> shown
    step = ladder_step(SUB3, SUB1)
    assert step.improvement == pytest.approx(1 / 3)
    assert step.standard_error == pytest.approx(math.sqrt(2 / 45))
    assert step.accepted


def test_a_replay_compares_each_submission_with_the_one_shown():
    # sub3 against sub2 alone would be the same tie as sub2 against sub1
    # (d = [0, 0, -1, 0, 0, 0]); it is shown because it is compared with sub1, still shown.
    assert not ladder_accepts(SUB3, SUB2)
    assert ladder_replay([SUB1, SUB2, SUB3]) == [0, 0, 2]


def test_a_regression_example_by_hand():
    best = np.array([1.0, 2.0, 3.0, 4.0])
    new = np.array([0.5, 1.9, 2.2, 3.9])
    # d = [-0.5, -0.1, -0.8, -0.1], mean -0.375; deviations -0.125, 0.275, -0.425, 0.275
    # squares sum to 0.015625 + 0.075625 + 0.180625 + 0.075625 = 0.3475; / 3 = 0.115833
    # standard deviation 0.340343; standard error 0.340343 / 2 = 0.170171 < 0.375 -> shown
    step = ladder_step(new, best)
    assert step.improvement == pytest.approx(0.375)
    assert step.standard_error == pytest.approx(0.170171, abs=1e-6)
    assert step.accepted
    # a noisy change with the same mean improvement is not significant
    noisy = best + np.array([-2.0, 1.6, -2.0, 0.9])
    assert ladder_step(noisy, best).improvement == pytest.approx(0.375)
    assert not ladder_accepts(noisy, best)


def test_identical_submissions_are_not_shown():
    step = ladder_step(SUB1.copy(), SUB1)
    assert (step.improvement, step.standard_error, step.accepted) == (0.0, 0.0, False)


def test_a_worse_submission_is_never_shown():
    assert not ladder_accepts(SUB1, SUB3)
    assert ladder_replay([SUB3, SUB1, SUB2]) == [0, 0, 0]


def test_the_same_small_gain_on_every_row_is_significant():
    best = np.linspace(1.0, 2.0, 50)
    assert ladder_accepts(best - 0.001, best)


def test_float_round_off_at_the_threshold_counts_as_a_tie():
    scale = 1e-7  # e.g. an MSE near a tiny noise floor
    assert not ladder_accepts(SUB2 * scale, SUB1 * scale)
    assert ladder_accepts(SUB3 * scale, SUB1 * scale)


def test_a_single_public_row_needs_only_a_strict_improvement():
    assert ladder_accepts(np.array([0.5]), np.array([0.6]))
    assert not ladder_accepts(np.array([0.6]), np.array([0.6]))


def test_a_replay_of_many_submissions_only_ever_improves_the_shown_loss():
    rng = np.random.default_rng(3)
    submissions = [rng.random(200) * (1 - t / 40) for t in range(30)]
    shown = ladder_replay(submissions)
    means = [submissions[i].mean() for i in shown]
    assert shown[0] == 0 and all(a >= b for a, b in zip(means, means[1:], strict=False))
    assert all(i <= t for t, i in enumerate(shown))


def test_it_rejects_losses_for_different_rows():
    with pytest.raises(ValueError):
        ladder_accepts(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError):
        ladder_accepts(np.zeros((2, 2)), None)
