"""challenges.bundles.reader: pure tests, no database."""

import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from challenges.bundles.format import BundleError
from challenges.bundles.metadata import KNOWN_METRICS
from challenges.bundles.reader import read_bundle

GOOD_TOML = """slug = "fitting-1d"
title = "Fitting a 1D function"
subtitle = "Noisy sines"
metric = "mse"
deadline = "2023-03-15T17:00:00+01:00"
id_column = "id"
preview = "xy-plot"
preview_source = "train.csv"

[[targets]]
name = "y"
type = "float"

[limits]
daily = 5
final_selections = 2

[grading]
rule = "tiers"

[facts]
noise_variance = 0.0025
"""

LABEL_TOML = """slug = "glasses"
title = "Glasses"
metric = "accuracy"
deadline = "2023-03-15T17:00:00+01:00"
preview = "images"
preview_source = "train.csv"
preview_files = "train/{id}.png"

[[targets]]
name = "glasses"
type = "label"
labels = ["0", "1"]
"""


def solution_rows(count: int = 10, usages=None) -> list[str]:
    usages = usages or ["Public" if i % 3 == 0 else "Private" for i in range(count)]
    return [f"{i},{i / 10},{usage}" for i, usage in enumerate(usages)]


def write_bundle(
    root: Path, *, toml: str = GOOD_TOML, solution: str | None = None, sample: str | None = None
) -> Path:
    bundle = root / "bundle"
    (bundle / "public").mkdir(parents=True)
    (bundle / "challenge.toml").write_text(toml)
    (bundle / "description.md").write_text("# Fit it\n\nPredict y.\n")
    (bundle / "public" / "train.csv").write_text("id,x,y\n100,0.5,0.25\n")
    solution = solution or "id,y,Usage\n" + "\n".join(solution_rows()) + "\n"
    (bundle / "solution.csv").write_text(solution)
    ids = [line.split(",")[0] for line in solution.splitlines()[1:]]
    sample = sample or "id,y\n" + "".join(f"{i},0\n" for i in ids)
    (bundle / "public" / "sample_submission.csv").write_text(sample)
    return bundle


def write_label_bundle(root: Path, solution_lines: list[str]) -> Path:
    bundle = write_bundle(
        root,
        toml=LABEL_TOML,
        solution="id,glasses,Usage\n" + "\n".join(solution_lines) + "\n",
        sample="id,glasses\n" + "".join(f"{n},0\n" for n in range(4)),
    )
    (bundle / "public" / "train.csv").write_text("id,glasses\n7,1\n")
    (bundle / "public" / "train").mkdir()
    (bundle / "public" / "train" / "7.png").write_bytes(b"png")
    return bundle


def errors_of(path: Path) -> list[str]:
    with pytest.raises(BundleError) as caught:
        read_bundle(path)
    return caught.value.errors


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


# --- good bundles ------------------------------------------------------------------------------


def test_it_reads_a_good_bundle(tmp_path):
    bundle = read_bundle(write_bundle(tmp_path))
    assert bundle.slug == "fitting-1d"
    assert bundle.title == "Fitting a 1D function"
    assert bundle.deadline.utcoffset() == timedelta(hours=1)
    assert bundle.spec.columns == ("id", "y")
    assert bundle.spec.metric == "mse"
    assert bundle.spec.row_count == 10
    assert bundle.limits.daily == 5 and bundle.limits.final_selections == 2
    assert bundle.facts == {"noise_variance": 0.0025}
    assert bundle.grading == {"rule": "tiers"}
    assert bundle.preview == "xy-plot" and bundle.preview_source == "train.csv"
    assert bundle.description_md.startswith("# Fit it")


def test_it_reads_a_label_bundle_with_an_image_preview(tmp_path):
    lines = ["0,1,Public", "1,0,Private", "2,1,Private", "3,0,Private"]
    bundle = read_bundle(write_label_bundle(tmp_path, lines))
    assert bundle.spec.targets[0].labels == ("0", "1")
    assert bundle.preview_files == "train/{id}.png"


