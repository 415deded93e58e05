"""Grading rules: pure functions, no Django. How marks add up to a grade is grade_scheme.py.

A challenge's rule comes from the `[grading]` table of its challenge.toml (editable in the
admin as the challenge's `grading` JSON). Marks lie in 0..1 and are computed on the final
(private) leaderboard:

    rule = "tiers"                   # score thresholds -> marks, in the metric's direction
    tiers = [[1.0, 0.5], [0.1, 0.7], [0.01, 0.9]]   # [threshold, mark] pairs, any order
    boundary = "strict"              # "strict" (MSE < 1, accuracy > 0.9) or "inclusive" (<=, >=)
    full_marks_top = 10              # optional: rank <= 10 among students gets 1.0

    rule = "score_or_percentile"     # mark = max(score, 1 - (rank - 1) / N); higher-is-better

    rule = "linear"                  # 0 at `zero`, 1 at `target`, linear between, clipped
    target = "best"                  # a score, or "best": the best student's score (default)
    zero = 0.25                      # optional; default: the best baseline score on the board
                                     # given both, the target must be better than zero

Ranks count students only: baseline rows are neither ranked nor counted in N. Equal scores
rank by the challenge's tie policy (challenges.boards.ties), the same one its leaderboard and its
Kaggle-format CSV use: "kaggle" (the default; entries come in board order, so the earlier
submission ranks first: 1, 2, 3, 4) or "shared" (equal scores share the better rank: 1, 2, 2,
4). A student without a counted submission is not on the board and gets 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from challenges.boards.ties import DEFAULT_TIE_POLICY, assign_ranks

RULES = ("tiers", "score_or_percentile", "linear")
BOUNDARIES = ("strict", "inclusive")
RULE_KEYS = {
    "tiers": ("rule", "tiers", "boundary", "full_marks_top"),
    "score_or_percentile": ("rule",),
    "linear": ("rule", "target", "zero"),
}


# Said by the gradebook, the rules form and its preview alike: "a zero score" is the form's
# "Zero score (mark 0)" field and the `zero` key of a bundle's [grading] table.
NO_ZERO = (
    "rule 'linear' has no zero score (mark 0): none is given, and the leaderboard has no "
    "baseline to take it from; give a zero score, or train a baseline first"
)


class RuleError(ValueError):
    """A grading rule or scheme that cannot be used; `errors` lists each problem."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass(frozen=True)
class Entry:
    """One row of a final leaderboard: a student's counted score, or a baseline's."""

    user_id: int
    score: float
    is_baseline: bool = False


@dataclass(frozen=True)
class Tiers:
    tiers: tuple[tuple[float, float], ...]
    boundary: str = "strict"
    full_marks_top: int = 0
    name: str = field(default="tiers", init=False)


@dataclass(frozen=True)
class ScoreOrPercentile:
    name: str = field(default="score_or_percentile", init=False)


@dataclass(frozen=True)
class Linear:
    target: float | None = None  # None: the class best
    zero: float | None = None  # None: the best baseline on the board
    name: str = field(default="linear", init=False)


Rule = Tiers | ScoreOrPercentile | Linear


# --- reading a rule ---------------------------------------------------------------------


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def parse_rule(grading: Mapping, *, higher_is_better: bool) -> Rule:
    """The rule a `[grading]` table describes; RuleError lists every problem in it."""
    errors: list[str] = []
    rule = _parse(grading or {}, higher_is_better, errors)
    if errors or rule is None:
        raise RuleError(errors or ["no grading rule"])
    return rule


def _parse(grading: Mapping, higher_is_better: bool, errors: list[str]) -> Rule | None:
    name = grading.get("rule")
    if name not in RULES:
        shown = f"'{name}'" if name is not None else "missing"
        errors.append(f"grading rule {shown}: use rule = one of {', '.join(RULES)}")
        return None
    unknown = sorted(set(grading) - set(RULE_KEYS[name]))
    if unknown:
        errors.append(
            f"rule '{name}' does not use {', '.join(unknown)}; "
            f"its keys are {', '.join(RULE_KEYS[name])}"
        )
    if name == "tiers":
        return _parse_tiers(grading, errors)
    if name == "linear":
        return _parse_linear(grading, higher_is_better, errors)
    if not higher_is_better:
        errors.append(
            "rule 'score_or_percentile' needs a metric where higher is better and "
            "scores lie in 0..1 (like accuracy)"
        )
    return ScoreOrPercentile()


