"""Leaderboard downloads in Kaggle's export format, so instructors' notebooks keep working.

Students get pseudonyms in both name columns; instructors get real names and usernames.
Only ranked rows are written, with the board's ranks (the challenge's tie policy, see
challenges.boards.ties): baselines and instructors' own uploads are reference rows, left out, as
Kaggle's exports rank teams only and notebooks parse Rank as int.
"""

from django.http import HttpResponse

from challenges import selectors
from challenges.boards.kaggle import KaggleRow, leaderboard_csv
from challenges.boards.pseudonyms import team_number_for
from challenges.models import Challenge
from vsegrader import permissions


def kaggle_rows(*, challenge: Challenge, split: str, user):
    instructor = permissions.is_instructor(user)
    rows = selectors.board_for(challenge=challenge, split=split, user=user)
    return [
        KaggleRow(
            rank=row.rank,
            team_id=team_number_for(row.user_id),  # opaque: not the database id
            team_name=row.name,
            last_submission=row.last_submission,
            score=row.score,
            submission_count=row.entries,
            member_usernames=[row.username if instructor else row.name],
        )
        for row in rows
        if row.rank is not None
    ]


def leaderboard_csv_response(*, challenge: Challenge, split: str, user) -> HttpResponse:
    body = leaderboard_csv(kaggle_rows(challenge=challenge, split=split, user=user))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = f"{challenge.slug}-{split}-leaderboard.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
