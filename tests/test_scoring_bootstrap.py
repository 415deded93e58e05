"""Bootstrap confidence intervals of a split's score: pure, no database."""

from __future__ import annotations

import numpy as np
import pytest

from challenges.scoring import METRICS, bootstrap_ci
from challenges.scoring.bootstrap import CHUNK_DRAWS, resampled_scores


def data_for(name: str, rows: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if name in ("accuracy", "macro_f1"):
        y_true = rng.integers(0, 4, rows).astype(np.int8)
        noisy = rng.integers(0, 4, rows).astype(np.int8)
        return y_true, np.where(rng.random(rows) < 0.6, y_true, noisy)
    if name in ("log_loss", "roc_auc"):
        y_true = rng.integers(0, 2, rows)
        return y_true, np.round(np.clip(0.3 * y_true + 0.7 * rng.random(rows), 0, 1), 1)
    return rng.normal(size=(rows, 3)), rng.normal(size=(rows, 3))


@pytest.mark.parametrize("name", sorted(METRICS))
def test_the_fast_path_equals_the_metric_on_every_resample(name):
    y_true, y_pred = data_for(name)
    fast = resampled_scores(name, y_true, y_pred, n_resamples=300, seed=5)
    slow = resampled_scores(name, y_true, y_pred, n_resamples=300, seed=5, vectorised=False)
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-14)


def test_macro_f1_averages_over_the_classes_present_in_each_resample():
    y_true, y_pred = data_for("macro_f1", rows=30)
    y_true[0], y_pred[1] = 7, 8  # classes that most resamples lack
    fast = resampled_scores("macro_f1", y_true, y_pred, n_resamples=300, seed=2)
    slow = resampled_scores("macro_f1", y_true, y_pred, n_resamples=300, seed=2, vectorised=False)
    np.testing.assert_allclose(fast, slow, rtol=1e-12)


@pytest.mark.parametrize("name", ["mse", "rmse", "mean_column_mse", "mae"])
def test_one_column_regression_matches_the_metric_too(name):
    y_true, y_pred = (column[:, 0] for column in data_for(name))
    fast = resampled_scores(name, y_true, y_pred, n_resamples=100, seed=1)
    slow = resampled_scores(name, y_true, y_pred, n_resamples=100, seed=1, vectorised=False)
    np.testing.assert_allclose(fast, slow, rtol=1e-12)


def test_the_same_seed_gives_the_same_interval():
    data = data_for("mse")
    assert bootstrap_ci("mse", *data, seed=3) == bootstrap_ci("mse", *data, seed=3)
    assert bootstrap_ci("mse", *data, seed=3) != bootstrap_ci("mse", *data, seed=4)


@pytest.mark.parametrize("name", sorted(METRICS))
def test_the_interval_holds_the_score(name):
    y_true, y_pred = data_for(name, rows=400)
    low, high = bootstrap_ci(name, y_true, y_pred)
    assert low < METRICS[name](y_true, y_pred) < high


def test_a_mean_loss_interval_matches_the_normal_approximation():
    rng = np.random.default_rng(11)
    y_true, y_pred = np.zeros(4000), rng.normal(size=4000)
    losses = y_pred**2
    half_width = 1.96 * losses.std(ddof=1) / np.sqrt(len(losses))
    low, high = bootstrap_ci("mse", y_true, y_pred, n_resamples=2000)
    assert (high - low) / 2 == pytest.approx(half_width, rel=0.1)
    assert (low + high) / 2 == pytest.approx(losses.mean(), abs=half_width / 5)


def test_more_rows_give_a_narrower_interval():
    small = bootstrap_ci("mse", *data_for("mse", rows=100))
    large = bootstrap_ci("mse", *data_for("mse", rows=2500))
    assert large[1] - large[0] < (small[1] - small[0]) / 3


def test_perfect_predictions_have_a_zero_width_interval():
    y = np.arange(10.0)
    assert bootstrap_ci("rmse", y, y) == (0.0, 0.0)
    assert bootstrap_ci("accuracy", y.astype(int), y.astype(int)) == (1.0, 1.0)


def test_a_lower_level_gives_a_narrower_interval():
    wide = bootstrap_ci("mae", *data_for("mae"), level=0.99)
    narrow = bootstrap_ci("mae", *data_for("mae"), level=0.5)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_resamples_with_one_class_only_are_left_out_of_roc_auc():
    y_true, y_pred = np.array([1, 0, 0, 0, 0]), np.array([0.9, 0.1, 0.2, 0.3, 0.4])
    values = resampled_scores("roc_auc", y_true, y_pred, n_resamples=200)
    assert np.isnan(values).any() and not np.isnan(values).all()
    assert bootstrap_ci("roc_auc", y_true, y_pred, n_resamples=200) == (1.0, 1.0)


def test_an_undefined_metric_on_every_resample_is_an_error():
    with pytest.raises(ValueError, match="undefined"):
        bootstrap_ci("roc_auc", np.array([1, 1]), np.array([0.2, 0.4]))


def test_large_splits_are_resampled_in_chunks_with_the_same_result_shape():
    rows = CHUNK_DRAWS // 3 + 1  # two resamples per chunk at most
    y_true, y_pred = np.zeros(rows), np.ones(rows)
    assert resampled_scores("mse", y_true, y_pred, n_resamples=5).tolist() == [1.0] * 5


@pytest.mark.parametrize("arguments", [{"level": 1.0}, {"level": 0}, {"n_resamples": 0}])
def test_it_rejects_meaningless_arguments(arguments):
    with pytest.raises(ValueError):
        bootstrap_ci("mse", np.zeros(3), np.ones(3), **arguments)


def test_it_rejects_an_empty_split():
    with pytest.raises(ValueError):
        bootstrap_ci("mse", np.zeros(0), np.zeros(0))
