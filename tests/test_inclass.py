"""A Kaggle InClass host export read as a bundle (challenges/bundles/inclass.py): pure,
no database."""

from __future__ import annotations

import zipfile
from datetime import datetime

import pytest

from challenges.bundles.format import BundleError
from challenges.bundles.inclass import InClassOptions, read_inclass_export
from challenges.bundles.reader import read_bundle
from challenges.scoring import load_solution, score_submission
from tests.bundles import DEADLINE, write_export


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
        "id,y1,y2,Usage,Comment\n1,0.5,1.5,Public,a\n2,1,2,Private,b\n3,0,0,Ignored,c\n"
    )
    bundle = read_inclass_export(export, options(metric="mean_column_mse"), workdir=tmp_path / "w")
    assert [(t.name, t.kind) for t in bundle.spec.targets] == [("y1", "float"), ("y2", "float")]
    header = bundle.solution_path.read_text().splitlines()[0].replace('"', "")
    assert header == "id,y1,y2,Usage"  # Kaggle's extra column is left out


def test_options_choose_labels_title_and_the_sample_file(tmp_path):
    export = write_export(tmp_path)
    (export / "sample_submission.csv").rename(export / "example.csv")
    bundle = read_inclass_export(
        export,
        options(
            labels=("0", "1", "2", "3"),
            title="Glasses!",
            sample_submission="example.csv",
            exclude=("images",),
            description_md="# Mine\n",
        ),
        workdir=tmp_path / "work",
    )
    assert bundle.spec.targets[0].labels == ("0", "1", "2", "3")
    assert bundle.title == "Glasses!" and bundle.description_md == "# Mine\n"
    assert sorted(p.name for p in bundle.public_dir.iterdir()) == [
        "sample_submission.csv",
        "test.csv",
        "train.csv",
    ]


def test_it_lists_every_problem_with_the_options_at_once(tmp_path):
    export = write_export(tmp_path)
    (export / "sample_submission.csv").unlink()
    with pytest.raises(BundleError) as raised:
        read_inclass_export(
            export,
            options(metric="f2", deadline="2023-03-15 17:00", slug="Bad Slug"),
            workdir=tmp_path / "work",
        )
    messages = " | ".join(raised.value.errors)
    for expected in (
        "slug 'Bad Slug'",
        "has no time zone",
        "metric 'f2' is not known",
        "no sample_submission.csv",
    ):
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
