"""Leaderboards: one indexed read of the precomputed standings (see challenges.standings),
ranked here. Baselines are shown for reference and never ranked."""

from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings

from challenges.models import Challenge, Standing
from challenges.pseudonyms import pseudonym
from challenges.standings import SPLITS

__all__ = ["SPLITS", "LeaderboardRow", "leaderboard", "participant_count", "pseudonym_for"]


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int | None  # None for a baseline: shown for reference, not ranked
    team_id: str  # "u<user id>" for a student, "b<submission id>" for a baseline model
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

    @property
    def move(self) -> int | None:
        """Places gained from the public to the private board (negative: places lost)."""
        if self.rank is None or self.public_rank is None:
            return None
        return self.public_rank - self.rank


def pseudonym_for(user_id: int) -> str:
    return pseudonym(user_id, settings.SECRET_KEY + ":pseudonym")


FIELDS = (
    "is_baseline", "description", "entries", "last_submission", "user_id", "user__username",
    "user__first_name", "user__last_name", "user__competitor__display_name",
    "public_score", "public_at", "public_submission_id",
    "private_score", "private_at", "private_submission_id", "private_ci_low", "private_ci_high",
)


def leaderboard(
    *, challenge: Challenge, split: str = "public", real_names: bool = False
) -> list[LeaderboardRow]:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    standings = [dict(zip(FIELDS, values, strict=True)) for values in _ordered(challenge, split)]
    rows = _ranked(standings, split, real_names)
    if split == "private":
        public_ranks = _public_ranks(standings, challenge.higher_is_better)
        rows = [replace(row, public_rank=public_ranks.get(row.team_id)) for row in rows]
    return rows


def participant_count(rows: list[LeaderboardRow]) -> int:
    return sum(1 for row in rows if not row.is_baseline)


def _ordered(challenge: Challenge, split: str):
    score = f"{split}_score"
    best_first = f"-{score}" if challenge.higher_is_better else score
    return (
        Standing.objects.filter(challenge=challenge, **{f"{score}__isnull": False})
        .order_by(best_first, f"{split}_at", f"{split}_submission_id")
        .values_list(*FIELDS)
    )


def _ranked(standings: list[dict], split: str, real_names: bool) -> list[LeaderboardRow]:
    ranked, rank = [], 0
    for standing in standings:
        if not standing["is_baseline"]:
            rank += 1
        ranked.append(_row(standing, split, None if standing["is_baseline"] else rank, real_names))
    return ranked


def _public_ranks(standings: list[dict], higher_is_better: bool) -> dict[str, int]:
    """Public ranks of the teams on the private board, from the same rows (no query)."""
    students = [s for s in standings if not s["is_baseline"] and s["public_score"] is not None]
    sign = -1 if higher_is_better else 1
    students.sort(key=lambda s: (sign * s["public_score"], s["public_at"],
                                 s["public_submission_id"]))
    return {f"u{s['user_id']}": rank for rank, s in enumerate(students, start=1)}


def _row(standing: dict, split: str, rank: int | None, real_names: bool) -> LeaderboardRow:
    baseline = standing["is_baseline"]
    submission_id = standing[f"{split}_submission_id"]
    private = split == "private"
    return LeaderboardRow(
        rank=rank,
        team_id=f"b{submission_id}" if baseline else f"u{standing['user_id']}",
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
    )


def _shown_name(standing: dict, real_names: bool) -> str:
    if standing["is_baseline"]:
        description = standing["description"]
        return f"Baseline: {description}" if description else "Baseline"
    if real_names:
        full_name = f"{standing['user__first_name']} {standing['user__last_name']}".strip()
        return full_name or standing["user__username"]
    return standing["user__competitor__display_name"] or pseudonym_for(standing["user_id"])
