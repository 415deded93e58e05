"""Kaggle compatibility: the leaderboard export and InClass host exports. Pure, no database."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from challenges.bundles.format import BundleError
from challenges.bundles.reader import read_bundle
from challenges.kaggle import (
    HEADER,
    InClassOptions,
    KaggleRow,
    leaderboard_csv,
    read_inclass_export,
)
from challenges.scoring import load_solution, score_submission

PRAGUE_WINTER = timezone(timedelta(hours=1))

ROWS = [
    KaggleRow(1, 101, "Subin An", datetime(2023, 3, 1, 12, 34, 56, tzinfo=UTC), 0.1 + 0.2, 7,
              ["subinium"]),
    KaggleRow(2, 102, 'Team "Quotes", Inc.', datetime(2023, 3, 2, 0, 30, tzinfo=PRAGUE_WINTER),
              0.987654321012345, 3, ["anna", "bob", "cyril"]),
    KaggleRow(3, 103, "Příliš žluťoučký kůň", datetime(2023, 3, 3, tzinfo=UTC), 1e-05, 1,
              ["kun"]),
    KaggleRow(None, 104, "Sample submission benchmark", datetime(2023, 3, 1, tzinfo=UTC),
              None, 0, []),
]


def read_back(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), keep_default_na=False,
                       na_values={"Rank": [""], "Score": [""]})


# --- leaderboard export --------------------------------------------------------------------


def test_the_header_is_kaggles():
    assert leaderboard_csv([]).splitlines() == [",".join(HEADER)]
    assert HEADER == ("Rank", "TeamId", "TeamName", "LastSubmissionDate", "Score",
                      "SubmissionCount", "TeamMemberUserNames")


def test_a_row_looks_like_a_row_of_kaggles_download():
    row = KaggleRow(1, 16625060, "Subin An", datetime(2026, 8, 3, 23, 1, 3, tzinfo=UTC), 2914.0,
                    2, ["subinium"])
    assert leaderboard_csv([row]).splitlines()[1] == \
        '1,16625060,"Subin An","2026-08-03 23:01:03",2914.0,2,subinium'


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
    assert frame["LastSubmissionDate"].tolist()[:2] == ["2023-03-01 12:34:56",
                                                        "2023-03-01 23:30:00"]
    parsed = pd.to_datetime(frame["LastSubmissionDate"], format="%Y-%m-%d %H:%M:%S")
    assert parsed[0] == pd.Timestamp("2023-03-01 12:34:56")


def test_naive_dates_are_refused():
    with pytest.raises(ValueError, match="timezone"):
        leaderboard_csv([KaggleRow(1, 1, "a", datetime(2023, 3, 1), 0.5, 1, ["a"])])


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)",
                                  "\tcmd", "\rcmd"])
def test_formula_like_names_are_neutralised(name):
    row = KaggleRow(1, 1, name, datetime(2023, 3, 1, tzinfo=UTC), -0.5, 1, [name])
    frame = read_back(leaderboard_csv([row]))
    assert frame["TeamName"][0] == "'" + name
    assert frame["TeamMemberUserNames"][0] == "'" + name
    assert frame["Score"][0] == -0.5  # numbers are left alone


def test_names_with_line_breaks_stay_in_one_cell():
    row = KaggleRow(1, 1, "two\nlines", datetime(2023, 3, 1, tzinfo=UTC), 0.5, 1, ["x"])
    assert read_back(leaderboard_csv([row]))["TeamName"][0] == "two\nlines"


# --- InClass host export -------------------------------------------------------------------

DEADLINE = "2023-03-15T17:00:00+01:00"
# ids 0-29: 0-8 Public, 9-26 Private, 27-29 Ignored (Kaggle's dummy rows, no real label)
USAGE = ["Public"] * 9 + ["Private"] * 18 + ["Ignored"] * 3


def label_of(i: int) -> str:
    return "" if USAGE[i] == "Ignored" else str(i % 3)


def write_export(root: Path, name: str = "glasses-2023") -> Path:
    export = root / name
    (export / "images").mkdir(parents=True)
    (export / "images" / "0.png").write_bytes(b"png")
    (export / "train.csv").write_text("ImageId,Label\n100,1\n101,2\n")
    (export / "test.csv").write_text("ImageId\n" + "".join(f"{i}\n" for i in range(30)))
    (export / "sample_submission.csv").write_text(
        "ImageId,Label\n" + "".join(f"{i},0\n" for i in range(30)))
    (export / "solution.csv").write_text(
        "ImageId,Label,Usage\n" + "".join(f"{i},{label_of(i)},{USAGE[i]}\n" for i in range(30)))
    return export


def options(**changes) -> InClassOptions:
    return InClassOptions(**{"metric": "accuracy", "deadline": DEADLINE, **changes})


def test_an_inclass_export_imports_as_it_is(tmp_path):
    bundle = read_inclass_export(write_export(tmp_path), options(), workdir=tmp_path / "work")
    assert bundle.slug == "glasses-2023" and bundle.title == "Glasses 2023"
    assert bundle.deadline == datetime.fromisoformat(DEADLINE)
    assert bundle.spec.id_column == "ImageId" and bundle.spec.metric == "accuracy"
    (target,) = bundle.spec.targets
    assert (target.name, target.kind, target.labels) == ("Label", "label", ("0", "1", "2"))
    assert bundle.spec.row_count == 30
    assert "Imported from a Kaggle InClass competition" in bundle.description_md


def test_its_solution_keeps_the_public_private_and_ignored_rows(tmp_path):
    bundle = read_inclass_export(write_export(tmp_path), options(), workdir=tmp_path / "work")
    solution = load_solution(bundle.solution_path, bundle.spec)
    assert solution.public.sum() == 9 and solution.private.sum() == 18
    assert solution.ignored.sum() == 3 and solution.ignored[27:].all()
    sample = (bundle.public_dir / "sample_submission.csv").read_bytes()
    scores = score_submission(sample, bundle.spec, solution)
    assert scores.public == pytest.approx(3 / 9) and scores.private == pytest.approx(6 / 18)


def test_every_other_top_level_entry_is_public_data(tmp_path):
    bundle = read_inclass_export(write_export(tmp_path), options(), workdir=tmp_path / "work")
    public = sorted(p.name for p in bundle.public_dir.iterdir())
    assert public == ["images", "sample_submission.csv", "test.csv", "train.csv"]
    assert (bundle.public_dir / "images" / "0.png").read_bytes() == b"png"


def test_a_zipped_export_imports_too(tmp_path):
    export = write_export(tmp_path)
    archive = tmp_path / "Glasses Export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in export.rglob("*"):
            zipped.write(path, f"{export.name}/{path.relative_to(export)}")
    bundle = read_inclass_export(archive, options(), workdir=tmp_path / "work")
    assert bundle.slug == "glasses-export" and bundle.spec.row_count == 30
    assert (bundle.public_dir / "images" / "0.png").is_file()


def test_a_regression_export_gets_float_targets(tmp_path):
    export = tmp_path / "fit"
    export.mkdir()
    (export / "sampleSubmission.csv").write_text("id,y1,y2\n" + "1,0,0\n2,0,0\n3,0,0\n")
    (export / "solution.csv").write_text(
        "id,y1,y2,Usage,Comment\n1,0.5,1.5,Public,a\n2,1,2,Private,b\n3,0,0,Ignored,c\n")
    bundle = read_inclass_export(export, options(metric="mean_column_mse"), workdir=tmp_path / "w")
    assert [(t.name, t.kind) for t in bundle.spec.targets] == [("y1", "float"), ("y2", "float")]
    header = bundle.solution_path.read_text().splitlines()[0].replace('"', "")
    assert header == "id,y1,y2,Usage"  # Kaggle's extra column is left out


def test_options_choose_labels_title_and_the_sample_file(tmp_path):
    export = write_export(tmp_path)
    (export / "sample_submission.csv").rename(export / "example.csv")
    bundle = read_inclass_export(export, options(
        labels=("0", "1", "2", "3"), title="Glasses!", sample_submission="example.csv",
        exclude=("images",), description_md="# Mine\n"), workdir=tmp_path / "work")
    assert bundle.spec.targets[0].labels == ("0", "1", "2", "3")
    assert bundle.title == "Glasses!" and bundle.description_md == "# Mine\n"
    assert sorted(p.name for p in bundle.public_dir.iterdir()) == [
        "sample_submission.csv", "test.csv", "train.csv"]


def test_it_lists_every_problem_with_the_options_at_once(tmp_path):
    export = write_export(tmp_path)
    (export / "sample_submission.csv").unlink()
    with pytest.raises(BundleError) as raised:
        read_inclass_export(export, options(metric="f2", deadline="2023-03-15 17:00",
                                            slug="Bad Slug"), workdir=tmp_path / "work")
    messages = " | ".join(raised.value.errors)
    for expected in ("slug 'Bad Slug'", "has no time zone", "metric 'f2' is not known",
                     "no sample_submission.csv"):
        assert expected in messages


def test_problems_in_the_files_are_the_bundle_readers(tmp_path):
    export = write_export(tmp_path)
    (export / "sample_submission.csv").write_text("ImageId,Label\n0,0\n1,0\n")
    with pytest.raises(BundleError) as raised:
        read_inclass_export(export, options(), workdir=tmp_path / "work")
    assert any("must list every test id once" in e for e in raised.value.errors)


def test_reading_an_export_as_a_bundle_suggests_the_kaggle_import(tmp_path):
    with pytest.raises(BundleError) as raised:
        read_bundle(write_export(tmp_path))
    assert "Kaggle InClass export" in raised.value.errors[-1]
