"""A bundle cannot publish its hidden data or fill the disk (issue #18, item 4).

Symbolic links are refused in folders and zips, zips are unpacked within limits on size,
file count and compression ratio, and public files that carry the answers are refused.
"""

import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from challenges.bundles.format import BundleError
from challenges.bundles.reader import read_bundle
from challenges.bundles.safety import extract_members
from tests.bundles import write_tiny_bundle


def refusal(path: Path, **kwargs) -> str:
    with pytest.raises(BundleError) as refused:
        read_bundle(path, **kwargs)
    return "\n".join(refused.value.errors)


def zip_bundle(bundle: Path, target: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(bundle.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(bundle).as_posix())
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return target


def add_link_member(archive_path: Path, name: str, points_to: str) -> None:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix: the mode lives in the high bits of external_attr
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(archive_path, "a") as archive:
        archive.writestr(info, points_to)


def test_a_public_link_to_the_solution_is_refused(tmp_path):
    bundle = write_tiny_bundle(tmp_path)
    os.symlink("../solution.csv", bundle / "public" / "answers.csv")
    assert "public/answers.csv is a symbolic link" in refusal(bundle)


def test_a_link_inside_a_public_folder_is_refused(tmp_path):
    bundle = write_tiny_bundle(tmp_path)
    os.symlink("../../solution.csv", bundle / "public" / "extra" / "answers.csv")
    assert "public/extra/answers.csv is a symbolic link" in refusal(bundle)


def test_a_linked_public_folder_is_refused(tmp_path):
    bundle = write_tiny_bundle(tmp_path)
    os.symlink(bundle, bundle / "public" / "everything")
    assert "public/everything is a symbolic link" in refusal(bundle)


def test_a_link_member_in_a_zip_is_refused(tmp_path):
    archive = zip_bundle(write_tiny_bundle(tmp_path), tmp_path / "b.zip")
    add_link_member(archive, "public/answers.csv", "../solution.csv")
    assert "member 'public/answers.csv' is a symbolic link" in refusal(archive)


def test_a_highly_compressed_member_is_refused(tmp_path):
    bomb = {"public/zeros.bin": bytes(8 * 1024 * 1024)}  # 8 MB of zeros: about 1000 to 1
    archive = zip_bundle(write_tiny_bundle(tmp_path), tmp_path / "b.zip", bomb)
    target = tmp_path / "out"
    message = refusal(archive, extract_to=target)
    assert "member 'public/zeros.bin' is compressed more than 200 to 1" in message
    assert not (target / "public" / "zeros.bin").exists()  # nothing was unpacked


def test_a_zip_over_the_size_limit_is_refused(tmp_path, settings):
    settings.BUNDLE_MAX_MB = 1
    extra = {"public/big.bin": os.urandom(2 * 1024 * 1024)}
    archive = zip_bundle(write_tiny_bundle(tmp_path), tmp_path / "b.zip", extra)
    assert "at most 1 MB (BUNDLE_MAX_MB) are unpacked" in refusal(archive)


def test_unpacking_stops_at_the_limit_whatever_the_zip_declares(tmp_path, settings):
    settings.BUNDLE_MAX_MB = 1
    archive_path = tmp_path / "b.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("a.bin", os.urandom(700 * 1024))
        archive.writestr("b.bin", os.urandom(700 * 1024))
    with zipfile.ZipFile(archive_path) as archive, pytest.raises(BundleError) as refused:
        extract_members(archive, tmp_path / "out", "b.zip")
    assert "unpacks to more than 1 MB" in refused.value.errors[0]


def test_a_zip_with_too_many_files_is_refused(tmp_path, settings):
    settings.BUNDLE_MAX_FILES = 5
    archive = zip_bundle(write_tiny_bundle(tmp_path), tmp_path / "b.zip")
    assert "at most 5 are unpacked" in refusal(archive)


def test_a_zip_within_the_limits_is_read(tmp_path):
    archive = zip_bundle(write_tiny_bundle(tmp_path), tmp_path / "b.zip")
    bundle = read_bundle(archive, extract_to=tmp_path / "out")
    assert bundle.slug == "tiny-1d" and bundle.spec.row_count == 20


def test_a_public_copy_of_the_solution_is_refused_whatever_its_name(tmp_path):
    bundle = write_tiny_bundle(tmp_path)
    shutil.copy(bundle / "solution.csv", bundle / "public" / "extra" / "notes-2.txt")
    assert "public/extra/notes-2.txt is a copy of solution.csv" in refusal(bundle)


def test_a_public_file_with_the_usage_column_is_refused(tmp_path):
    bundle = write_tiny_bundle(tmp_path)
    (bundle / "public" / "answers.csv").write_text("id,Usage\n1,Public\n")
    assert "public/answers.csv has a Usage column" in refusal(bundle)


def test_a_public_test_file_with_the_target_column_is_refused(tmp_path):
    bundle = write_tiny_bundle(tmp_path)
    rows = "".join(f"{i},{i / 10},{i / 2}\n" for i in range(1, 21))
    (bundle / "public" / "test.csv").write_text("id,x,y\n" + rows)
    message = refusal(bundle)
    assert (
        "public/test.csv lists test ids (ids of solution.csv) with the target column 'y'" in message
    )


def test_a_training_file_with_the_target_column_is_accepted(tmp_path):
    bundle = read_bundle(write_tiny_bundle(tmp_path))  # train.csv: id,x,y with other ids
    assert (bundle.public_dir / "train.csv").read_text().startswith("id,x,y\n")


@pytest.mark.django_db
def test_the_import_refuses_a_link_made_after_the_bundle_was_read(tmp_path):
    from challenges.bundles.importing import challenge_import
    from challenges.models import Challenge

    bundle = read_bundle(write_tiny_bundle(tmp_path))
    os.symlink("../../solution.csv", bundle.public_dir / "extra" / "answers.csv")
    with pytest.raises(BundleError, match="symbolic link"):
        challenge_import(bundle=bundle)
    assert not Challenge.objects.filter(slug="tiny-1d").exists()


def test_a_kaggle_export_with_a_link_to_its_solution_is_refused(tmp_path):
    from challenges.bundles.inclass import InClassOptions, read_inclass_export

    export = tmp_path / "export"
    export.mkdir()
    ids = range(1, 21)
    usage = ["Public" if i <= 6 else "Private" for i in ids]
    rows = "".join(f"{i},{i / 2},{u}\n" for i, u in zip(ids, usage, strict=True))
    (export / "solution.csv").write_text("id,y,Usage\n" + rows)
    (export / "sample_submission.csv").write_text("id,y\n" + "".join(f"{i},0\n" for i in ids))
    (export / "test.csv").write_text("id,x\n" + "".join(f"{i},{i}\n" for i in ids))
    os.symlink("solution.csv", export / "answers.csv")
    options = InClassOptions(metric="mse", deadline="2030-03-15T17:00+01:00")
    with pytest.raises(BundleError) as refused:
        read_inclass_export(export, options, workdir=tmp_path / "work")
    assert refused.value.errors[0].startswith("public/answers.csv is a symbolic link")
