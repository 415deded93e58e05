"""The PyTorch baselines, in quick mode on the CPU, on demo bundles built at a reduced scale.

Pure tests: no database, no Django (`-p no:django` works). The quick runs are the slow part,
so each baseline runs once per session and the tests share the results.
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
from baselines.common import BaselineError
from baselines.data import PublicFolder
from challenges.bundles.demo import build_demo_bundles

ROOT = Path(__file__).resolve().parent.parent
SCALE = 0.5  # 150 labelled clips and 1000 test rows: quick runs stay fast, scores stay honest


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_baselines",
                                                  ROOT / "bench" / "baselines.py")
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
def quick_runs(bundles, zipped_mnist, tmp_path_factory) -> dict[str, dict]:
    """Each baseline once, in quick mode on the CPU, with its events and its summary."""
    out_dir = tmp_path_factory.mktemp("predictions")
    runs = {}
    for slug in baselines.SLUGS:
        data = zipped_mnist if slug == "mics-mnist" else bundles / slug / "public"
        events: list[dict] = []
        summary = baselines.run(slug, data, out_dir / f"{slug}.csv", device="cpu", quick=True,
                                seed=0, on_progress=events.append)
        runs[slug] = {"summary": summary, "events": events, "out": out_dir / f"{slug}.csv"}
    return runs


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "baselines", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


# --- quick mode: better than the trivial baseline, in the challenge's format ------------------


@pytest.mark.parametrize("slug", baselines.SLUGS)
def test_quick_mode_clearly_beats_the_trivial_baseline(slug, quick_runs, bundles):
    meta, private = bench.read_bundle(bundles / slug)
    predictions = pd.read_csv(quick_runs[slug]["out"], dtype={meta["id_column"]: str})
    score = bench.score(meta, private, predictions)
    trivial = bench.trivial_score(meta, private, bundles / slug / "public")
    target = bench.target_for(meta, private, bundles / slug / "public", full=False)
    if meta["metric"] == "accuracy":
        assert score >= target, f"{slug}: accuracy {score:.3f}, majority class {trivial:.3f}"
    else:
        assert score <= target, f"{slug}: MSE {score:.5f}, constant prediction {trivial:.5f}"


@pytest.mark.parametrize("slug", baselines.SLUGS)
def test_it_writes_the_sample_submissions_columns_and_rows(slug, quick_runs, bundles):
    sample = pd.read_csv(bundles / slug / "public" / "sample_submission.csv", dtype=str)
    written = pd.read_csv(quick_runs[slug]["out"], dtype=str)
    assert list(written.columns) == list(sample.columns)
    assert written.iloc[:, 0].tolist() == sample.iloc[:, 0].tolist()
    assert written.notna().all().all()


def test_the_quick_runs_fit_the_time_budget(quick_runs):
    total = sum(run["summary"]["seconds"] for run in quick_runs.values())
    assert total < 2 * bench.TIME_BUDGET_S["quick"]  # 2×: this machine is shared and noisy


def test_the_api_reports_start_epochs_and_done_in_order(quick_runs):
    events = quick_runs["glasses"]["events"]
    assert events[0] == {"event": "start", "slug": "glasses", "device": "cpu", "epochs": 10}
    epochs = [e for e in events if e["event"] == "epoch"]
    assert [e["epoch"] for e in epochs] == list(range(1, 11))
    assert all(e["metric"] == "val_accuracy" and 0 <= e["value"] <= 1 for e in epochs)
    assert events[-1]["event"] == "done" and events[-1]["seconds"] > 0


def test_sword_video_reports_its_pretraining_phase_first(quick_runs):
    phases = [e["name"] for e in quick_runs["sword-video"]["events"] if e["event"] == "phase"]
    assert phases == ["pretrain", "train"]
    metrics = {e["metric"] for e in quick_runs["sword-video"]["events"] if e["event"] == "epoch"}
    assert metrics == {"pretext_loss", "val_accuracy"}


# --- the command line -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def cli_runs(bundles, tmp_path_factory):
    """fitting-1d twice through the command line: once with JSON progress, once without."""
    out = tmp_path_factory.mktemp("cli")
    data = str(bundles / "fitting-1d" / "public")
    common = ("fitting-1d", "--data", data, "--device", "cpu", "--quick", "--seed", "7")
    first = run_cli(*common, "--out", str(out / "a.csv"), "--progress-json")
    second = run_cli(*common, "--out", str(out / "b.csv"))
    return first, second, out


def test_the_same_seed_gives_identical_predictions(cli_runs):
    first, second, out = cli_runs
    assert first.returncode == 0, first.stderr[-2000:]
    assert second.returncode == 0, second.stderr[-2000:]
    assert (out / "a.csv").read_bytes() == (out / "b.csv").read_bytes()


def test_progress_json_puts_only_json_events_on_stdout(cli_runs):
    first, _, out = cli_runs
    events = [json.loads(line) for line in first.stdout.splitlines()]
    assert events[0] == {"event": "start", "slug": "fitting-1d", "device": "cpu", "epochs": 40}
    assert {e["event"] for e in events[1:-1]} == {"epoch"}
    assert set(events[1]) == {"event", "epoch", "epochs", "metric", "value"}
    assert events[1]["metric"] == "val_mse" and events[-2]["epoch"] == events[-2]["epochs"]
    assert events[-1]["event"] == "done" and events[-1]["out"] == str(out / "a.csv")
    assert "val_mse" in first.stderr  # the progress bar and the figures went to stderr


def test_a_different_seed_gives_different_predictions(bundles, tmp_path):
    data = bundles / "fitting-1d" / "public"
    for seed in (1, 2):
        baselines.run("fitting-1d", data, tmp_path / f"{seed}.csv", device="cpu", quick=True,
                      seed=seed)
    assert (tmp_path / "1.csv").read_bytes() != (tmp_path / "2.csv").read_bytes()


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
    result = run_cli("fitting-1d", "--data", str(tmp_path), "--out", str(tmp_path / "p.csv"),
                     "--progress-json")
    assert_fails_with_one_line(result, "missing file: train.csv")
    assert not (tmp_path / "p.csv").exists()


def test_it_names_a_missing_data_folder(tmp_path):
    result = run_cli("glasses", "--data", str(tmp_path / "nowhere"), "--out", "p.csv")
    assert_fails_with_one_line(result, "data folder not found")


def test_it_refuses_cuda_when_there_is_none(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    result = run_cli("fitting-1d", "--data", str(tmp_path), "--out", str(tmp_path / "p.csv"),
                     "--device", "cuda")
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
            p.name for p in source.iterdir())
        assert (unpacked / "0.png").read_bytes() == (source / "0.png").read_bytes()
    assert not unpacked.exists()  # the temporary copy goes with the PublicFolder


def test_a_folder_is_preferred_to_a_zip_of_the_same_name(bundles):
    with PublicFolder(bundles / "glasses" / "public") as public:
        assert public.folder("train") == bundles / "glasses" / "public" / "train"


def test_a_missing_subfolder_names_both_forms(tmp_path):
    with PublicFolder(tmp_path) as public, pytest.raises(BaselineError, match=r"train\.zip"):
        public.folder("train")


# --- what the GPU machine lacks ---------------------------------------------------------------


def test_baselines_imports_neither_django_nor_challenges():
    code = ("import sys, baselines, baselines.cli\n"
            "for slug in baselines.SLUGS: baselines.runner._module(slug)\n"
            "assert not {'django', 'challenges'} & set(sys.modules), 'imported'")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_bench_scores_without_django(bundles):
    code = ("import runpy, sys\n"
            f"sys.argv = ['bench', '--bundles', {str(bundles)!r}, '--only', 'fitting-5d']\n"
            "try:\n    runpy.run_path('bench/baselines.py', run_name='__main__')\n"
            "except SystemExit as exit:\n    assert exit.code == 0, exit.code\n"
            "assert not {'django', 'challenges'} & set(sys.modules), 'imported'")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    last = result.stdout.strip().splitlines()[-1]
    pairs = dict(pair.split("=") for pair in last.split())
    assert pairs["mode"] == "quick" and pairs["device"] == "cpu" and pairs["ok"] == "true"
    assert float(pairs["fitting_5d_mean_column_mse"]) < 0.05
