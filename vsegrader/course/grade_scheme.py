"""The grade scheme: how challenge marks and the project mark add up to points and a grade.
Pure functions, no Django; the marks themselves come from grading.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from vsegrader.course.grading import clip, is_number

DEFAULT_SCALE: tuple[tuple[float, str], ...] = ((90.0, "1"), (75.0, "2"), (60.0, "3"), (0.0, "4"))


@dataclass(frozen=True)
class Scheme:
    """How marks add up: challenge part + project part = 100 points, then the scale."""

    challenge_percent: float = 30.0
    project_percent: float = 70.0
    weights: Mapping[str, float] = field(default_factory=dict)  # slug -> weight; missing: 1
    best_of: tuple[tuple[str, ...], ...] = ()
    scale: tuple[tuple[float, str], ...] = DEFAULT_SCALE  # (minimum points, grade)


@dataclass(frozen=True)
class Item:
    """One term of the challenge part: a challenge, or a best-of group of challenges."""

    slugs: tuple[str, ...]
    weight: float

    @property
    def label(self) -> str:
        return " / ".join(self.slugs) if len(self.slugs) > 1 else self.slugs[0]


def scheme_errors(scheme: Scheme, known_slugs: Sequence[str] | None = None) -> list[str]:
    errors = []
    for label, value in (
        ("challenge part", scheme.challenge_percent),
        ("project part", scheme.project_percent),
    ):
        if not is_number(value) or value < 0:
            errors.append(f"the {label} must be a number of points >= 0, not {value!r}")
    if not errors and abs(scheme.challenge_percent + scheme.project_percent - 100) > 1e-9:
        errors.append(
            f"the challenge part ({scheme.challenge_percent:g}) and the project part "
            f"({scheme.project_percent:g}) must add up to 100"
        )
    errors += _weight_errors(scheme.weights, known_slugs)
    errors += _best_of_errors(scheme.best_of, known_slugs)
    errors += scale_errors(scheme.scale)
    return errors


def _weight_errors(weights: Mapping, known_slugs) -> list[str]:
    if not isinstance(weights, Mapping):
        return ['weights must be a table of challenge → weight, like {"glasses": 2}']
    errors = [
        f"the weight of '{slug}' must be a number >= 0, not {weight!r}"
        for slug, weight in weights.items()
        if not is_number(weight) or weight < 0
    ]
    if known_slugs is not None:
        errors += [
            f"weights name '{slug}', which is not a challenge"
            for slug in weights
            if slug not in known_slugs
        ]
    return errors


def _best_of_errors(groups, known_slugs) -> list[str]:
    errors, seen = [], set()
    for group in groups:
        if not isinstance(group, list | tuple) or len(group) < 2:
            errors.append(f"a best-of group lists two or more challenges, not {group!r}")
            continue
        for slug in group:
            if slug in seen:
                errors.append(f"'{slug}' is in more than one best-of group")
            if known_slugs is not None and slug not in known_slugs:
                errors.append(f"best-of group names '{slug}', which is not a challenge")
            seen.add(slug)
    return errors


def scale_errors(scale) -> list[str]:
    if not isinstance(scale, list | tuple) or not scale:
        return ['the scale needs rows of [minimum points, grade], like [[90, "1"], [0, "4"]]']
    errors = []
    for row in scale:
        if (
            not isinstance(row, list | tuple)
            or len(row) != 2
            or not is_number(row[0])
            or not isinstance(row[1], str)
            or not row[1].strip()
        ):
            errors.append(f"a scale row must be [minimum points, grade], not {row!r}")
    if not errors and min(row[0] for row in scale) > 0:
        errors.append("the scale needs a grade for 0 points (a row [0, grade])")
    return errors


def items(scheme: Scheme, slugs: Sequence[str]) -> list[Item]:
    """The terms of the challenge part, in the order of `slugs`. A best-of group weighs the
    mean of its members' weights, so with equal weights every term counts the same."""
    grouped = {
        slug: tuple(s for s in group if s in slugs) for group in scheme.best_of for slug in group
    }
    result, done = [], set()
    for slug in slugs:
        if slug in done:
            continue
        members = grouped.get(slug) or (slug,)
        done.update(members)
        weight = sum(float(scheme.weights.get(s, 1.0)) for s in members) / len(members)
        result.append(Item(slugs=members, weight=weight))
    return result


def item_mark(item: Item, marks: Mapping[str, float | None]) -> float | None:
    values = [marks.get(slug) for slug in item.slugs]
    return None if any(v is None for v in values) else max(values)


def challenge_points(
    scheme: Scheme, slugs: Sequence[str], marks: Mapping[str, float | None]
) -> float | None:
    """Points of the challenge part; None when a counted mark is unknown (a broken rule)."""
    terms = [item for item in items(scheme, slugs) if item.weight > 0]
    total = sum(item.weight for item in terms)
    if not terms or total <= 0:
        return None
    values = [item_mark(item, marks) for item in terms]
    if any(v is None for v in values):
        return None
    fraction = sum(item.weight * v for item, v in zip(terms, values, strict=True)) / total
    return scheme.challenge_percent * fraction


def project_points(scheme: Scheme, mark: float | None, adjustment: float = 0.0) -> float | None:
    """`mark` is the project mark in percent (0..100); `adjustment` moves it for one member."""
    if mark is None:
        return None
    return scheme.project_percent * clip(mark + adjustment, 0.0, 100.0) / 100


def final_points(challenge: float | None, project: float | None) -> float | None:
    if challenge is None or project is None:
        return None
    return round(challenge + project, 2)


def grade_for(scheme: Scheme, points: float | None) -> str | None:
    """The grade of the highest scale row whose minimum the (rounded) points reach."""
    if points is None:
        return None
    points = round(points, 2)
    for minimum, grade in sorted(scheme.scale, key=lambda row: row[0], reverse=True):
        if points >= minimum:
            return grade
    return None
