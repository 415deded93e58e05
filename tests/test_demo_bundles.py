"""The demo bundle generators: deterministic, cached, readable, Kaggle-shaped. No database."""

import csv
import hashlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from challenges.bundles.reader import read_bundle
from demo import bundles as demo_bundles
from demo.bundles import DEMO_SLUGS, build_demo_bundles, common
from demo.bundles.fitting import NOISE_VARIANCE, function_1d

SMALL = 0.02  # 40 rows per set at least, so every bundle builds in well under a second


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Path]:
    folders = build_demo_bundles(tmp_path_factory.mktemp("demo"), seed=2023, scale=SMALL)
    return {folder.name: folder for folder in folders}


def digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def header(path: Path) -> list[str]:
    return path.read_text().splitlines()[0].split(",")


def test_it_builds_the_five_course_challenges_in_order(bundles):
    assert DEMO_SLUGS == ("fitting-1d", "fitting-5d", "glasses", "mics-mnist", "sword-video")
    assert list(bundles) == list(DEMO_SLUGS)


def test_the_same_seed_gives_byte_identical_bundles(bundles, tmp_path):
    again = build_demo_bundles(tmp_path, seed=2023, scale=SMALL)
    for folder in again:
        assert digests(folder) == digests(bundles[folder.name]), folder.name


def test_worker_processes_make_the_same_bytes(bundles, tmp_path, monkeypatch):
    monkeypatch.setattr(common, "SERIAL_BELOW", 0)
    folders = build_demo_bundles(tmp_path, seed=2023, scale=SMALL, workers=2)
    assert digests(folders[2]) == digests(bundles["glasses"])
    assert digests(folders[4]) == digests(bundles["sword-video"])


def test_a_different_seed_gives_different_data(bundles, tmp_path):
    for folder in build_demo_bundles(tmp_path, seed=7, scale=SMALL):
        ours, theirs = digests(folder), digests(bundles[folder.name])
        assert ours["solution.csv"] != theirs["solution.csv"], folder.name
        assert ours["public/train.csv"] != theirs["public/train.csv"], folder.name


def test_every_demo_bundle_reads_back_without_errors(bundles):
    for slug, folder in bundles.items():
        bundle = read_bundle(folder)
        assert bundle.slug == slug
        assert bundle.limits.daily == 5 and bundle.limits.final_selections == 2
        assert bundle.deadline.isoformat() == "2023-03-15T17:00:00+01:00"
        assert bundle.spec.row_count == common.row_count(common.TEST_ROWS, SMALL)


def test_the_files_have_the_kaggle_headers(bundles):
    expected = {
        "fitting-1d": (["id", "x", "y"], ["id", "x"], ["id", "y"]),
        "fitting-5d": (
            ["id", "x1", "x2", "x3", "x4", "x5", "y1", "y2", "y3", "y4", "y5"],
            ["id", "x1", "x2", "x3", "x4", "x5"],
            ["id", "y1", "y2", "y3", "y4", "y5"],
        ),
        "glasses": (["id", "glasses"], ["id"], ["id", "glasses"]),
        "mics-mnist": (["id", "label"], ["id"], ["id", "label"]),
        "sword-video": (["video", "category"], ["video"], ["video", "category"]),
    }
    for slug, (train, test, submission) in expected.items():
        public = bundles[slug] / "public"
        assert header(public / "train.csv") == train, slug
        assert header(public / "test.csv") == test, slug
        assert header(public / "sample_submission.csv") == submission, slug
        assert header(bundles[slug] / "solution.csv") == [*submission, "Usage"], slug


def test_about_30_percent_of_the_test_rows_are_public(bundles):
    for slug, folder in bundles.items():
        usages = [row["Usage"] for row in read_rows(folder / "solution.csv")]
        assert set(usages) == {"Public", "Private"}, slug
        assert usages.count("Public") == round(0.3 * len(usages)), slug


def test_the_classes_are_balanced(bundles):
    for slug, column in (
        ("glasses", "glasses"),
        ("mics-mnist", "label"),
        ("sword-video", "category"),
    ):
        for rows in (
            read_rows(bundles[slug] / "public" / "train.csv"),
            read_rows(bundles[slug] / "solution.csv"),
        ):
            counts = np.unique([row[column] for row in rows], return_counts=True)[1]
            assert counts.max() - counts.min() <= 1, slug


