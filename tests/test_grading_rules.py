"""Grading rules and the grade scheme, by hand-computed examples. Pure: no database.

Run alone with `python -m pytest tests/test_grading_rules.py -p no:django`.
"""

import pytest

from challenges.bundles.metadata import read_metadata
from demo.bundles import common
from vsegrader.course.grade_scheme import (
    DEFAULT_SCALE,
    Scheme,
    challenge_points,
    final_points,
    grade_for,
    items,
    project_points,
    scheme_errors,
)
from vsegrader.course.grading import (
    Entry,
    Linear,
    RuleError,
    ScoreOrPercentile,
    Tiers,
    describe_rule,
    marks_for,
    parse_rule,
    ranks,
)

RULE_2024_REGRESSION = {
    "rule": "tiers",
    "tiers": [[1.0, 0.5], [0.1, 0.7], [0.01, 0.9]],
    "full_marks_top": 10,
}


def board(*rows, baselines=()) -> list[Entry]:
    entries = [Entry(user_id=user_id, score=score) for user_id, score in rows]
    return entries + [Entry(user_id=999, score=score, is_baseline=True) for score in baselines]


def mse_tiers(boundary="strict", top=0) -> Tiers:
    rule = {**RULE_2024_REGRESSION, "boundary": boundary, "full_marks_top": top}
    return parse_rule(rule, higher_is_better=False)


# --- tiers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mse", "strict", "inclusive"),
    [
        (2.0, 0.0, 0.0),
        (1.0, 0.0, 0.5),  # exactly at a threshold: only the inclusive boundary reaches it
        (0.5, 0.5, 0.5),
        (0.1, 0.5, 0.7),
        (0.05, 0.7, 0.7),
        (0.01, 0.7, 0.9),
        (0.001, 0.9, 0.9),
    ],
)
def test_tiers_give_the_mark_of_the_best_threshold_passed(mse, strict, inclusive):
    entries = board((1, mse))
    assert marks_for(mse_tiers("strict"), entries, higher_is_better=False) == {1: strict}
    assert marks_for(mse_tiers("inclusive"), entries, higher_is_better=False) == {1: inclusive}


def test_tiers_on_a_higher_is_better_metric_compare_upwards():
    rule = parse_rule({"rule": "tiers", "tiers": [[0.9, 1.0], [0.8, 0.6]]}, higher_is_better=True)
    marks = marks_for(
        rule, board((1, 0.95), (2, 0.9), (3, 0.85), (4, 0.8), (5, 0.2)), higher_is_better=True
    )
    assert marks == {1: 1.0, 2: 0.6, 3: 0.6, 4: 0.0, 5: 0.0}


def test_the_top_ranks_get_full_marks_and_baselines_take_no_rank():
    # A baseline beats everyone, yet students 1 and 2 are still ranks 1 and 2.
    entries = board((1, 0.5), (2, 0.6), (3, 0.7), baselines=[0.001])
    marks = marks_for(mse_tiers(top=2), entries, higher_is_better=False)
    assert marks == {1: 1.0, 2: 1.0, 3: 0.5}
    assert 999 not in marks


def test_tied_students_share_a_rank_for_the_top_k_rule_under_the_shared_policy():
    entries = board((1, 0.3), (2, 0.5), (3, 0.5), (4, 0.8))
    assert ranks({1: 0.3, 2: 0.5, 3: 0.5, 4: 0.8}, False, "shared") == {1: 1, 2: 2, 3: 2, 4: 4}
    marks = marks_for(mse_tiers(top=2), entries, higher_is_better=False, ties="shared")
    assert marks == {1: 1.0, 2: 1.0, 3: 1.0, 4: 0.5}


def test_under_kaggle_ties_the_earlier_of_equal_scores_takes_the_top_k_place():
    entries = board((1, 0.3), (2, 0.5), (3, 0.5), (4, 0.8))  # board order: 2 submitted first
    assert ranks({1: 0.3, 2: 0.5, 3: 0.5, 4: 0.8}, False) == {1: 1, 2: 2, 3: 3, 4: 4}
    marks = marks_for(mse_tiers(top=2), entries, higher_is_better=False)
    assert marks == {1: 1.0, 2: 1.0, 3: 0.5, 4: 0.5}


def test_a_student_missing_from_the_board_has_no_mark_so_counts_zero():
    marks = marks_for(mse_tiers(), board((1, 0.05)), higher_is_better=False)
    assert marks.get(2, 0.0) == 0.0


