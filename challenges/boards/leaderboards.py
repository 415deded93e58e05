"""Leaderboards: one indexed read of the precomputed standings (see `standings.py`),
ranked here by the challenge's tie policy (`ties.py`), the one the Kaggle-format CSV and
the grades use. Reference rows are never ranked nor counted as participants: baselines, and
instructors' (staff) own test uploads, which only the instructors' view shows."""

from dataclasses import dataclass, replace
from datetime import datetime

from challenges.boards.pseudonyms import pseudonym_for, student_team_id
from challenges.boards.standings import SPLITS
from challenges.boards.ties import assign_ranks
from challenges.models import Challenge, Standing
from vsegrader.permissions import instructor_lookup


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int | None  # None for a reference row (a baseline, an instructor): not ranked
    team_id: str  # student_team_id(user id) for a student, "b<submission id>" for a baseline
    user_id: int
    name: str  # what the viewer may see: a pseudonym for students, real names for instructors
    username: str
    score: float
    entries: int
    last_submission: datetime
    is_baseline: bool
    submission_id: int
    public_rank: int | None = None  # on the private board: the team's public rank (the move)
    ci_low: float | None = None
    ci_high: float | None = None
    by_instructor: bool = False  # an instructor's own upload: a reference row, instructors only

    @property
    def move(self) -> int | None:
        """Places gained from the public to the private board (negative: places lost)."""
        if self.rank is None or self.public_rank is None:
            return None
        return self.public_rank - self.rank


FIELDS = (
    "is_baseline",
    "description",
    "entries",
    "last_submission",
    "user_id",
    "user__username",
    instructor_lookup("user"),
    "user__first_name",
    "user__last_name",
    "user__competitor__display_name",
    "public_score",
    "public_at",
    "public_submission_id",
    "private_score",
    "private_at",
    "private_submission_id",
    "private_ci_low",
    "private_ci_high",
)


def leaderboard(
    *, challenge: Challenge, split: str = "public", real_names: bool = False
) -> list[LeaderboardRow]:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    standings = [dict(zip(FIELDS, values, strict=True)) for values in _ordered(challenge, split)]
    if not real_names:  # students' view: instructors' test uploads are not theirs to see
        standings = [s for s in standings if not _is_instructor_row(s)]
    rows = _ranked(standings, split, real_names, challenge.ties)
    if split == "private":
        public_ranks = _public_ranks(standings, challenge.higher_is_better, challenge.ties)
        rows = [replace(row, public_rank=public_ranks.get(row.team_id)) for row in rows]
    return rows


def participant_count(rows: list[LeaderboardRow]) -> int:
    """The ranked rows: what "rank 10 of 38" counts."""
    return sum(1 for row in rows if row.rank is not None)


def _is_instructor_row(standing: dict) -> bool:
    return bool(standing[instructor_lookup("user")]) and not standing["is_baseline"]


def _is_reference(standing: dict) -> bool:
    return bool(standing["is_baseline"]) or _is_instructor_row(standing)


def _ordered(challenge: Challenge, split: str):
    score = f"{split}_score"
    best_first = f"-{score}" if challenge.higher_is_better else score
    return (
        Standing.objects.filter(challenge=challenge, **{f"{score}__isnull": False})
        .order_by(best_first, f"{split}_at", f"{split}_submission_id")
        .values_list(*FIELDS)
    )


def _ranked(standings: list[dict], split: str, real_names: bool, ties: str) -> list[LeaderboardRow]:
    """`standings` in board order; the ranked ones get ranks by the tie policy."""
    competing = [s for s in standings if not _is_reference(s)]
    ranks = assign_ranks([s[f"{split}_score"] for s in competing], ties)
    rank_of = {id(s): rank for s, rank in zip(competing, ranks, strict=True)}
    return [_row(s, split, rank_of.get(id(s)), real_names) for s in standings]


def _public_ranks(standings: list[dict], higher_is_better: bool, ties: str) -> dict[str, int]:
    """Public ranks of the teams on the private board, from the same rows (no query)."""
    students = [s for s in standings if not _is_reference(s) and s["public_score"] is not None]
    sign = -1 if higher_is_better else 1
    students.sort(
        key=lambda s: (sign * s["public_score"], s["public_at"], s["public_submission_id"])
    )
    ranks = assign_ranks([s["public_score"] for s in students], ties)
    return {student_team_id(s["user_id"]): rank for s, rank in zip(students, ranks, strict=True)}


def _row(standing: dict, split: str, rank: int | None, real_names: bool) -> LeaderboardRow:
    baseline = standing["is_baseline"]
    submission_id = standing[f"{split}_submission_id"]
    private = split == "private"
    return LeaderboardRow(
        rank=rank,
        team_id=f"b{submission_id}" if baseline else student_team_id(standing["user_id"]),
        user_id=standing["user_id"],
        name=_shown_name(standing, real_names),
        username=standing["user__username"],
        score=standing[f"{split}_score"],
        entries=standing["entries"],
        last_submission=standing["last_submission"],
        is_baseline=baseline,
        submission_id=submission_id,
        ci_low=standing["private_ci_low"] if private else None,
        ci_high=standing["private_ci_high"] if private else None,
        by_instructor=_is_instructor_row(standing),
    )


def _shown_name(standing: dict, real_names: bool) -> str:
    if standing["is_baseline"]:
        description = standing["description"]
        return f"Baseline: {description}" if description else "Baseline"
    if real_names:
        full_name = f"{standing['user__first_name']} {standing['user__last_name']}".strip()
        name = full_name or standing["user__username"]
        return f"Instructor: {name}" if _is_instructor_row(standing) else name
    return standing["user__competitor__display_name"] or pseudonym_for(standing["user_id"])
