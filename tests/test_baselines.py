"""The PyTorch baselines, in tiny runs on the CPU, on demo bundles built at a tiny scale.

Tiny runs (one epoch on a few dozen training rows) prove the pipeline: reading a bundle,
training, predicting every test row and writing the submission. Their predictions are
worthless, so no test here asserts a score or a duration: the quick-mode scores ("clearly
better than the trivial submission") and the timings are bench/baselines.py's job.

Pure tests: no database, no Django (`-p no:django` works). Each baseline runs once per
session and the tests share the results.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import baselines
from baselines.cli import parser
from baselines.common import BaselineError
from baselines.data import PublicFolder, subsample
from baselines.pretext import REPORTS
from demo.bundles import build_demo_bundles

ROOT = Path(__file__).resolve().parent.parent
# Every set at the generator's floor of 40 rows: 20 of each class for the two-class
# challenges, 4 of each digit for mics-mnist. Builds in about a second.
SCALE = 0.004
CLASSIFIERS = ("glasses", "mics-mnist", "sword-video")


def load_bench():
    spec = importlib.util.spec_from_file_location(
        "bench_baselines", ROOT / "bench" / "baselines.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = load_bench()


@pytest.fixture(scope="session")
def bundles(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    build_demo_bundles(folder, seed=2023, scale=SCALE)
    return folder


@pytest.fixture(scope="session")
def zipped_mnist(bundles, tmp_path_factory) -> Path:
    """mics-mnist's public folder with train/ and test/ sent as train.zip and test.zip."""
    public = tmp_path_factory.mktemp("zipped") / "public"
    shutil.copytree(bundles / "mics-mnist" / "public", public)
    for name in ("train", "test"):
        zip_folder(public / name, public / f"{name}.zip", prefix=f"{name}/")
        shutil.rmtree(public / name)
    return public


def zip_folder(folder: Path, archive: Path, prefix: str = "") -> None:
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(folder.iterdir()):
            handle.write(path, prefix + path.name)


@pytest.fixture(scope="session")
def tiny_runs(bundles, zipped_mnist, tmp_path_factory) -> dict[str, dict]:
    """Each baseline once, in a tiny run on the CPU, with its events and its summary."""
    out_dir = tmp_path_factory.mktemp("predictions")
    runs = {}
    for slug in baselines.SLUGS:
        data = zipped_mnist if slug == "mics-mnist" else bundles / slug / "public"
        out = out_dir / f"{slug}.csv"
        events: list[dict] = []
        summary = baselines.run(
            slug, data, out, device="cpu", tiny=True, seed=0, on_progress=events.append
        )
        runs[slug] = {"summary": summary, "events": events, "out": out}
    return runs


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "baselines", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def kinds(events: list[dict]) -> list[str]:
    return [event["event"] for event in events]


# --- tiny runs: the challenge's format, the events in order -----------------------------------


@pytest.mark.parametrize("slug", baselines.SLUGS)
def test_a_tiny_run_writes_the_sample_submissions_columns_and_ids_in_order(
    slug, tiny_runs, bundles
):
    sample = pd.read_csv(bundles / slug / "public" / "sample_submission.csv", dtype=str)
    written = pd.read_csv(tiny_runs[slug]["out"], dtype=str)
    assert list(written.columns) == list(sample.columns)
    assert written.iloc[:, 0].tolist() == sample.iloc[:, 0].tolist()
    assert written.notna().all().all()


@pytest.mark.parametrize("slug", CLASSIFIERS)
def test_a_tiny_run_predicts_only_the_challenges_labels(slug, tiny_runs, bundles):
    meta, _ = bench.read_bundle(bundles / slug)
    (target,) = bench.target_columns(meta)
    train = pd.read_csv(bundles / slug / "public" / "train.csv", dtype=str)
    written = pd.read_csv(tiny_runs[slug]["out"], dtype=str)
    assert set(written[target]) <= set(train[target])


@pytest.mark.parametrize("slug", ["fitting-1d", "fitting-5d", "glasses", "mics-mnist"])
def test_a_tiny_run_reports_start_one_epoch_and_done_in_order(slug, tiny_runs):
    events = tiny_runs[slug]["events"]
    assert kinds(events) == ["start", "epoch", "done"]
    assert events[0] == {"event": "start", "slug": slug, "device": "cpu", "epochs": 1}
    assert (events[1]["epoch"], events[1]["epochs"]) == (1, 1)
    assert events[1]["metric"].startswith("val_") and events[1]["value"] >= 0
    assert events[-1]["out"] == str(tiny_runs[slug]["out"]) and events[-1]["seconds"] > 0


