"""The Kaggle-format leaderboard CSV (challenges/boards/kaggle.py, exports.py): Kaggle's
header, rows, dates and precision, formula-safe names, and reading it back with pandas."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest

from challenges.boards.kaggle import HEADER, KaggleRow, leaderboard_csv
from challenges.boards.pseudonyms import pseudonym_for
from tests.factories import scored_submission

PRAGUE_WINTER = timezone(timedelta(hours=1))


ROWS = [
    KaggleRow(
        1, 101, "Subin An", datetime(2023, 3, 1, 12, 34, 56, tzinfo=UTC), 0.1 + 0.2, 7, ["subinium"]
    ),
    KaggleRow(
        2,
        102,
        'Team "Quotes", Inc.',
        datetime(2023, 3, 2, 0, 30, tzinfo=PRAGUE_WINTER),
        0.987654321012345,
        3,
        ["anna", "bob", "cyril"],
    ),
    KaggleRow(3, 103, "Příliš žluťoučký kůň", datetime(2023, 3, 3, tzinfo=UTC), 1e-05, 1, ["kun"]),
    KaggleRow(
        None, 104, "Sample submission benchmark", datetime(2023, 3, 1, tzinfo=UTC), None, 0, []
    ),
]


def read_back(text: str) -> pd.DataFrame:
    return pd.read_csv(
        io.StringIO(text), keep_default_na=False, na_values={"Rank": [""], "Score": [""]}
    )


def test_the_header_is_kaggles():
    assert leaderboard_csv([]).splitlines() == [",".join(HEADER)]
    assert HEADER == (
        "Rank",
        "TeamId",
        "TeamName",
        "LastSubmissionDate",
        "Score",
        "SubmissionCount",
        "TeamMemberUserNames",
    )


def test_a_row_looks_like_a_row_of_kaggles_download():
    row = KaggleRow(
        1, 16625060, "Subin An", datetime(2026, 8, 3, 23, 1, 3, tzinfo=UTC), 2914.0, 2, ["subinium"]
    )
    assert (
        leaderboard_csv([row]).splitlines()[1]
        == '1,16625060,"Subin An","2026-08-03 23:01:03",2914.0,2,subinium'
    )


def test_the_export_reads_back_with_pandas_as_the_rows():
    frame = read_back(leaderboard_csv(ROWS))
    assert list(frame.columns) == list(HEADER)
    assert frame["TeamId"].tolist() == [101, 102, 103, 104]
    assert frame["TeamName"].tolist() == [row.team_name for row in ROWS]
    assert frame["SubmissionCount"].tolist() == [7, 3, 1, 0]
    assert frame["TeamMemberUserNames"].tolist() == ["subinium", "anna,bob,cyril", "kun", ""]
    assert frame["Rank"].tolist()[:3] == [1, 2, 3] and pd.isna(frame["Rank"][3])


def test_scores_keep_full_precision():
    frame = read_back(leaderboard_csv(ROWS))
    assert frame["Score"].tolist()[:3] == [0.1 + 0.2, 0.987654321012345, 1e-05]
    assert pd.isna(frame["Score"][3])


def test_dates_are_utc_in_kaggles_format():
    frame = read_back(leaderboard_csv(ROWS))
    assert frame["LastSubmissionDate"].tolist()[:2] == [
        "2023-03-01 12:34:56",
        "2023-03-01 23:30:00",
    ]
    parsed = pd.to_datetime(frame["LastSubmissionDate"], format="%Y-%m-%d %H:%M:%S")
    assert parsed[0] == pd.Timestamp("2023-03-01 12:34:56")


def test_naive_dates_are_refused():
    with pytest.raises(ValueError, match="timezone"):
        leaderboard_csv([KaggleRow(1, 1, "a", datetime(2023, 3, 1), 0.5, 1, ["a"])])


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tcmd", "\rcmd"]
)
def test_formula_like_names_are_neutralised(name):
    row = KaggleRow(1, 1, name, datetime(2023, 3, 1, tzinfo=UTC), -0.5, 1, [name])
    frame = read_back(leaderboard_csv([row]))
    assert frame["TeamName"][0] == "'" + name
    assert frame["TeamMemberUserNames"][0] == "'" + name
    assert frame["Score"][0] == -0.5  # numbers are left alone


def test_names_with_line_breaks_stay_in_one_cell():
    row = KaggleRow(1, 1, "two\nlines", datetime(2023, 3, 1, tzinfo=UTC), 0.5, 1, ["x"])
    assert read_back(leaderboard_csv([row]))["TeamName"][0] == "two\nlines"


@pytest.mark.django_db
def test_the_kaggle_format_export_reads_back_with_pandas(
    client, instructor, student_api, challenge, student, other_student, make_user
):
    import io

    import pandas as pd

    student.first_name, student.last_name = "=HYPERLINK(evil)", "Smith"
    student.save()
    scored_submission(challenge, student, 0.1, 0.3, minutes_ago=10)
    scored_submission(challenge, student, 0.2, 0.3, minutes_ago=5)
    scored_submission(challenge, other_student, 0.15, 0.2)
    scored_submission(challenge, make_user("baseline"), 0.12, 0.12, is_baseline=True)
    client.force_login(instructor)
    for split, expected in (("public", [0.1, 0.15]), ("private", [0.2, 0.3])):
        response = client.get(f"/api/challenges/tiny-1d/leaderboard/download/?split={split}")
        assert response["Content-Type"].startswith("text/csv")
        frame = pd.read_csv(io.StringIO(response.content.decode()))
        assert list(frame.columns) == [
            "Rank",
            "TeamId",
            "TeamName",
            "LastSubmissionDate",
            "Score",
            "SubmissionCount",
            "TeamMemberUserNames",
        ]
        assert frame["Rank"].tolist() == [1, 2] and frame["Score"].tolist() == expected
        assert frame["Rank"].dtype.kind == "i"  # baselines left out: notebooks parse ints
    public = pd.read_csv(
        io.StringIO(client.get("/api/challenges/tiny-1d/leaderboard/download/").content.decode())
    )
    assert public.loc[0, "TeamName"] == "'=HYPERLINK(evil) Smith"
    assert public.loc[0, "TeamMemberUserNames"] == "alice"
    assert public.loc[0, "SubmissionCount"] == 2
    students_copy = student_api.get("/api/challenges/tiny-1d/leaderboard/download/")
    text = students_copy.content.decode()
    assert "alice" not in text and "Smith" not in text and pseudonym_for(student.pk) in text