def _parse_tiers(grading: Mapping, errors: list[str]) -> Tiers:
    raw = grading.get("tiers")
    pairs: list[tuple[float, float]] = []
    if not isinstance(raw, list | tuple) or not raw:
        errors.append("rule 'tiers' needs tiers = [[threshold, mark], ...], e.g. [[1.0, 0.5]]")
        raw = []
    for index, pair in enumerate(raw, start=1):
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(is_number(v) for v in pair)
            or not 0 <= pair[1] <= 1
        ):
            errors.append(
                f"tier {index} must be [threshold, mark] with a mark in 0..1, not {pair!r}"
            )
        else:
            pairs.append((float(pair[0]), float(pair[1])))
    boundary = grading.get("boundary", "strict")
    if boundary not in BOUNDARIES:
        errors.append(f"boundary {boundary!r} is not known; use 'strict' or 'inclusive'")
    top = grading.get("full_marks_top", 0)
    if not isinstance(top, int) or isinstance(top, bool) or top < 0:
        errors.append(f"full_marks_top must be a whole number >= 0, not {top!r}")
        top = 0
    return Tiers(tiers=tuple(pairs), boundary=boundary, full_marks_top=top)


def _parse_linear(grading: Mapping, higher_is_better: bool, errors: list[str]) -> Linear:
    target = grading.get("target", "best")
    zero = grading.get("zero")
    if target != "best" and not is_number(target):
        errors.append(f'linear target must be a score or "best", not {target!r}')
        target = "best"
    if zero is not None and not is_number(zero):
        errors.append(f"linear zero must be a score, not {zero!r}")
        zero = None
    rule = Linear(
        target=None if target == "best" else float(target),
        zero=None if zero is None else float(zero),
    )
    errors.extend(linear_problems(rule, higher_is_better=higher_is_better))
    return rule


def linear_problems(rule: Linear, *, higher_is_better: bool) -> list[str]:
    """A target score that is not better than the zero score, in the metric's direction:
    equal, every mark would be a step; reversed, the better score would earn less. Checked
    only when both are given; with "best" or a baseline, the board decides (`linear_mark`)."""
    target, zero = rule.target, rule.zero
    if target is None or zero is None or better(target, zero, higher_is_better):
        return []
    side = "above" if higher_is_better else "below"
    if target == zero:
        return [
            f"rule 'linear': the target score (mark 1) and the zero score (mark 0) are both "
            f"{target:g}; give two different scores, the target {side} the zero score"
        ]
    direction = "higher" if higher_is_better else "lower"
    return [
        f"rule 'linear': the target score {target:g} (mark 1) must be better than the zero "
        f"score {zero:g} (mark 0); {direction} is better on this challenge, so give a target "
        f"{side} {zero:g}, or swap the two scores"
    ]


def tier_problems(tiers: Sequence[tuple[float, float]], *, higher_is_better: bool) -> list[str]:
    """What makes a set of tiers overlap: a threshold given twice, or a harder threshold
    that does not earn more than an easier one (a better score takes the highest mark it
    meets, so such a tier never applies). `parse_rule` accepts both; the rules form does not."""
    problems: list[str] = []
    seen: dict[float, int] = {}
    for index, (threshold, _mark) in enumerate(tiers, start=1):
        if threshold in seen:
            problems.append(
                f"tiers {seen[threshold]} and {index} both use the threshold {threshold:g}: "
                "give each threshold once"
            )
        seen.setdefault(threshold, index)
    direction = 1 if higher_is_better else -1
    easiest_first = sorted(set(tiers), key=lambda pair: (direction * pair[0], pair[1]))
    for (easier, easier_mark), (harder, harder_mark) in zip(
        easiest_first, easiest_first[1:], strict=False
    ):
        if harder != easier and harder_mark <= easier_mark:
            problems.append(
                f"the tier at {harder:g} gives {harder_mark:g}, not more than the {easier_mark:g} "
                f"of the easier tier at {easier:g}, so it would never apply: give it a mark "
                f"above {easier_mark:g} or remove it"
            )
    return problems


# --- marks ------------------------------------------------------------------------------


def better(a: float, b: float, higher_is_better: bool) -> bool:
    return a > b if higher_is_better else a < b


