"""Scoring public and private splits, loading solutions, and matching ids every way."""

from __future__ import annotations

import numpy as np
import pytest

from challenges.scoring import (
    Scores,
    SubmissionInvalid,
    SubmissionSpec,
    Target,
    check_spec,
    load_solution,
    score_submission,
    validate_submission,
)

SPEC = SubmissionSpec("id", (Target("y"),), "mse")
SOLUTION = b"""id,y,Usage
1,1.0,Public
2,2.0,Public
3,3.0,Private
4,4.0,Private
5,5.0,Private
6,6.0,Ignored
"""


def test_it_scores_the_public_and_private_rows_separately():
    submission = b"id,y\n6,100\n1,1.5\n2,1.0\n3,3.0\n4,6.0\n5,4.0\n"
    scores = score_submission(submission, SPEC, load_solution(SOLUTION, SPEC))
    assert scores.public == pytest.approx((0.5**2 + 1**2) / 2)
    assert scores.private == pytest.approx((0 + 2**2 + 1**2) / 3)


def test_ignored_rows_are_not_scored():
    solution = load_solution(SOLUTION, SPEC)
    near = score_submission(b"id,y\n1,1\n2,2\n3,3\n4,4\n5,5\n6,6\n", SPEC, solution)
    far = score_submission(b"id,y\n1,1\n2,2\n3,3\n4,4\n5,5\n6,-1e100\n", SPEC, solution)
    assert near == far == Scores(public=0.0, private=0.0)


def test_ignored_rows_are_still_required():
    with pytest.raises(SubmissionInvalid) as raised:
        score_submission(b"id,y\n1,1\n2,2\n3,3\n4,4\n5,5\n", SPEC, load_solution(SOLUTION, SPEC))
    assert "Missing ids: 1 id of the test set is absent: '6'" in raised.value.errors


def test_a_split_without_rows_scores_none():
    solution = load_solution(b"id,y,Usage\n1,1,Public\n2,2,Ignored\n", SPEC)
    assert score_submission(b"id,y\n1,3\n2,0\n", SPEC, solution) == Scores(public=4.0, private=None)


def test_usage_is_read_case_insensitively():
    solution = load_solution(b"id,y,Usage\n1,1, public\n2,2,PRIVATE\n", SPEC)
    assert solution.public.tolist() == [True, False]
    assert solution.private.tolist() == [False, True]


def test_a_solution_is_reusable_across_submissions():
    solution = load_solution(SOLUTION, SPEC)
    first = score_submission(b"id,y\n1,1\n2,2\n3,3\n4,4\n5,5\n6,6\n", SPEC, solution)
    second = score_submission(b"id,y\n6,6\n5,5\n4,4\n3,3\n2,2\n1,2\n", SPEC, solution)
    assert (first.public, second.public) == (0.0, 0.5)


def test_validate_returns_predictions_aligned_to_the_solution():
    predictions = validate_submission(
        b"y,id\n60,6\n10,1\n20,2\n30,3\n40,4\n50,5\n", SPEC, load_solution(SOLUTION, SPEC)
    )
    assert predictions.tolist() == [10, 20, 30, 40, 50, 60]


def test_it_scores_several_columns_with_mean_column_mse():
    spec = SubmissionSpec("id", (Target("y1"), Target("y2")), "mean_column_mse")
    solution = load_solution(b"id,y1,y2,Usage\na,0,0,Public\nb,0,0,Public\n", spec)
    scores = score_submission(b"id,y2,y1\nb,2,0\na,0,1\n", spec, solution)
    assert scores.public == pytest.approx(((1 + 0) / 2 + (0 + 4) / 2) / 2)


def test_it_scores_labels_with_accuracy():
    spec = SubmissionSpec(
        "video", (Target("category", "label", ("use_sword", "sword_drawn")),), "accuracy"
    )
    solution = load_solution(
        b"video,category,Usage\nv1.mp4,use_sword,Public\nv2.mp4,sword_drawn,Public\n"
        b"v3.mp4,use_sword,Private\nv4.mp4,use_sword,Ignored\n",
        spec,
    )
    submission = (
        b"video,category\nv2.mp4,use_sword\nv1.mp4, use_sword\nv4.mp4,use_sword\nv3.mp4,use_sword\n"
    )
    assert score_submission(submission, spec, solution) == Scores(public=0.5, private=1.0)


def test_it_scores_probabilities_with_log_loss():
    spec = SubmissionSpec("id", (Target("p", "probability"),), "log_loss")
    solution = load_solution(
        b"id,p,Usage\n1,1,Public\n2,0,Public\n3,1,Private\n4,0,Private\n", spec
    )
    scores = score_submission(b"id,p\n1,0.8\n2,0.2\n3,1\n4,0\n", spec, solution)
    assert scores.public == pytest.approx(-np.log(0.8))
    assert scores.private == pytest.approx(-np.log(1 - np.finfo(float).eps))


