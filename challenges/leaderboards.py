"""Leaderboards, computed in the database with one query per board.

Which submissions count: scored, not late, not disqualified, by a participant not
disqualified on the challenge. A "team" is one student, or one baseline model (baseline
submissions are grouped by their description, so several reference models can be shown).

- public: each team's best shown public score (the Ladder's score in Ladder mode);
- private: Kaggle's rule: the best private score among the submissions the team marked as
  final, or, when it marked none, among its N best by public score.
An earlier submission ranks first among equal scores, as on Kaggle.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.dateparse import parse_datetime

from challenges.models import Challenge, Competitor, Disqualification, Submission
from challenges.pseudonyms import pseudonym

SPLITS = ("public", "private")


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


def leaderboard(
    *, challenge: Challenge, split: str = "public", real_names: bool = False
) -> list[LeaderboardRow]:
    rows = _ranked_rows(challenge, split, real_names)
    if split == "private":
        public_ranks = {row.team_id: row.rank for row in _ranked_rows(challenge, "public", False)}
        rows = [replace(row, public_rank=public_ranks.get(row.team_id)) for row in rows]
    return rows


def participant_count(rows: list[LeaderboardRow]) -> int:
    return sum(1 for row in rows if not row.is_baseline)


def _ranked_rows(challenge: Challenge, split: str, real_names: bool) -> list[LeaderboardRow]:
    sql, params = _board_sql(challenge, split)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        records = cursor.fetchall()
    ranked, rank = [], 0
    for record in records:
        baseline = bool(record[8])
        if not baseline:
            rank += 1
        ranked.append(_row(record, None if baseline else rank, real_names))
    return ranked


def _row(record, rank: int | None, real_names: bool) -> LeaderboardRow:
    (team, user_id, username, first, last, chosen, score, entries, baseline, last_at,
     sub_id, description, ci_low, ci_high) = record
    return LeaderboardRow(
        rank=rank, team_id=team, user_id=user_id,
        name=_shown_name(bool(baseline), user_id, username, f"{first} {last}".strip(), chosen,
                         description, real_names),
        username=username, score=score, entries=entries,
        last_submission=_as_datetime(last_at), is_baseline=bool(baseline),
        submission_id=sub_id, ci_low=ci_low, ci_high=ci_high,
    )


def _shown_name(baseline, user_id, username, full_name, chosen, description, real_names) -> str:
    if baseline:
        return f"Baseline: {description}" if description else "Baseline"
    if real_names:
        return full_name or username
    return chosen or pseudonym_for(user_id)


def _as_datetime(value) -> datetime:
    # SQLite hands window aggregates back as text, PostgreSQL as datetimes.
    return parse_datetime(value) if isinstance(value, str) else value


def _board_sql(challenge: Challenge, split: str) -> tuple[str, list]:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    direction = "DESC" if challenge.higher_is_better else "ASC"
    submission = Submission._meta.db_table
    score = "s.shown_public_score" if split == "public" else "s.private_score"
    chosen = _final_candidates_sql(direction) if split == "private" else "SELECT * FROM teams"
    sql = f"""
    WITH counted AS (
        SELECT s.id, s.user_id, s.is_baseline, s.is_final, s.created_at, s.description,
               s.public_score, s.private_ci_low, s.private_ci_high, {score} AS score,
               CASE WHEN s.is_baseline THEN 'b' || s.description ELSE 'u' || s.user_id END
                   AS team
        FROM {submission} s
        WHERE s.challenge_id = %s AND s.status = %s AND NOT s.is_late
          AND s.disqualified_reason = '' AND {score} IS NOT NULL
          AND NOT EXISTS (
              SELECT 1 FROM {Disqualification._meta.db_table} d
              WHERE d.challenge_id = s.challenge_id AND d.user_id = s.user_id)
    ),
    teams AS (
        SELECT c.*,
               COUNT(*) OVER (PARTITION BY team) AS entries,
               MAX(created_at) OVER (PARTITION BY team) AS last_at
        FROM counted c
    ),
    chosen AS ({chosen}),
    best AS (
        SELECT b.*, ROW_NUMBER() OVER (
            PARTITION BY team ORDER BY score {direction}, created_at, id) AS position
        FROM chosen b
    )
    SELECT CASE WHEN b.is_baseline THEN 'b' || b.id ELSE 'u' || b.user_id END,
           b.user_id, u.username, u.first_name, u.last_name, comp.display_name,
           b.score, b.entries, b.is_baseline, b.last_at, b.id, b.description,
           b.private_ci_low, b.private_ci_high
    FROM best b
    JOIN {get_user_model()._meta.db_table} u ON u.id = b.user_id
    LEFT JOIN {Competitor._meta.db_table} comp ON comp.user_id = b.user_id
    WHERE b.position = 1
    ORDER BY b.score {direction}, b.created_at, b.id
    """
    params = [challenge.pk, Submission.Status.SCORED]
    return sql, params + ([challenge.final_selections] if split == "private" else [])


def _final_candidates_sql(direction: str) -> str:
    """Kaggle's final selection: the marked submissions, else the N best by public score."""
    return f"""
        SELECT * FROM (
            SELECT t.*,
                   ROW_NUMBER() OVER (
                       PARTITION BY team ORDER BY public_score {direction}, created_at, id
                   ) AS public_position,
                   SUM(CASE WHEN is_final THEN 1 ELSE 0 END) OVER (PARTITION BY team)
                       AS finals
            FROM teams t
        ) ranked
        WHERE is_final OR (finals = 0 AND public_position <= %s)
    """
