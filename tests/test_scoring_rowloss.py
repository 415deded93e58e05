"""Per-row losses and what score_predictions now returns beside the scores: pure, no database."""

from __future__ import annotations

import numpy as np
import pytest

from challenges.scoring import (
    METRICS,
    Scores,
    SubmissionSpec,
    Target,
    has_row_losses,
    load_solution,
    row_losses,
    score_predictions,
    score_submission,
)
from challenges.scoring.metrics import accuracy, log_loss, mae, mean_column_mse, mse, rmse

RNG = np.random.default_rng(7)
ONE = (RNG.normal(size=50), RNG.normal(size=50))
FIVE = (RNG.normal(size=(50, 5)), RNG.normal(size=(50, 5)))


def test_squared_errors_are_the_mse_rows():
    losses = row_losses("mse", np.array([1.0, 2.0, 3.0]), np.array([1.5, 1.0, 3.0]))
    assert losses.tolist() == [0.25, 1.0, 0.0]


@pytest.mark.parametrize("name, metric", [("mse", mse), ("mae", mae), ("log_loss", log_loss)])
def test_the_mean_row_loss_is_the_metric(name, metric):
    y_true, y_pred = ONE
    if name == "log_loss":
        y_true, y_pred = (y_true > 0).astype(int), 1 / (1 + np.exp(-y_pred))
    assert row_losses(name, y_true, y_pred).mean() == pytest.approx(metric(y_true, y_pred))


@pytest.mark.parametrize(
    "name, metric", [("mse", mse), ("mean_column_mse", mean_column_mse), ("mae", mae)]
)
def test_several_columns_are_averaged_per_row(name, metric):
    losses = row_losses(name, *FIVE)
    assert losses.shape == (50,)
    assert losses.mean() == pytest.approx(metric(*FIVE))


def test_rmse_rows_are_squared_errors_averaged_over_columns():
    y_true, y_pred = FIVE
    assert row_losses("rmse", *FIVE) == pytest.approx(((y_true - y_pred) ** 2).mean(axis=1))
    assert np.sqrt(row_losses("rmse", *ONE).mean()) == pytest.approx(rmse(*ONE))


def test_accuracy_rows_are_zero_one_errors():
    y_true, y_pred = np.array([0, 1, 2, 1], np.int8), np.array([0, 2, 2, 0], np.int8)
    losses = row_losses("accuracy", y_true, y_pred)
    assert losses.tolist() == [0.0, 1.0, 0.0, 1.0]
    assert 1 - losses.mean() == accuracy(y_true, y_pred)


def test_log_loss_rows_are_clipped_like_the_metric():
    losses = row_losses("log_loss", np.array([1, 0]), np.array([0.0, 0.0]))
    assert losses[1] == pytest.approx(0.0, abs=1e-12)
    assert np.isfinite(losses[0]) and losses[0] > 30


@pytest.mark.parametrize("name", ["macro_f1", "roc_auc"])
def test_metrics_that_compare_rows_have_no_row_losses(name):
    assert row_losses(name, np.array([0, 1]), np.array([0, 1])) is None


def test_every_metric_is_either_decomposable_or_not():
    for name in METRICS:
        y_true, y_pred = np.array([0, 1, 1]), np.array([0, 1, 0])
        losses = row_losses(name, y_true, y_pred)
        assert (losses is not None) == has_row_losses(name)
        assert losses is None or losses.shape == (3,)


def test_it_rejects_arrays_of_different_shapes():
    with pytest.raises(ValueError):
        row_losses("mse", np.zeros(3), np.zeros(4))


# --- score_predictions ---------------------------------------------------------------------

SPEC = SubmissionSpec("id", (Target("y"),), "mse")
LINES = ["id,y,Usage"] + [f"{i},{i % 7},{'Public' if i % 3 == 0 else 'Private'}" for i in range(60)]
SOLUTION = load_solution("\n".join(LINES).encode(), SPEC)
SUBMISSION = ("id,y\n" + "".join(f"{i},{(i % 7) + (i % 4) / 4}\n" for i in range(60))).encode()


def test_scores_carry_the_public_row_losses():
    scores = score_submission(SUBMISSION, SPEC, SOLUTION)
    assert scores.public_losses.shape == (20,)
    assert scores.public_losses.mean() == pytest.approx(scores.public)


def test_scores_carry_a_private_interval_around_the_private_score():
    low, high = score_submission(SUBMISSION, SPEC, SOLUTION).private_ci
    scores = score_submission(SUBMISSION, SPEC, SOLUTION)
    assert low < scores.private < high
    assert scores.private_ci == (low, high)  # the same every time


def test_the_interval_can_be_skipped():
    assert score_submission(SUBMISSION, SPEC, SOLUTION, confidence=False).private_ci is None


def test_scores_compare_equal_on_the_scores_alone():
    scores = score_submission(SUBMISSION, SPEC, SOLUTION)
    assert scores == Scores(public=scores.public, private=scores.private)


def test_a_split_without_rows_has_no_losses_and_no_interval():
    solution = load_solution(b"id,y,Usage\n1,1,Private\n2,2,Private\n", SPEC)
    scores = score_predictions(np.array([1.0, 3.0]), solution, METRICS["mse"])
    assert scores.public is None and scores.public_losses is None
    only_public = load_solution(b"id,y,Usage\n1,1,Public\n2,2,Public\n", SPEC)
    assert score_predictions(np.array([1.0, 3.0]), only_public, METRICS["mse"]).private_ci is None


def test_a_metric_without_row_losses_still_gets_an_interval():
    spec = SubmissionSpec("id", (Target("c", "label", ("a", "b", "c")),), "macro_f1")
    lines = ["id,c,Usage"] + [
        f"{i},{'abc'[i % 3]},{'Public' if i < 9 else 'Private'}" for i in range(40)
    ]
    solution = load_solution("\n".join(lines).encode(), spec)
    guesses = "id,c\n" + "".join(f"{i},{'abc'[(i * i) % 3]}\n" for i in range(40))
    scores = score_submission(guesses.encode(), spec, solution)
    assert scores.public_losses is None
    low, high = scores.private_ci
    assert low <= scores.private <= high