def test_it_reads_a_zipped_bundle(tmp_path):
    folder = write_bundle(tmp_path)
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in folder.rglob("*"):
            zipped.write(path, path.relative_to(folder).as_posix())
    bundle = read_bundle(archive, extract_to=tmp_path / "extracted")
    assert bundle.root == tmp_path / "extracted"
    assert bundle.spec.row_count == 10


def test_it_reads_a_zip_of_the_bundle_folder_itself(tmp_path):
    folder = write_bundle(tmp_path)
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in folder.rglob("*"):
            zipped.write(path, path.relative_to(tmp_path).as_posix())
    assert read_bundle(archive).root.name == "bundle"


def test_it_deletes_its_temporary_folder_when_it_refuses_a_zip(tmp_path, monkeypatch):
    folder = write_bundle(tmp_path)
    (folder / "description.md").unlink()
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in folder.rglob("*"):
            zipped.write(path, path.relative_to(folder).as_posix())
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    assert errors_of(archive)[0].startswith("description.md is missing")
    assert list((tmp_path / "temp").iterdir()) == []


@pytest.mark.parametrize("evil", ["../escaped.txt", "/tmp/absolute.txt", "public/../../up.txt"])
def test_it_refuses_a_zip_whose_members_escape_the_bundle(tmp_path, evil):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("challenge.toml", GOOD_TOML)
        zipped.writestr(evil, "gotcha")
    target = tmp_path / "deep" / "extract"
    with pytest.raises(BundleError) as caught:
        read_bundle(archive, extract_to=target)
    assert f"member '{evil}' would be written outside the bundle folder" in caught.value.errors[0]
    assert not (tmp_path / "escaped.txt").exists() and not target.exists()


def test_it_imports_a_kaggle_export_with_ignored_rows(tmp_path):
    usages = ["Public", "Private", "Ignored", "Private", "Ignored", "Public", "Private"]
    rows = [f"{i},{i / 10},{u}" for i, u in enumerate(usages)]
    rows[2] = "2,,Ignored"  # Kaggle leaves dummy rows unchecked: an empty target is fine there
    bundle = read_bundle(write_bundle(tmp_path, solution="id,y,Usage\n" + "\n".join(rows)))
    assert bundle.spec.row_count == 7


def test_it_keeps_ids_as_text(tmp_path):
    solution = "id,y,Usage\n007,1.0,Public\n7,2.0,Private\n"
    assert read_bundle(write_bundle(tmp_path, solution=solution)).spec.row_count == 2


def test_it_accepts_an_unquoted_toml_datetime(tmp_path):
    toml = GOOD_TOML.replace('"2023-03-15T17:00:00+01:00"', "2023-03-15T17:00:00+01:00")
    assert read_bundle(write_bundle(tmp_path, toml=toml)).deadline.hour == 17


def test_it_knows_the_same_metrics_as_the_scorer():
    from challenges.scoring.metrics import METRICS

    assert set(KNOWN_METRICS) == set(METRICS)


# --- challenge.toml ------------------------------------------------------------------------


def test_it_reports_a_missing_metric(tmp_path):
    bundle = write_bundle(tmp_path, toml=GOOD_TOML.replace('metric = "mse"\n', ""))
    assert "challenge.toml: 'metric' is missing" in errors_of(bundle)


def test_it_rejects_a_deadline_without_zone(tmp_path):
    toml = GOOD_TOML.replace("2023-03-15T17:00:00+01:00", "2023-03-15 17:00")
    assert errors_of(write_bundle(tmp_path, toml=toml)) == [
        "challenge.toml: deadline '2023-03-15 17:00' has no time zone; "
        "write it like 2023-03-15T17:00:00+01:00"
    ]


def test_it_rejects_a_deadline_that_is_not_a_date(tmp_path):
    toml = GOOD_TOML.replace("2023-03-15T17:00:00+01:00", "next friday")
    assert "is not a date and time" in errors_of(write_bundle(tmp_path, toml=toml))[0]