def clip(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(max(value, low), high)


def student_scores(entries: Sequence[Entry], higher_is_better: bool) -> dict[int, float]:
    """Each student's best score (a board holds one row per student; this is defensive)."""
    best: dict[int, float] = {}
    for entry in entries:
        if entry.is_baseline:
            continue
        known = best.get(entry.user_id)
        if known is None or better(entry.score, known, higher_is_better):
            best[entry.user_id] = entry.score
    return best


def ranks(
    scores: Mapping[int, float], higher_is_better: bool, ties: str = DEFAULT_TIE_POLICY
) -> dict[int, int]:
    """Each student's rank under the tie policy. `scores` comes in board order: among equal
    scores the one listed first (the earlier submission) ranks first under "kaggle"."""
    ordered = sorted(scores.items(), key=lambda item: -item[1] if higher_is_better else item[1])
    numbers = assign_ranks([score for _, score in ordered], ties)
    return {user_id: rank for (user_id, _), rank in zip(ordered, numbers, strict=True)}


def places(
    entries: Sequence[Entry], *, higher_is_better: bool, ties: str = DEFAULT_TIE_POLICY
) -> dict[int, tuple[int, int]]:
    """Each student's (rank, number of ranked students): "rank 10 of 38"."""
    scores = student_scores(entries, higher_is_better)
    return {
        user_id: (rank, len(scores))
        for user_id, rank in ranks(scores, higher_is_better, ties).items()
    }


def marks_for(
    rule: Rule, entries: Sequence[Entry], *, higher_is_better: bool, ties: str = DEFAULT_TIE_POLICY
) -> dict[int, float]:
    """Each student's mark on one challenge; students missing from `entries` get 0 (callers
    look them up with `.get(user_id, 0.0)`). `entries` come in board order (see `ranks`).
    Raises RuleError when the board cannot carry the rule (a linear rule with neither a
    baseline nor `zero`)."""
    scores = student_scores(entries, higher_is_better)
    if isinstance(rule, Tiers):
        return _tier_marks(rule, scores, higher_is_better, ties)
    if isinstance(rule, ScoreOrPercentile):
        return _percentile_marks(scores, higher_is_better, ties)
    return _linear_marks(rule, entries, scores, higher_is_better)


def passes(score: float, threshold: float, higher_is_better: bool, boundary: str) -> bool:
    if boundary == "inclusive" and score == threshold:
        return True
    return better(score, threshold, higher_is_better)


def tier_mark(rule: Tiers, score: float, higher_is_better: bool) -> float:
    met = [
        mark
        for threshold, mark in rule.tiers
        if passes(score, threshold, higher_is_better, rule.boundary)
    ]
    return max(met, default=0.0)


def _tier_marks(rule: Tiers, scores, higher_is_better: bool, ties: str) -> dict[int, float]:
    rank_of = ranks(scores, higher_is_better, ties)
    return {
        user_id: 1.0
        if rank_of[user_id] <= rule.full_marks_top
        else tier_mark(rule, score, higher_is_better)
        for user_id, score in scores.items()
    }


def _percentile_marks(scores, higher_is_better: bool, ties: str) -> dict[int, float]:
    rank_of, count = ranks(scores, higher_is_better, ties), len(scores)
    return {
        user_id: clip(max(score, 1 - (rank_of[user_id] - 1) / count))
        for user_id, score in scores.items()
    }


def _linear_marks(rule: Linear, entries, scores, higher_is_better: bool) -> dict[int, float]:
    zero = rule.zero if rule.zero is not None else best_baseline(entries, higher_is_better)
    if zero is None:
        raise RuleError([NO_ZERO])
    target = rule.target
    if target is None:
        if not scores:
            return {}
        target = max(scores.values()) if higher_is_better else min(scores.values())
    return {
        user_id: linear_mark(score, zero, target, higher_is_better)
        for user_id, score in scores.items()
    }


def best_baseline(entries: Sequence[Entry], higher_is_better: bool) -> float | None:
    baselines = [entry.score for entry in entries if entry.is_baseline]
    if not baselines:
        return None
    return max(baselines) if higher_is_better else min(baselines)


def linear_mark(score: float, zero: float, target: float, higher_is_better: bool) -> float:
    """0 at `zero`, 1 at `target`. When the target is not better than zero (say, nobody beat
    the baseline), the mark is a step: 1 for a score strictly better than zero, else 0."""
    if not better(target, zero, higher_is_better):
        return 1.0 if better(score, zero, higher_is_better) else 0.0
    return clip((score - zero) / (target - zero))


# --- describing a rule to a student ---------------------------------------------------------


def describe_rule(rule: Rule, *, metric: str, higher_is_better: bool) -> str:
    if isinstance(rule, ScoreOrPercentile):
        return (
            f"mark = max(private {metric}, 1 − (rank − 1) / N), where N is the number of "
            "ranked students and baselines are not ranked"
        )
    if isinstance(rule, Linear):
        zero = "the best baseline's score" if rule.zero is None else f"score {rule.zero:g}"
        target = "the best student's score" if rule.target is None else f"score {rule.target:g}"
        return (
            f"mark 0 at {zero}, 1 at {target}, linear in between and clipped to 0..1 "
            f"(private {metric})"
        )
    return _describe_tiers(rule, metric, higher_is_better)


def _describe_tiers(rule: Tiers, metric: str, higher_is_better: bool) -> str:
    inclusive = rule.boundary == "inclusive"
    if higher_is_better:
        word = "at least" if inclusive else "above"
    else:
        word = "at most" if inclusive else "below"
    ordered = sorted(rule.tiers, key=lambda pair: pair[1])
    parts = [f"private {metric} {word} {threshold:g} → {mark:g}" for threshold, mark in ordered]
    if rule.full_marks_top:
        top = "1" if rule.full_marks_top == 1 else f"1–{rule.full_marks_top}"
        parts.append(f"rank {top} among students → 1")
    parts.append("otherwise 0")
    return "; ".join(parts)