def test_sword_video_reports_its_pretraining_phase_before_its_training(tiny_runs):
    events = tiny_runs["sword-video"]["events"]
    pretrain = ["phase", *["epoch"] * REPORTS]
    assert kinds(events) == ["start", *pretrain, "phase", "epoch", "done"]
    assert events[0]["epochs"] == 1
    phases = [(e["name"], e["epochs"]) for e in events if e["event"] == "phase"]
    assert phases == [("pretrain", REPORTS), ("train", 1)]
    metrics = [e["metric"] for e in events if e["event"] == "epoch"]
    assert metrics == ["pretext_loss"] * REPORTS + ["val_accuracy"]


def test_the_summary_names_the_run_and_its_held_out_figure(tiny_runs):
    summary = tiny_runs["glasses"]["summary"]
    assert (summary["slug"], summary["device"]) == ("glasses", "cpu")
    assert 0 <= summary["validation"] <= 1
    assert summary["seconds"] == tiny_runs["glasses"]["events"][-1]["seconds"]


def test_a_tiny_run_trains_on_a_seeded_subsample_in_the_original_order():
    frame = pd.DataFrame({"id": [str(i) for i in range(200)]})
    first, again, other = (subsample(frame, 48, seed) for seed in (0, 0, 1))
    assert len(first) == 48 and first.index.is_monotonic_increasing
    assert first.equals(again) and not first.equals(other)
    assert subsample(frame, None, 0) is frame and subsample(frame, 500, 0) is frame


# --- seeds and the command line ---------------------------------------------------------------


@pytest.fixture(scope="session")
def cli_runs(bundles, tmp_path_factory):
    """fitting-1d twice through the command line: once with JSON progress, once without."""
    out = tmp_path_factory.mktemp("cli")
    data = str(bundles / "fitting-1d" / "public")
    common = ("fitting-1d", "--data", data, "--device", "cpu", "--tiny", "--seed", "7")
    first = run_cli(*common, "--out", str(out / "a.csv"), "--progress-json")
    second = run_cli(*common, "--out", str(out / "b.csv"))
    return first, second, out


def test_the_same_seed_gives_identical_predictions(cli_runs):
    first, second, out = cli_runs
    assert first.returncode == 0, first.stderr[-2000:]
    assert second.returncode == 0, second.stderr[-2000:]
    assert (out / "a.csv").read_bytes() == (out / "b.csv").read_bytes()


def test_a_different_seed_gives_different_predictions(bundles, tmp_path):
    data = bundles / "fitting-1d" / "public"
    for seed in (1, 2):
        baselines.run(
            "fitting-1d", data, tmp_path / f"{seed}.csv", device="cpu", tiny=True, seed=seed
        )
    assert (tmp_path / "1.csv").read_bytes() != (tmp_path / "2.csv").read_bytes()


def test_progress_json_puts_only_json_events_on_stdout(cli_runs):
    first, _, out = cli_runs
    events = [json.loads(line) for line in first.stdout.splitlines()]
    assert events[0] == {"event": "start", "slug": "fitting-1d", "device": "cpu", "epochs": 1}
    assert kinds(events) == ["start", "epoch", "done"]
    assert set(events[1]) == {"event", "epoch", "epochs", "metric", "value"}
    assert events[1]["metric"] == "val_mse" and events[1]["epoch"] == events[1]["epochs"]
    assert events[-1]["out"] == str(out / "a.csv")
    assert "val_mse" in first.stderr  # the progress bar and the figures went to stderr


def test_the_tiny_flag_works_but_stays_out_of_the_help():
    help_text = parser().format_help()
    assert "--quick" in help_text and "--tiny" not in help_text
    assert parser().parse_args(["glasses", "--data", "d", "--out", "o", "--tiny"]).tiny


def assert_fails_with_one_line(result: subprocess.CompletedProcess, words: str) -> None:
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("baselines: error:") and words in last, result.stderr[-2000:]
    assert result.stdout.strip() == "" or "error" not in result.stdout


def test_it_rejects_an_unknown_slug(tmp_path):
    result = run_cli("fitting-7d", "--data", str(tmp_path), "--out", str(tmp_path / "p.csv"))
    assert_fails_with_one_line(result, "unknown challenge 'fitting-7d'")