def test_it_rejects_unknown_top_level_keys_and_suggests_the_right_one(tmp_path):
    toml = GOOD_TOML.replace('metric = "mse"', 'metric = "mse"\nmetrics = "mae"\ncolour = 1')
    errors = errors_of(write_bundle(tmp_path, toml=toml))
    assert "challenge.toml: unknown key 'metrics'; did you mean 'metric'?" in errors
    colour = "challenge.toml: unknown key 'colour'; known keys: slug"
    assert any(e.startswith(colour) for e in errors)


@pytest.mark.parametrize("slug", ["Fitting-1D", "x", "-lead", "has space", "a" * 50])
def test_it_rejects_a_bad_slug(tmp_path, slug):
    toml = GOOD_TOML.replace('"fitting-1d"', f'"{slug}"')
    errors = errors_of(write_bundle(tmp_path, toml=toml))
    assert errors[0].startswith(f"challenge.toml: slug '{slug}' must be 2 to 49 lower-case")


def test_it_rejects_an_unknown_metric(tmp_path):
    toml = GOOD_TOML.replace('metric = "mse"', 'metric = "MSE"')
    assert errors_of(write_bundle(tmp_path, toml=toml)) == [
        "challenge.toml: metric 'MSE' is not known; use one of " + ", ".join(KNOWN_METRICS)
    ]


def test_it_rejects_a_metric_that_cannot_score_the_targets(tmp_path):
    toml = GOOD_TOML.replace('metric = "mse"', 'metric = "accuracy"')
    assert errors_of(write_bundle(tmp_path, toml=toml)) == [
        "challenge.toml: metric 'accuracy' scores label targets, but target 'y' is of type 'float'"
    ]


def test_it_rejects_an_unknown_target_type(tmp_path):
    toml = GOOD_TOML.replace('type = "float"', 'type = "int"')
    errors = errors_of(write_bundle(tmp_path, toml=toml))
    assert errors == [
        "challenge.toml: target 'y' has unknown type 'int'; use float, label, probability"
    ]


def test_it_rejects_label_targets_without_labels(tmp_path):
    lines = ["0,1,Public", "1,0,Private", "2,1,Private", "3,0,Private"]
    bundle = write_label_bundle(tmp_path, lines)
    replace_in(bundle / "challenge.toml", 'labels = ["0", "1"]\n', "")
    assert errors_of(bundle) == [
        "challenge.toml: target 'glasses' is a label target but has no labels; "
        'add labels = ["0", "1"] (every value a submission may use)'
    ]


def test_it_rejects_limits_that_are_not_whole_numbers(tmp_path):
    toml = GOOD_TOML.replace("daily = 5", "daily = 0\nweekly = 3")
    errors = errors_of(write_bundle(tmp_path, toml=toml))
    assert "challenge.toml [limits]: daily must be a whole number ≥ 1, not 0" in errors
    assert any("unknown key 'weekly'" in e for e in errors)


def test_it_reports_broken_toml_syntax(tmp_path):
    errors = errors_of(write_bundle(tmp_path, toml=GOOD_TOML.replace('title = "', "title = ")))
    assert errors[0].startswith("challenge.toml: not valid TOML:")


def test_it_checks_that_the_preview_files_exist(tmp_path):
    bundle = write_label_bundle(
        tmp_path, ["0,1,Public", "1,0,Private", "2,1,Private", "3,0,Private"]
    )
    (bundle / "public" / "train" / "7.png").unlink()
    assert errors_of(bundle) == [
        "challenge.toml: preview_files 'train/{id}.png' gives public/train/7.png for the first "
        "row of public/train.csv, and there is no such file"
    ]


# --- the files ------------------------------------------------------------------------------


def test_it_reports_a_missing_description_and_public_folder(tmp_path):
    bundle = write_bundle(tmp_path)
    (bundle / "description.md").unlink()
    for path in sorted((bundle / "public").iterdir()):
        path.unlink()
    (bundle / "public").rmdir()
    errors = errors_of(bundle)
    assert errors[0].startswith("description.md is missing")
    assert errors[1].startswith("public/ folder is missing")