# --- score_or_percentile ----------------------------------------------------------------


def test_score_or_percentile_takes_the_better_of_accuracy_and_percentile():
    # Students ranked 1, 2, 2, 4 of N = 4 (the baseline is neither ranked nor counted):
    # percentiles 1, 0.75, 0.75, 0.25 when ties share; 1, 0.75, 0.5, 0.25 as on Kaggle.
    entries = board((1, 0.9), (2, 0.6), (3, 0.6), (4, 0.3), baselines=[0.95, 0.5])
    shared = marks_for(ScoreOrPercentile(), entries, higher_is_better=True, ties="shared")
    assert shared == {1: 1.0, 2: 0.75, 3: 0.75, 4: 0.3}
    kaggle = marks_for(ScoreOrPercentile(), entries, higher_is_better=True)
    assert kaggle == {1: 1.0, 2: 0.75, 3: 0.6, 4: 0.3}


def test_score_or_percentile_alone_on_the_board_is_full_marks():
    assert marks_for(ScoreOrPercentile(), board((7, 0.4)), higher_is_better=True) == {7: 1.0}


def test_score_or_percentile_refuses_a_lower_is_better_metric():
    with pytest.raises(RuleError, match="higher is better"):
        parse_rule({"rule": "score_or_percentile"}, higher_is_better=False)


# --- linear -----------------------------------------------------------------------------


def test_linear_runs_from_the_baseline_to_the_class_best_clipped():
    entries = board((1, 0.9), (2, 0.7), (3, 0.4), (4, 0.5), baselines=[0.5])
    marks = marks_for(Linear(), entries, higher_is_better=True)
    assert marks == pytest.approx({1: 1.0, 2: 0.5, 3: 0.0, 4: 0.0})


def test_linear_with_a_target_score_on_a_lower_is_better_metric():
    rule = parse_rule({"rule": "linear", "target": 0.0}, higher_is_better=False)
    entries = board((1, 0.25), (2, 1.5), (3, -0.1), baselines=[1.0, 2.0])  # the best: 1.0
    marks = marks_for(rule, entries, higher_is_better=False)
    assert marks == pytest.approx({1: 0.75, 2: 0.0, 3: 1.0})


def test_linear_zero_from_the_rule_replaces_the_baseline():
    rule = parse_rule({"rule": "linear", "target": 1.0, "zero": 0.6}, higher_is_better=True)
    assert marks_for(rule, board((1, 0.8)), higher_is_better=True) == pytest.approx({1: 0.5})


def test_linear_without_a_baseline_or_zero_says_what_to_do_in_the_forms_words():
    with pytest.raises(RuleError) as raised:
        marks_for(Linear(), board((1, 0.8)), higher_is_better=True)
    assert raised.value.errors == [
        "rule 'linear' has no zero score (mark 0): none is given, and the leaderboard has no "
        "baseline to take it from; give a zero score, or train a baseline first"
    ]
    assert "zero = <score>" not in str(raised.value)  # config syntax, not the form's field


@pytest.mark.parametrize(
    ("target", "zero", "higher_is_better", "message"),
    [
        (
            0.7,
            0.001,
            False,
            "rule 'linear': the target score 0.7 (mark 1) must be better than the zero score "
            "0.001 (mark 0); lower is better on this challenge, so give a target below 0.001, "
            "or swap the two scores",
        ),
        (
            0.2,
            0.9,
            True,
            "rule 'linear': the target score 0.2 (mark 1) must be better than the zero score "
            "0.9 (mark 0); higher is better on this challenge, so give a target above 0.9, "
            "or swap the two scores",
        ),
        (
            0.5,
            0.5,
            False,
            "rule 'linear': the target score (mark 1) and the zero score (mark 0) are both "
            "0.5; give two different scores, the target below the zero score",
        ),
    ],
)
def test_a_linear_target_not_better_than_its_zero_is_refused(
    target, zero, higher_is_better, message
):
    table = {"rule": "linear", "target": target, "zero": zero}
    with pytest.raises(RuleError) as raised:
        parse_rule(table, higher_is_better=higher_is_better)
    assert raised.value.errors == [message]


