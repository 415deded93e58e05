"""Issue 16: the instructors' 2024 notebook, run on the exported Kaggle-format CSVs, gives
exactly the gradebook's marks.

The notebook read each challenge's private leaderboard CSV with pandas, dropped the sample
and benchmark rows by hand, and applied the course's rules to Kaggle's `Rank` column:
  regression: MSE < 1 → 0.5, < 0.1 → 0.7, < 0.01 → 0.9 (strict), ranks 1–10 → 1.0;
  classification: max(accuracy, 1 − (Rank − 1) / N), N the rows left;
  a student missing from the file gets 0.

The boards (MSE "tiny-1d", accuracy "tiny-c"), with everything that could make them differ:
  s10 and s11 tie at MSE 0.01 (s10 first) across the top-10 edge and on a strict boundary;
  s12 sits exactly on 0.1 and s13 exactly on 1.0; s14 improved on a worse first try;
  s02 and s03 tie on accuracy 0.9; s11's percentile beats its accuracy;
  a baseline beats everyone on both; so does the instructor's own test upload;
  s15 never submitted; s16 only submitted after the deadline (late: never counts).
"""

import io

import numpy as np
import pandas as pd
import pytest

from challenges.bundles.importing import challenge_import
from challenges.bundles.reader import read_bundle
from tests.bundles import write_tiny_bundle
from tests.factories import scored_submission
from vsegrader.course import gradebook
from vsegrader.course.models import GradeScheme

pytestmark = pytest.mark.django_db

REGRESSION_2024 = {
    "rule": "tiers",
    "tiers": [[1.0, 0.5], [0.1, 0.7], [0.01, 0.9]],
    "full_marks_top": 10,
}
MSE = {
    "s01": 0.001, "s02": 0.002, "s03": 0.003, "s04": 0.004, "s05": 0.005, "s06": 0.006,
    "s07": 0.007, "s08": 0.008, "s09": 0.009, "s10": 0.01, "s11": 0.01, "s12": 0.1,
    "s13": 1.0, "s14": 0.05,
}  # fmt: skip
ACCURACY = {
    "s01": 0.95, "s02": 0.9, "s03": 0.9, "s04": 0.5, "s05": 0.2, "s06": 0.6, "s07": 0.4,
    "s08": 0.45, "s09": 0.55, "s10": 0.65, "s11": 0.7, "s12": 0.3, "s13": 0.35, "s14": 0.8,
}  # fmt: skip
STUDENTS = [f"s{n:02d}" for n in range(1, 17)]


# --- the notebook, as it was: pandas on the CSV ------------------------------------------------


def read_board(text: str) -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(text))
    by_hand = frame["TeamName"].str.contains("sample|benchmark|baseline", case=False)
    return frame[~by_hand]


def notebook_regression(frame: pd.DataFrame) -> pd.Series:
    score = frame["Score"]
    mark = np.select([score < 0.01, score < 0.1, score < 1.0], [0.9, 0.7, 0.5], default=0.0)
    mark = np.where(frame["Rank"] <= 10, 1.0, mark)
    return pd.Series(mark, index=frame["TeamMemberUserNames"])


def notebook_classification(frame: pd.DataFrame) -> pd.Series:
    percentile = 1 - (frame["Rank"] - 1) / len(frame)
    mark = np.maximum(frame["Score"], percentile)
    return pd.Series(mark.to_numpy(), index=frame["TeamMemberUserNames"])


def notebook_marks(marks: pd.Series) -> dict[str, float]:
    roster = pd.Series(0.0, index=STUDENTS)
    roster.update(marks)
    return {name: float(mark) for name, mark in roster.items()}


# --- the course ---------------------------------------------------------------------------------


def submit(challenge, user, score, minutes_ago, **kwargs):
    return scored_submission(challenge, user, score, score, minutes_ago=minutes_ago, **kwargs)


@pytest.fixture
def boards(challenge, tmp_path, make_user, instructor):
    challenge.grading = REGRESSION_2024
    challenge.save()
    imported = challenge_import(bundle=read_bundle(write_tiny_bundle(tmp_path, slug="tiny-c")))
    classification = imported.challenge
    classification.metric, classification.higher_is_better = "accuracy", True
    classification.grading = {"rule": "score_or_percentile"}
    classification.save()
    users = {name: make_user(name) for name in STUDENTS}
    submit(challenge, users["s14"], 0.5, minutes_ago=9000)  # a worse first try
    for order, name in enumerate(MSE):
        submit(challenge, users[name], MSE[name], minutes_ago=8000 - order)  # s10 before s11
        submit(classification, users[name], ACCURACY[name], minutes_ago=8000 - order)
    bot = make_user("baseline")
    for board, best in ((challenge, 0.0), (classification, 1.0)):
        submit(board, instructor, best, minutes_ago=9500)
        submit(board, bot, best, 9400, is_baseline=True, description="sample benchmark")
        submit(board, users["s16"], best, minutes_ago=1, is_late=True)
    return {
        "tiny-1d": (challenge, notebook_regression),
        "tiny-c": (classification, notebook_classification),
    }


def exported_csv(client, instructor, slug: str) -> str:
    client.force_login(instructor)
    response = client.get(f"/api/challenges/{slug}/leaderboard/download/?split=private")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("policy", ["kaggle", "shared"])
def test_the_2024_notebook_on_the_exported_csvs_gives_exactly_the_gradebooks_marks(
    boards, client, instructor, policy
):
    scheme = GradeScheme.load()
    scheme.tie_policy = policy
    scheme.save()
    book = {row.username: row for row in gradebook.gradebook().rows}
    assert sorted(book) == STUDENTS
    for slug, (_challenge, notebook) in boards.items():
        frame = read_board(exported_csv(client, instructor, slug))
        assert len(frame) == 14 and "ivana" not in set(frame["TeamMemberUserNames"])
        expected = notebook_marks(notebook(frame))
        assert {name: row.marks[slug] for name, row in book.items()} == expected, slug
        places = {name: row.places[slug] for name, row in book.items() if row.places[slug]}
        ranks = dict(zip(frame["TeamMemberUserNames"], frame["Rank"], strict=True))
        assert places == {name: (rank, 14) for name, rank in ranks.items()}, slug


def test_the_cases_at_the_edges_get_the_marks_the_2024_rules_give(boards, client, instructor):
    marks = {row.username: row.marks for row in gradebook.gradebook().rows}
    regression = {name: marks[name]["tiny-1d"] for name in ("s10", "s11", "s12", "s13", "s14")}
    # s11: rank 11 (Kaggle's order), 0.01 is not below 0.01 → 0.7; s12: 0.1 → 0.5; s13: 0
    assert regression == {"s10": 1.0, "s11": 0.7, "s12": 0.5, "s13": 0.0, "s14": 0.7}
    classification = {name: marks[name]["tiny-c"] for name in ("s01", "s02", "s03", "s11", "s05")}
    # N = 14: s02 rank 2 → max(0.9, 13/14); s03 rank 3 → max(0.9, 12/14); s11 rank 5 →
    # max(0.7, 10/14); s05 last → max(0.2, 1/14)
    assert classification == {
        "s01": 1.0,
        "s02": 1 - 1 / 14,
        "s03": 0.9,
        "s11": 1 - 4 / 14,
        "s05": 0.2,
    }
    assert marks["s15"] == marks["s16"] == {"tiny-1d": 0.0, "tiny-c": 0.0}
