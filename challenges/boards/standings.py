"""Each team's counted best on the public and private boards, precomputed.

Which submissions count: scored, not late, not disqualified, by a participant not
disqualified on the challenge. A team is one student, or one baseline model (baseline
submissions are grouped by their description, so several reference models can be shown).
- public: the team's best shown public score (the Ladder's score in Ladder mode);
- private: Kaggle's rule: the best private score among the submissions the team marked as
  final, or, when it marked none, among its N best by public score.
Among equal scores the earlier submission wins, as on Kaggle.

`refresh_standings` recomputes the rows of some participants (replaying the Ladder first in
Ladder mode); every write that changes
what counts (scoring, final selection, moderation) calls it in its own transaction, after
locking the participant, so boards stay one indexed read however many submissions exist.
"""

from datetime import UTC, datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from challenges.boards.ladders import replay_ladders
from challenges.models import Challenge, Disqualification, Standing, Submission
from challenges.rules.quotas import lock_participant

SPLITS = ("public", "private")


def counted_submissions(challenge: Challenge):
    """The submissions that count, as a queryset: the same rule as `best_sql`'s `counted`."""
    return Submission.objects.filter(
        challenge=challenge,
        status=Submission.Status.SCORED,
        is_late=False,
        disqualified_reason="",
    ).exclude(user__in=challenge.disqualifications.values("user"))


def refresh_standings(*, challenge: Challenge, users=None) -> None:
    """Recomputes the standings of `users` (all participants when None)."""
    user_ids = None if users is None else sorted({getattr(u, "pk", u) for u in users})
    with transaction.atomic():
        for user_id in user_ids or ():
            lock_participant(user_id)
        replay_ladders(challenge=challenge, user_ids=user_ids)
        merged = _merged_rows(challenge, user_ids)
        existing = Standing.objects.filter(challenge=challenge)
        if user_ids is not None:
            existing = existing.filter(user_id__in=user_ids)
        existing.delete()
        Standing.objects.bulk_create(merged, batch_size=1000)


def _merged_rows(challenge: Challenge, user_ids) -> list[Standing]:
    standings: dict[str, Standing] = {}
    for split in SPLITS:
        for record in _best_rows(challenge, split, user_ids):
            (
                team,
                user_id,
                baseline,
                description,
                score,
                at,
                sub_id,
                entries,
                last_at,
                ci_low,
                ci_high,
            ) = record
            standing = standings.setdefault(
                team,
                Standing(
                    challenge=challenge,
                    user_id=user_id,
                    team=team,
                    is_baseline=bool(baseline),
                    description=description,
                    entries=entries,
                    last_submission=last_at,
                ),
            )
            setattr(standing, f"{split}_score", score)
            setattr(standing, f"{split}_submission_id", sub_id)
            setattr(standing, f"{split}_at", at)
            if split == "private":
                standing.private_ci_low, standing.private_ci_high = ci_low, ci_high
    return list(standings.values())


def _best_rows(challenge: Challenge, split: str, user_ids) -> list[tuple]:
    sql, params = best_sql(challenge, split, user_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_with_datetimes(row) for row in cursor.fetchall()]


def _with_datetimes(row: tuple) -> tuple:
    return tuple(_aware(v) if i in (5, 8) else v for i, v in enumerate(row))


def _aware(value) -> datetime:
    # A raw SQLite cursor hands back naive UTC datetimes, or text for window aggregates.
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def best_sql(challenge: Challenge, split: str, user_ids=None) -> tuple[str, list]:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}")
    direction = "DESC" if challenge.higher_is_better else "ASC"
    score = "s.shown_public_score" if split == "public" else "s.private_score"
    chosen = _final_candidates_sql(direction) if split == "private" else "SELECT * FROM teams"
    users_filter = ""
    params: list = [challenge.pk, Submission.Status.SCORED]
    if user_ids is not None:
        users_filter = (
            f"AND s.user_id IN ({', '.join(['%s'] * len(user_ids))})" if user_ids else "AND 1 = 0"
        )
        params += list(user_ids)
    sql = f"""
    WITH counted AS (
        SELECT s.id, s.user_id, s.is_baseline, s.is_final, s.created_at, s.description,
               s.public_score, s.private_ci_low, s.private_ci_high, {score} AS score,
               CASE WHEN s.is_baseline THEN 'b' || s.description ELSE 'u' || s.user_id END
                   AS team
        FROM {Submission._meta.db_table} s
        WHERE s.challenge_id = %s AND s.status = %s {users_filter} AND NOT s.is_late
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
    SELECT team, user_id, is_baseline, description, score, created_at, id, entries, last_at,
           private_ci_low, private_ci_high
    FROM best WHERE position = 1
    """
    if split == "private":
        params.append(challenge.final_selections)
    return sql, params


def _final_candidates_sql(direction: str) -> str:
    """Kaggle's final selection: the marked submissions, else the N best by public score.

    By the score the student was shown: in Ladder mode the Ladder's (ranking by exact scores
    the student never saw would let them pick for the student), where equal shown scores go
    to the later submission; in standard mode the shown score is the exact one and the
    earlier submission wins, as on Kaggle. A submission still waiting for its shown score
    comes last.
    """
    later_first = "CASE WHEN ch.public_ladder THEN {} END DESC"
    return f"""
        SELECT * FROM (
            SELECT t.*,
                   ROW_NUMBER() OVER (
                       PARTITION BY team ORDER BY
                           CASE WHEN x.shown_public_score IS NULL THEN 1 ELSE 0 END,
                           x.shown_public_score {direction},
                           {later_first.format("t.created_at")}, {later_first.format("t.id")},
                           t.created_at, t.id
                   ) AS public_position,
                   SUM(CASE WHEN t.is_final THEN 1 ELSE 0 END) OVER (PARTITION BY team)
                       AS finals
            FROM teams t
            JOIN {Submission._meta.db_table} x ON x.id = t.id
            JOIN {Challenge._meta.db_table} ch ON ch.id = x.challenge_id
        ) ranked
        WHERE is_final OR (finals = 0 AND public_position <= %s)
    """
