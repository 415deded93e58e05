"""Each metric agrees with scikit-learn on random data and knows its direction."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as sk

from challenges.scoring import METRICS, get_metric
from challenges.scoring.metrics import average_ranks

SEEDS = range(5)


def close(actual: float, expected: float) -> bool:
    return np.isclose(actual, expected, rtol=1e-9, atol=1e-12)


def regression_data(seed: int, columns: int | None = None):
    rng = np.random.default_rng(seed)
    shape = (200 + seed,) if columns is None else (200 + seed, columns)
    return rng.normal(size=shape), rng.normal(size=shape) * (1 + seed)


def binary_data(seed: int):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, 300)
    y_prob = np.round(rng.random(300), 1)  # rounding makes many ties
    y_prob[:3] = [0.0, 1.0, 0.0]  # exact 0 and 1 exercise log loss clipping
    return y_true, y_prob


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("columns", [None, 5])
def test_regression_metrics_match_scikit_learn(seed, columns):
    y_true, y_pred = regression_data(seed, columns)
    assert close(METRICS["mse"].fn(y_true, y_pred), sk.mean_squared_error(y_true, y_pred))
    assert close(METRICS["rmse"].fn(y_true, y_pred), sk.root_mean_squared_error(y_true, y_pred))
    assert close(METRICS["mae"].fn(y_true, y_pred), sk.mean_absolute_error(y_true, y_pred))


@pytest.mark.parametrize("seed", SEEDS)
def test_mean_column_mse_is_the_mean_of_each_columns_mse(seed):
    y_true, y_pred = regression_data(seed, columns=5)
    per_column = sk.mean_squared_error(y_true, y_pred, multioutput="raw_values")
    assert close(METRICS["mean_column_mse"].fn(y_true, y_pred), per_column.mean())


@pytest.mark.parametrize("seed", SEEDS)
def test_classification_metrics_match_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 4, 250)
    y_pred = np.where(rng.random(250) < 0.6, y_true, rng.integers(0, 5, 250))
    assert close(METRICS["accuracy"].fn(y_true, y_pred), sk.accuracy_score(y_true, y_pred))
    expected_f1 = sk.f1_score(y_true, y_pred, average="macro", zero_division=0)
    assert close(METRICS["macro_f1"].fn(y_true, y_pred), expected_f1)


def test_classification_metrics_work_on_text_labels():
    y_true = np.array(["cat", "dog", "dog", "bird"])
    y_pred = np.array(["cat", "dog", "cat", "fish"])
    assert METRICS["accuracy"].fn(y_true, y_pred) == 0.5
    expected = sk.f1_score(y_true, y_pred, average="macro", zero_division=0)
    assert close(METRICS["macro_f1"].fn(y_true, y_pred), expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_metrics_match_scikit_learn(seed):
    y_true, y_prob = binary_data(seed)
    assert close(METRICS["log_loss"].fn(y_true, y_prob), sk.log_loss(y_true, y_prob))
    assert close(METRICS["roc_auc"].fn(y_true, y_prob), sk.roc_auc_score(y_true, y_prob))


def test_roc_auc_is_undefined_for_one_class():
    with pytest.raises(ValueError, match="one class"):
        METRICS["roc_auc"].fn(np.ones(4), np.linspace(0, 1, 4))


def test_average_ranks_share_ties():
    assert average_ranks(np.array([3.0, 1.0, 3.0, 2.0])).tolist() == [3.5, 1.0, 3.5, 2.0]


def test_each_metric_knows_its_direction():
    higher = {name for name, metric in METRICS.items() if metric.higher_is_better}
    assert higher == {"accuracy", "macro_f1", "roc_auc"}


def test_each_metric_has_a_readable_label():
    assert METRICS["mse"].label == "Mean squared error"
    assert all(metric.label and metric.name == name for name, metric in METRICS.items())


def test_an_unknown_metric_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match="Unknown metric 'f2'; known metrics: accuracy, "):
        get_metric("f2")


def test_single_column_metrics_refuse_two_columns():
    with pytest.raises(ValueError, match="single target column"):
        METRICS["accuracy"].fn(np.zeros((3, 2)), np.zeros((3, 2)))