def test_the_images_have_the_promised_size_and_mode(bundles):
    for slug, size, mode in (("glasses", (64, 64), "RGB"), ("mics-mnist", (35, 35), "L")):
        for part in ("train", "test"):
            ids = [row["id"] for row in read_rows(bundles[slug] / "public" / f"{part}.csv")]
            assert len(ids) >= 40
            for id_ in ids[:5]:
                with Image.open(bundles[slug] / "public" / part / f"{id_}.png") as image:
                    assert (image.format, image.size, image.mode) == ("PNG", size, mode), slug


def test_the_videos_have_16_frames_of_64_by_64_colour(bundles):
    public = bundles["sword-video"] / "public"
    for part in ("train", "test"):
        for row in read_rows(public / f"{part}.csv")[:3]:
            capture = cv2.VideoCapture(str(public / part / row["video"]))
            assert capture.get(cv2.CAP_PROP_FRAME_COUNT) == 16
            frames = []
            while (frame := capture.read()[1]) is not None:
                frames.append(frame)
            capture.release()
            assert len(frames) == 16 and frames[0].shape == (64, 64, 3)


def test_the_sword_clips_move(bundles):
    public = bundles["sword-video"] / "public"
    clip = read_rows(public / "train.csv")[0]["video"]
    capture = cv2.VideoCapture(str(public / "train" / clip))
    first, last = capture.read()[1], None
    while (frame := capture.read()[1]) is not None:
        last = frame
    assert np.abs(first.astype(int) - last.astype(int)).mean() > 2


def test_the_fitting_noise_has_the_stated_variance(bundles):
    folder = bundles["fitting-1d"]
    rows = read_rows(folder / "public" / "train.csv")
    x, y = (np.array([float(row[c]) for row in rows]) for c in ("x", "y"))
    residual = np.mean((y - function_1d(2023)(x)) ** 2)
    assert 0.5 * NOISE_VARIANCE < residual < 1.5 * NOISE_VARIANCE
    assert read_bundle(folder).facts["noise_variance"] == NOISE_VARIANCE
    assert f"{NOISE_VARIANCE:g}" in (folder / "description.md").read_text()


def test_a_second_build_skips_bundles_already_built(bundles, monkeypatch):
    def fail(*args):
        raise AssertionError("rebuilt a cached bundle")

    monkeypatch.setattr(demo_bundles, "BUILDERS", dict.fromkeys(DEMO_SLUGS, fail))
    out_dir = bundles["glasses"].parent
    assert build_demo_bundles(out_dir, seed=2023, scale=SMALL) == list(bundles.values())


def test_a_changed_scale_rebuilds_the_bundle(tmp_path):
    build_demo_bundles(tmp_path, seed=1, scale=SMALL)
    build_demo_bundles(tmp_path, seed=1, scale=SMALL * 2)
    assert read_bundle(tmp_path / "fitting-1d").spec.row_count == 80
    assert not list(tmp_path.glob(".*"))


def test_an_interrupted_build_leaves_no_half_bundle(tmp_path, monkeypatch):
    def crash(folder: Path, *args):
        (folder / "public").mkdir()
        raise KeyboardInterrupt

    monkeypatch.setitem(demo_bundles.BUILDERS, "fitting-1d", crash)
    with pytest.raises(KeyboardInterrupt):
        build_demo_bundles(tmp_path, seed=1, scale=SMALL)
    assert list(tmp_path.iterdir()) == []


def test_a_linear_model_on_glasses_pixels_is_far_from_a_cnn(tmp_path):
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    from demo.bundles.glasses import build_glasses

    build_glasses(tmp_path, seed=2023, scale=0.15)
    train = read_rows(tmp_path / "public" / "train.csv")
    test = read_rows(tmp_path / "solution.csv")

    def pixels(part: str, rows) -> np.ndarray:
        return np.stack(
            [
                np.asarray(
                    Image.open(tmp_path / "public" / part / f"{r['id']}.png"), dtype=np.float32
                ).ravel()
                / 255
                for r in rows
            ]
        )

    model = LogisticRegression(C=0.01, max_iter=300)
    with threadpool_limits(1):  # BLAS threads on a busy 2-core machine: 0.3 s becomes 10 s
        model.fit(pixels("train", train), [r["glasses"] for r in train])
    accuracy = model.score(pixels("test", test), [r["glasses"] for r in test])
    assert 0.5 < accuracy < 0.85  # a small CNN reaches ≥ 0.97 on the full-size bundle