def test_it_names_a_missing_file(tmp_path):
    (tmp_path / "test.csv").write_text("id,x\n1,0.5\n")
    result = run_cli(
        "fitting-1d", "--data", str(tmp_path), "--out", str(tmp_path / "p.csv"), "--progress-json"
    )
    assert_fails_with_one_line(result, "missing file: train.csv")
    assert not (tmp_path / "p.csv").exists()


def test_it_names_a_missing_data_folder(tmp_path):
    result = run_cli("glasses", "--data", str(tmp_path / "nowhere"), "--out", "p.csv")
    assert_fails_with_one_line(result, "data folder not found")


def test_it_refuses_cuda_when_there_is_none(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    result = run_cli(
        "fitting-1d", "--data", str(tmp_path), "--out", str(tmp_path / "p.csv"), "--device", "cuda"
    )
    assert_fails_with_one_line(result, "no CUDA device")


def test_the_api_raises_a_baseline_error_for_an_unknown_slug(tmp_path):
    with pytest.raises(BaselineError, match="choose from fitting-1d"):
        baselines.run("nope", tmp_path, tmp_path / "p.csv")


# --- zipped subfolders ------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["train/", ""])
def test_a_zipped_subfolder_reads_like_the_folder(bundles, tmp_path, prefix):
    source = bundles / "glasses" / "public" / "train"
    zip_folder(source, tmp_path / "train.zip", prefix=prefix)
    with PublicFolder(tmp_path) as public:
        unpacked = public.folder("train")
        assert sorted(p.name for p in unpacked.iterdir()) == sorted(
            p.name for p in source.iterdir()
        )
        assert (unpacked / "0.png").read_bytes() == (source / "0.png").read_bytes()
    assert not unpacked.exists()  # the temporary copy goes with the PublicFolder


def test_a_folder_is_preferred_to_a_zip_of_the_same_name(bundles):
    with PublicFolder(bundles / "glasses" / "public") as public:
        assert public.folder("train") == bundles / "glasses" / "public" / "train"


def test_a_missing_subfolder_names_both_forms(tmp_path):
    with PublicFolder(tmp_path) as public, pytest.raises(BaselineError, match=r"train\.zip"):
        public.folder("train")


# --- the bench's verdict, without training ----------------------------------------------------


@pytest.mark.parametrize("slug", ["fitting-5d", "glasses"])
def test_the_bench_fails_a_baseline_no_better_than_the_trivial_one(slug, bundles):
    meta, private = bench.read_bundle(bundles / slug)
    public = bundles / slug / "public"
    trivial = bench.trivial_score(meta, private, public)
    result = bench.Result(
        slug,
        meta["metric"],
        trivial,
        1.0,
        bench.target_for(meta, private, public, full=False),
        trivial,
    )
    assert not result.passed and result.line().endswith("MISSED")


@pytest.mark.parametrize("slug", ["fitting-5d", "glasses"])
def test_the_bench_passes_the_true_answers(slug, bundles):
    meta, private = bench.read_bundle(bundles / slug)
    public = bundles / slug / "public"
    perfect = bench.score(meta, private, private.drop(columns="Usage"))
    result = bench.Result(
        slug,
        meta["metric"],
        perfect,
        1.0,
        bench.target_for(meta, private, public, full=False),
        bench.trivial_score(meta, private, public),
    )
    assert result.passed and result.line().endswith("ok")


# --- what the GPU machine lacks ---------------------------------------------------------------


def test_baselines_imports_neither_django_nor_challenges():
    code = (
        "import sys, baselines, baselines.cli\n"
        "for slug in baselines.SLUGS: baselines.runner._module(slug)\n"
        "assert not {'django', 'challenges'} & set(sys.modules), 'imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_the_bench_scores_without_django(bundles):
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['bench', '--bundles', {str(bundles)!r}, '--only', 'fitting-1d']\n"
        "try:\n    runpy.run_path('bench/baselines.py', run_name='__main__')\n"
        "except SystemExit as exit:\n    print('exit', exit.code)\n"
        "assert not {'django', 'challenges'} & set(sys.modules), 'imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    *_, summary, exit_line = result.stdout.strip().splitlines()
    pairs = dict(pair.split("=") for pair in summary.split())
    assert pairs["mode"] == "quick" and pairs["device"] == "cpu"
    assert float(pairs["fitting_1d_mse"]) >= 0 and float(pairs["fitting_1d_trivial"]) > 0
    assert exit_line == ("exit 0" if pairs["ok"] == "true" else "exit 1")