def test_it_reports_a_missing_usage_column(tmp_path):
    solution = "id,y\n1,0.5\n2,0.7\n"
    assert "solution.csv: column 'Usage' is missing" in errors_of(
        write_bundle(tmp_path, solution=solution)
    )


def test_it_reports_a_bad_usage_value_with_its_line(tmp_path):
    rows = solution_rows()
    rows[5] = "5,0.5,public "
    rows[8] = "8,0.8,private"
    solution = "id,y,Usage\n" + "\n".join(rows) + "\n"
    assert errors_of(write_bundle(tmp_path, solution=solution)) == [
        "solution.csv line 7: Usage must be Public, Private or Ignored, not 'public ' "
        "(and 1 more rows)"
    ]


def test_it_reports_duplicate_ids(tmp_path):
    rows = solution_rows(20)
    rows[17] = rows[18] = rows[19] = "17,0.1,Private"
    solution = "id,y,Usage\n" + "\n".join(rows) + "\n"
    errors = errors_of(write_bundle(tmp_path, solution=solution))
    assert "solution.csv: 2 duplicate ids, first '17' on line 20" in errors


def test_it_reports_labels_outside_the_list(tmp_path):
    lines = ["0,1,Public", "1,0,Private", "2,1,Private", "3,2,Private"]
    assert errors_of(write_label_bundle(tmp_path, lines)) == [
        "solution.csv line 5: 'glasses' value '2' is not one of the labels 0, 1"
    ]


@pytest.mark.parametrize("value", ["abc", "1e200", "-inf"])
def test_it_reports_a_target_that_is_not_a_number_it_can_score(tmp_path, value):
    rows = solution_rows()
    rows[0] = f"0,{value},Public"
    solution = "id,y,Usage\n" + "\n".join(rows) + "\n"
    assert errors_of(write_bundle(tmp_path, solution=solution)) == [
        f"solution.csv line 2: 'y' value '{value}' is not a finite number between -1e100 and 1e100"
    ]


@pytest.mark.parametrize("missing", ["Public", "Private"])
def test_it_needs_public_and_private_rows(tmp_path, missing):
    other = "Private" if missing == "Public" else "Public"
    solution = "id,y,Usage\n" + "\n".join(solution_rows(4, [other] * 4)) + "\n"
    errors = errors_of(write_bundle(tmp_path, solution=solution))
    assert errors[0].startswith(f"solution.csv: no row has Usage {missing};")


def test_it_checks_the_sample_submission_header(tmp_path):
    sample = "id,prediction\n" + "".join(f"{i},0\n" for i in range(10))
    assert errors_of(write_bundle(tmp_path, sample=sample)) == [
        "public/sample_submission.csv: header must be id,y"
    ]


def test_it_checks_that_the_sample_submission_lists_every_test_id(tmp_path):
    sample = "id,y\n" + "".join(f"{i},0\n" for i in range(9))
    errors = errors_of(write_bundle(tmp_path, sample=sample))
    assert errors == [
        "public/sample_submission.csv has 9 rows but solution.csv has 10; "
        "it must list every test id once"
    ]


def test_it_refuses_a_solution_inside_the_public_folder(tmp_path):
    bundle = write_bundle(tmp_path)
    (bundle / "public" / "solution.csv").write_text((bundle / "solution.csv").read_text())
    assert any("let students download the answers" in e for e in errors_of(bundle))


def test_it_collects_every_problem_at_once(tmp_path):
    bundle = write_bundle(tmp_path)
    replace_in(bundle / "challenge.toml", "+01:00", "")
    replace_in(bundle / "challenge.toml", 'slug = "fitting-1d"', 'slug = "Fitting 1D"')
    replace_in(bundle / "solution.csv", "Usage", "usage")
    (bundle / "description.md").unlink()
    errors = errors_of(bundle)
    assert len(errors) == 5, errors
    assert "solution.csv: column 'Usage' is missing" in errors
