import io
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from challenges.bundles.importing import challenge_import
from challenges.bundles.reader import read_bundle
from challenges.models import Challenge, Submission
from challenges.storage import data_storage, hidden_storage
from challenges.submissions import intake, judge
from tests.bundles import write_tiny_bundle
from tests.conftest import csv_upload
from tests.factories import HIDDEN_MARKER, secret_challenge

pytestmark = pytest.mark.django_db


def test_importchallenge_loads_metadata_files_and_the_hidden_solution(tiny_bundle, capsys):
    call_command("importchallenge", str(tiny_bundle))
    assert "Created challenge 'tiny-1d' (20 test rows, metric mse" in capsys.readouterr().out
    challenge = Challenge.objects.get(slug="tiny-1d")
    assert (challenge.metric, challenge.higher_is_better, challenge.id_column) == (
        "mse",
        False,
        "id",
    )
    assert challenge.targets == [{"name": "y", "kind": "float", "labels": []}]
    assert challenge.max_file_mb == 1
    assert sorted(challenge.files.values_list("name", flat=True)) == [
        "extra.zip",
        "sample_submission.csv",
        "test.csv",
        "train.csv",
    ]
    assert challenge.preview["kind"] == "xy-plot" and len(challenge.preview["points"]) == 30
    assert hidden_storage().exists(challenge.solution.name)
    assert not data_storage().exists(challenge.solution.name)


def test_a_folder_is_offered_as_a_zip_of_its_files(challenge):
    extra = challenge.files.get(name="extra.zip")
    with extra.file.open("rb") as handle, zipfile.ZipFile(BytesIO(handle.read())) as archive:
        assert archive.namelist() == ["extra/notes.txt"]
    assert extra.size == extra.file.size


def test_importing_again_updates_and_rescores_when_the_solution_changed(
    tmp_path, challenge, student
):
    Submission.objects.create(
        challenge=challenge,
        user=student,
        file="x.csv",
        file_name="x.csv",
        size=1,
        status=Submission.Status.SCORED,
        public_score=1.0,
        private_score=2.0,
    )
    report = challenge_import(bundle=read_bundle(write_tiny_bundle(tmp_path / "v2", shift=1.0)))
    assert (report.created, report.solution_changed, report.rescored) == (False, True, 1)
    assert Submission.objects.get().status == Submission.Status.QUEUED
    assert Challenge.objects.count() == 1


def test_importing_the_same_bundle_again_rewrites_nothing(tiny_bundle, challenge):
    report = challenge_import(bundle=read_bundle(tiny_bundle))
    assert (report.solution_changed, report.files_written, report.files_removed) == (False, 0, 0)


def test_a_demo_deadline_is_set_on_creation_and_kept_on_reimport(tiny_bundle):
    call_command("importchallenge", str(tiny_bundle), "--deadline-in-days", "28")
    first = Challenge.objects.get().deadline
    assert abs(first - (timezone.now() + timedelta(days=28))) < timedelta(minutes=1)
    call_command("importchallenge", str(tiny_bundle), "--deadline-in-days", "28")
    assert Challenge.objects.get().deadline == first


def test_importchallenge_explains_every_problem_of_a_bad_bundle(tiny_bundle):
    (tiny_bundle / "solution.csv").write_text("id,y\n1,0.5\n")
    (tiny_bundle / "description.md").unlink()
    with pytest.raises(CommandError) as error:
        call_command("importchallenge", str(tiny_bundle))
    message = str(error.value)
    assert "is not a valid challenge bundle" in message
    assert "Usage" in message and "description.md" in message
    assert not Challenge.objects.exists()


def test_a_zipped_bundle_imports_and_leaves_no_unpacked_copy(tiny_bundle, tmp_path):
    import shutil
    import tempfile
    from pathlib import Path

    archive = shutil.make_archive(str(tmp_path / "tiny"), "zip", tiny_bundle)
    before = set(Path(tempfile.gettempdir()).glob("vsegrader-bundle-*"))
    call_command("importchallenge", archive)
    assert Challenge.objects.get().files.count() == 4
    assert set(Path(tempfile.gettempdir()).glob("vsegrader-bundle-*")) == before


def test_a_kaggle_inclass_export_imports_as_it_is_and_scores(tmp_path, student):
    from tests.bundles import USAGE, label_of, write_export

    export = write_export(tmp_path)
    out = io.StringIO()
    call_command(
        "importchallenge",
        str(export),
        "--metric",
        "accuracy",
        "--deadline",
        "2030-03-15T17:00:00+01:00",
        stdout=out,
    )
    challenge = Challenge.objects.get(slug="glasses-2023")
    assert challenge.id_column == "ImageId" and challenge.row_count == 30
    assert sorted(challenge.files.values_list("name", flat=True)) == [
        "images.zip",
        "sample_submission.csv",
        "test.csv",
        "train.csv",
    ]
    rows = "".join(f"{i},{label_of(i) or 0}\n" for i in range(30))
    submission = intake.submission_create(
        challenge=challenge, user=student, file=csv_upload(b"ImageId,Label\n" + rows.encode())
    )
    judge.submission_score(submission_id=submission.pk)
    submission.refresh_from_db()
    assert (submission.public_score, submission.private_score) == (1.0, 1.0)
    assert USAGE.count("Ignored") == 3  # the dummy rows exist and are not scored


def test_an_inclass_export_without_a_deadline_is_refused(tmp_path):
    from tests.bundles import write_export

    with pytest.raises(CommandError, match="needs --deadline"):
        call_command("importchallenge", str(write_export(tmp_path)), "--metric", "accuracy")


def test_the_sample_submission_is_offered_as_the_ids_file_when_in_solution_order(
    tiny_bundle, student_api
):
    call_command("importchallenge", str(tiny_bundle))
    spec = student_api.get("/api/challenges/tiny-1d/").json()["submission_spec"]
    assert spec["ids_file"] == "sample_submission.csv"
    sample = tiny_bundle / "public" / "sample_submission.csv"
    header, *rows = sample.read_text().splitlines()
    sample.write_text("\n".join([header, *reversed(rows)]) + "\n")
    call_command("importchallenge", str(tiny_bundle))
    assert Challenge.objects.get().ids_file == ""


def test_the_solution_is_not_among_the_downloadable_files(tmp_path):
    challenge = secret_challenge(tmp_path)
    names = list(challenge.files.values_list("name", flat=True))
    assert "solution.csv" not in names
    for data_file in challenge.files.all():
        with data_file.file.open("rb") as handle:
            assert HIDDEN_MARKER not in handle.read()