def test_a_linear_target_better_than_its_zero_is_read_in_either_direction():
    mse = parse_rule({"rule": "linear", "target": 0.001, "zero": 0.7}, higher_is_better=False)
    assert mse == Linear(target=0.001, zero=0.7)
    accuracy = parse_rule({"rule": "linear", "target": 0.9, "zero": 0.2}, higher_is_better=True)
    assert accuracy == Linear(target=0.9, zero=0.2)


def test_a_linear_rule_with_one_end_from_the_board_is_not_checked_against_it():
    # "best" and the baseline are known only on a board; linear_mark handles them there
    assert parse_rule({"rule": "linear", "zero": 0.001}, higher_is_better=False) == Linear(
        zero=0.001
    )
    assert parse_rule({"rule": "linear", "target": 0.7}, higher_is_better=False) == Linear(
        target=0.7
    )


def test_linear_when_nobody_beats_the_baseline_everyone_gets_zero():
    entries = board((1, 0.4), (2, 0.5), baselines=[0.5])
    assert marks_for(Linear(), entries, higher_is_better=True) == {1: 0.0, 2: 0.0}


# --- reading rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grading", "message"),
    [
        ({}, "use rule = one of"),
        ({"rule": "median"}, "'median'"),
        ({"rule": "tiers"}, "needs tiers"),
        ({"rule": "tiers", "tiers": [[1.0, 1.5]]}, "mark in 0..1"),
        ({"rule": "tiers", "tiers": [[1.0, 0.5]], "boundary": "open"}, "'strict' or 'inclusive'"),
        ({"rule": "tiers", "tiers": [[1.0, 0.5]], "full_marks_top": -1}, "full_marks_top"),
        ({"rule": "tiers", "tiers": [[1.0, 0.5]], "top": 3}, "does not use top"),
        ({"rule": "linear", "target": "max"}, 'score or "best"'),
        ({"rule": "linear", "zero": "baseline"}, "zero must be a score"),
    ],
)
def test_a_bad_rule_is_refused_with_a_message_that_names_the_problem(grading, message):
    with pytest.raises(RuleError, match=message):
        parse_rule(grading, higher_is_better=False)


def test_rules_are_described_in_words_for_students():
    text = describe_rule(mse_tiers(top=10), metric="MSE", higher_is_better=False)
    assert text == (
        "private MSE below 1 → 0.5; private MSE below 0.1 → 0.7; "
        "private MSE below 0.01 → 0.9; rank 1–10 among students → 1; otherwise 0"
    )
    inclusive = describe_rule(mse_tiers("inclusive"), metric="MSE", higher_is_better=False)
    assert "at most 1 → 0.5" in inclusive
    assert "1 − (rank − 1) / N" in describe_rule(
        ScoreOrPercentile(), metric="accuracy", higher_is_better=True
    )


TOML_2024 = """slug = "fitting-1d"
title = "Fitting"
metric = "mse"
deadline = "2023-03-15T17:00:00+01:00"
[[targets]]
name = "y"
type = "float"
[grading]
rule = "tiers"
tiers = [[1.0, 0.5], [0.1, 0.7], [0.01, 0.9]]
boundary = "strict"
full_marks_top = 10
"""


def test_the_2024_regression_rule_written_in_challenge_toml(tmp_path):
    (tmp_path / "challenge.toml").write_text(TOML_2024)
    errors: list[str] = []
    grading = read_metadata(tmp_path, errors)["grading"]
    assert errors == []
    rule = parse_rule(grading, higher_is_better=False)
    assert rule == Tiers(tiers=((1.0, 0.5), (0.1, 0.7), (0.01, 0.9)), full_marks_top=10)
    students = [(uid, 0.05) for uid in range(1, 11)] + [(11, 0.05), (12, 0.5), (13, 3.0)]
    marks = marks_for(rule, board(*students), higher_is_better=False, ties="shared")
    assert [marks[uid] for uid in (1, 11, 12, 13)] == [1.0, 1.0, 0.5, 0.0]  # 11 ties rank 1
    kaggle = marks_for(rule, board(*students), higher_is_better=False)
    assert [kaggle[uid] for uid in (1, 10, 11, 12)] == [1.0, 1.0, 0.7, 0.5]  # 11 is rank 11