@pytest.mark.parametrize(
    "ids",
    [
        [str(i) for i in range(50)],  # dense integers: a lookup table
        [str(i * 10**12) for i in range(50)],  # sparse integers: text lookup
        [f"img_{i:03}.png" for i in range(50)],  # text
        [str(i - 25) for i in range(50)][::-1],  # negative, decreasing
    ],
)
def test_it_aligns_shuffled_ids_of_every_kind(ids):
    rng = np.random.default_rng(7)
    truth = rng.normal(size=len(ids))
    rows = [
        f"{id_},{float(y)!r},{'Public' if i % 2 else 'Private'}"
        for i, (id_, y) in enumerate(zip(ids, truth, strict=True))
    ]
    solution = load_solution(("id,y,Usage\n" + "\n".join(rows)).encode(), SPEC)
    order = rng.permutation(len(ids))
    submission = "id,y\n" + "\n".join(f"{ids[i]},{float(truth[i] + 1)!r}" for i in order)
    scores = score_submission(submission.encode(), SPEC, solution)
    assert (scores.public, scores.private) == (pytest.approx(1.0), pytest.approx(1.0))


def test_integer_looking_ids_still_compare_as_text():
    solution = load_solution(b"id,y,Usage\n0,1,Public\n1,1,Public\n2,1,Private\n", SPEC)
    with pytest.raises(SubmissionInvalid) as raised:
        validate_submission(b"id,y\n2,1\n01,1\n-0,1\n", SPEC, solution)
    assert raised.value.errors[:2] == ["Unknown id '01' on line 3", "Unknown id '-0' on line 4"]


def test_it_finds_an_unknown_id_beyond_the_lookup_table():
    solution = load_solution(b"id,y,Usage\n0,1,Public\n1,1,Public\n2,1,Private\n", SPEC)
    with pytest.raises(SubmissionInvalid) as raised:
        validate_submission(b"id,y\n2,1\n9223372036854775807,1\n0,1\n", SPEC, solution)
    assert "Unknown id '9223372036854775807' on line 3" in raised.value.errors


@pytest.mark.parametrize(
    ("solution", "message"),
    [
        (b"id,y,Usage\n1,1,Public\n1,2,Private\n", "Duplicate id '1' on lines 2 and 3"),
        (b"id,y,Usage\nb,1,Public\nb,2,Private\n", "Duplicate id 'b' on lines 2 and 3"),
        (
            b"id,y,Usage\n3,1,Public\n1,2,Private\n3,2,Private\n",
            "Duplicate id '3' on lines 2 and 4",
        ),
        (b"id,y,Usage\n1,1,Public\n2,2,Secret\n", "Column 'Usage' line 3: must be Public"),
        (b"id,y\n1,1\n", "Required column 'Usage' could not be found"),
        (b"id,y,Usage\n1,,Public\n", "Column 'y' line 2: missing value"),
        (b"id,y,Usage\n1,nan,Private\n", "Column 'y' line 2: NaN is not allowed"),
        (b"", "The file is empty"),
    ],
)
def test_a_broken_solution_is_a_value_error_for_the_instructor(solution, message):
    with pytest.raises(ValueError, match="The solution file is broken") as raised:
        load_solution(solution, SPEC)
    assert not isinstance(raised.value, SubmissionInvalid)
    assert message in str(raised.value)


def test_a_solution_may_leave_ignored_rows_blank():
    solution = load_solution(b"id,y,Usage\n1,1,Public\n2,,Ignored\n3,nan,Ignored\n", SPEC)
    assert solution.row_count == 3


def test_a_solution_may_have_extra_columns():
    solution = load_solution(b"id,x,y,Usage\n1,9,1,Public\n", SPEC)
    assert solution.y.tolist() == [1.0]


def test_a_solution_must_match_the_specs_row_count():
    spec = SubmissionSpec("id", (Target("y"),), "mse", row_count=3)
    with pytest.raises(ValueError, match="expects 3 rows but the file has 6"):
        load_solution(SOLUTION, spec)


def test_a_binary_metric_needs_both_classes_in_each_split():
    spec = SubmissionSpec("id", (Target("p", "probability"),), "roc_auc")
    with pytest.raises(ValueError, match="Private rows must contain both classes"):
        load_solution(b"id,p,Usage\n1,1,Public\n2,0,Public\n3,1,Private\n", spec)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (SubmissionSpec("id", (Target("y"),), "accuracy"), "needs label targets"),
        (SubmissionSpec("id", (Target("a", "label", ("0", "1")),) * 2, "accuracy"), "distinct"),
        (SubmissionSpec("id", (Target("a"), Target("b")), "roc_auc"), "single target"),
        (SubmissionSpec("id", (Target("a", "label", ("0",)),), "accuracy"), "two distinct"),
        (SubmissionSpec("id", (), "mse"), "at least one target"),
        (SubmissionSpec("id", (Target("y"),), "nope"), "Unknown metric 'nope'"),
    ],
)
def test_an_inconsistent_spec_is_refused(spec, message):
    with pytest.raises(ValueError, match=message):
        check_spec(spec)


def test_a_solution_loaded_for_another_spec_is_refused():
    other = SubmissionSpec("id", (Target("z"),), "mse")
    with pytest.raises(ValueError, match="different submission format"):
        validate_submission(b"id,z\n1,1\n", other, load_solution(SOLUTION, SPEC))
