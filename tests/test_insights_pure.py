"""The insights' pure computations, checked against hand-computed values (no database)."""

import numpy as np

from challenges.insights import classstats, confusion, integrity, regression, simulate


def test_the_confusion_matrix_counts_true_against_predicted_labels():
    y_true = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 0, 1, 2, 2, 0, 2])
    matrix = confusion.confusion_matrix(y_true, y_pred, 3)
    assert matrix.tolist() == [[2, 1, 0], [0, 1, 1], [1, 0, 2]]
    assert confusion.per_class_accuracy(matrix) == [2 / 3, 0.5, 2 / 3]


def test_a_class_without_rows_has_no_accuracy():
    matrix = confusion.confusion_matrix(np.array([0, 0]), np.array([0, 1]), 3)
    assert confusion.per_class_accuracy(matrix) == [0.5, None, None]


def test_wrong_rows_come_from_the_given_rows_the_rarely_missed_first():
    y_true = np.array([1, 1, 1, 1, 1, 1])
    y_pred = np.array([0, 0, 1, 0, 0, 1])
    rows = np.array([1, 2, 3, 4, 5])  # row 0 is public: never shown
    difficulty = np.array([9, 7, 0, 2, 5, 0])
    assert confusion.wrong_rows(y_true, y_pred, rows) == [1, 3, 4]
    assert confusion.wrong_rows(y_true, y_pred, rows, difficulty=difficulty) == [3, 4, 1]
    assert confusion.wrong_rows(y_true, y_pred, rows, difficulty=difficulty, limit=1) == [3]


def test_residuals_and_column_mse_are_computed_per_column():
    y_true = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 1.0]])
    y_pred = np.array([[1.5, 0.0], [1.0, 2.0], [3.0, 1.0]])
    assert regression.residuals(y_true, y_pred).tolist() == [[0.5, 0.0], [-1.0, 2.0], [0.0, 0.0]]
    assert regression.column_mse(y_true, y_pred) == [(0.25 + 1.0) / 3, 4.0 / 3]


def test_the_fit_curve_is_sorted_by_x_with_truth_prediction_and_residual():
    points = regression.curve_points(
        np.array([0.3, 0.1]), np.array([1.0, 2.0]), np.array([1.5, 1.0])
    )
    assert points == [[0.1, 2.0, 1.0, -1.0], [0.3, 1.0, 1.5, 0.5]]
    many = regression.curve_points(np.arange(1000.0), np.zeros(1000), np.ones(1000), limit=10)
    assert len(many) == 10 and many[0][0] == 0.0 and many[-1][0] == 999.0


def test_the_residual_histogram_counts_every_value():
    hist = regression.histogram(np.array([-1.0, 0.0, 0.0, 1.0]), bins=2)
    assert hist == {"counts": [1, 3], "edges": [-1.0, 0.0, 1.0]}


def test_percentiles_and_ranks_follow_the_metric_direction():
    scores = [0.9, 0.8, 0.7, 0.6]
    assert classstats.percentile(0.8, scores, higher_is_better=True) == 75.0
    assert classstats.percentile(0.8, scores, higher_is_better=False) == 50.0
    assert classstats.ranks(scores, True) == [1, 2, 3, 4]
    assert classstats.ranks(scores, False) == [4, 3, 2, 1]


def test_the_shakeup_pairs_public_and_private_ranks():
    assert classstats.shakeup([0.9, 0.8, 0.7], [0.6, 0.8, 0.7], True) == [[1, 3], [2, 1], [3, 2]]


def test_the_overfitting_gap_is_positive_when_the_public_board_flattered():
    assert classstats.overfitting([0.9], [0.8], [12], True) == [[12, 0.9 - 0.8]]
    assert classstats.overfitting([0.1], [0.3], [4], False) == [[4, 0.3 - 0.1]]


def test_the_hardest_rows_are_the_private_ones_most_often_wrong():
    wrong = np.array([[1, 1, 0, 1], [1, 0, 0, 1], [1, 0, 0, 0]], dtype=bool)
    assert classstats.hardest_rows(wrong, np.array([1, 2, 3])) == [[3, 2], [1, 1]]


def simulated(seed: int):
    rng = np.random.default_rng(seed)
    truth, predictions = simulate.independent_class(rng, students=300, rows=1000)
    copies = [
        simulate.planted_copy(rng, predictions[k], changed=c) for k, c in enumerate((0.05, 0.15))
    ]
    everyone = np.vstack([predictions, *copies])
    wrong = everyone != truth[None, :]
    flags = integrity.merge(
        integrity.error_overlap_flags(wrong), integrity.identical_flags(everyone, wrong.sum(axis=1))
    )
    return {(f.a, f.b) for f in flags}


def test_independent_students_give_at_most_one_false_pair_and_copies_are_found():
    for seed in (1, 2, 3):
        pairs = simulated(seed)
        planted = {(0, 300), (1, 301)}
        assert planted <= pairs, f"seed {seed}: a planted copy was missed"
        assert len(pairs - planted) <= 1, f"seed {seed}: {sorted(pairs - planted)}"


def test_a_small_class_of_independent_students_raises_no_flag():
    rng = np.random.default_rng(7)
    truth, predictions = simulate.independent_class(rng, students=5, rows=200)
    assert integrity.error_overlap_flags(predictions != truth) == []


def test_identical_predictions_are_flagged_unless_both_are_perfect():
    predictions = np.array([[0, 1, 1], [0, 1, 1], [0, 0, 1], [0, 0, 1]])
    flags = integrity.identical_flags(predictions, np.array([1, 1, 0, 0]))
    assert [(f.a, f.b, f.kind) for f in flags] == [(0, 1, "identical")]


def test_regression_copies_are_found_by_their_residuals_and_others_are_not():
    rng = np.random.default_rng(3)
    truth = np.sin(np.linspace(0, 6, 500))
    students = truth + rng.normal(0, 0.1, size=(60, 500))
    copy = students[0] + rng.normal(0, 0.02, size=500)
    flags = integrity.residual_flags(np.vstack([students, copy]))
    assert {(f.a, f.b) for f in flags} == {(0, 60)}