def test_a_reversed_linear_rule_in_challenge_toml_is_refused_as_in_the_form(tmp_path):
    toml = (
        TOML_2024.split("[grading]")[0] + '[grading]\nrule = "linear"\ntarget = 0.7\nzero = 0.001\n'
    )
    (tmp_path / "challenge.toml").write_text(toml)
    errors: list[str] = []
    grading = read_metadata(tmp_path, errors)["grading"]
    assert errors == []  # the engine checks only the table's shape
    with pytest.raises(RuleError, match="must be better than the zero score 0.001"):
        parse_rule(grading, higher_is_better=False)


@pytest.mark.parametrize(
    ("table", "higher_is_better", "expected"),
    [
        (common.tiers_grading(), False, Tiers),
        (common.percentile_grading(), True, ScoreOrPercentile),
    ],
)
def test_the_demo_bundles_carry_the_2024_rules(tmp_path, table, higher_is_better, expected):
    meta = {"slug": "demo", "title": "Demo", "metric": "mse"}
    toml = common.challenge_toml(meta, [{"name": "y", "type": "float"}], {"grading": table})
    (tmp_path / "challenge.toml").write_text(toml)
    grading = read_metadata(tmp_path, [])["grading"]
    assert isinstance(parse_rule(grading, higher_is_better=higher_is_better), expected)


# --- the scheme -------------------------------------------------------------------------

SLUGS = ["a", "b", "c", "d", "e"]


def test_best_of_groups_count_once_with_the_better_mark():
    scheme = Scheme(best_of=(("a", "b"), ("c", "d")))
    assert [item.slugs for item in items(scheme, SLUGS)] == [("a", "b"), ("c", "d"), ("e",)]
    marks = {"a": 0.5, "b": 0.9, "c": 1.0, "d": 0.0, "e": 0.3}
    assert challenge_points(scheme, SLUGS, marks) == pytest.approx(30 * (0.9 + 1.0 + 0.3) / 3)


def test_equal_weights_by_default_and_custom_weights():
    marks = {"a": 1.0, "b": 0.0}
    assert challenge_points(Scheme(), ["a", "b"], marks) == pytest.approx(15.0)
    weighted = Scheme(weights={"a": 3, "b": 1})
    assert challenge_points(weighted, ["a", "b"], marks) == pytest.approx(22.5)
    assert challenge_points(Scheme(weights={"b": 0}), ["a", "b"], marks) == pytest.approx(30.0)


def test_an_unknown_mark_leaves_the_challenge_part_unknown():
    assert challenge_points(Scheme(), ["a", "b"], {"a": 1.0, "b": None}) is None


def test_final_points_and_grade_on_the_default_czech_scale():
    scheme = Scheme()
    assert scheme.scale == DEFAULT_SCALE
    challenge = 22.0
    assert final_points(challenge, project_points(scheme, 80)) == 78.0
    assert grade_for(scheme, 78.0) == "2"
    assert final_points(challenge, project_points(scheme, 80, adjustment=+20)) == 92.0
    assert project_points(scheme, 95, adjustment=+20) == 70.0  # clipped at 100 %
    assert final_points(challenge, project_points(scheme, None)) is None


@pytest.mark.parametrize(
    ("points", "grade"),
    [(100, "1"), (90, "1"), (89.99, "2"), (75, "2"), (60, "3"), (59.99, "4"), (0, "4")],
)
def test_scale_boundaries_are_inclusive_minimums(points, grade):
    assert grade_for(Scheme(), points) == grade


def test_float_noise_does_not_cost_a_grade():
    points = 30 * (0.7 + 0.2 + 0.1) + 60.0  # 89.99999999999999 in floating point
    assert grade_for(Scheme(), points) == "1"


@pytest.mark.parametrize(
    ("scheme", "message"),
    [
        (Scheme(challenge_percent=40), "must add up to 100"),
        (Scheme(weights={"a": -1}), "weight of 'a'"),
        (Scheme(weights={"zz": 1}), "'zz', which is not a challenge"),
        (Scheme(best_of=(("a",),)), "two or more"),
        (Scheme(best_of=(("a", "b"), ("b", "c"))), "more than one best-of group"),
        (Scheme(scale=((90, "1"), (60, "3"))), "a grade for 0 points"),
        (Scheme(scale=((90, ""),)), "must be [minimum points, grade]"),
    ],
)
def test_a_bad_scheme_is_explained(scheme, message):
    errors = scheme_errors(scheme, known_slugs=SLUGS)
    assert any(message in error for error in errors), errors


def test_the_default_scheme_is_valid():
    assert scheme_errors(Scheme(), known_slugs=SLUGS) == []
