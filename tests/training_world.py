"""What the baseline-run tests share: stand-ins for `python -m baselines` and fixtures that
replace the training command and the broker."""

import importlib.util
import sys
from pathlib import Path

import pytest

from vsegrader.training import services
from vsegrader.training.models import BaselineRun

ROOT = Path(__file__).resolve().parent.parent
REAL_BASELINES = importlib.util.find_spec("torch") is not None and (ROOT / "baselines").is_dir()
needs_real_baselines = pytest.mark.skipif(
    not REAL_BASELINES, reason="needs torch and the baselines/ package"
)

# A stand-in for `python -m baselines` on the tiny-1d challenge: argv is DATA_DIR OUT_FILE.
PERFECT_TRAINING = """
import json, pathlib, sys
data, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
say = lambda **event: print(json.dumps(event), flush=True)
say(event="start", slug="tiny-1d", device="cpu", epochs=2)
print("files: " + " ".join(sorted(p.name for p in data.iterdir())))
say(event="epoch", epoch=1, epochs=2, metric="val_mse", value=0.5)
say(event="epoch", epoch=2, epochs=2, metric="val_mse", value=0.25)
ids = [line.split(",")[0] for line in (data / "test.csv").read_text().splitlines()[1:]]
out.write_text("id,y\\n" + "".join(f"{i},{int(i) / 2}\\n" for i in ids))
say(event="done", out=str(out), seconds=0.1)
"""
KILLED_TRAINING = """
import json, os, signal
print(json.dumps({"event": "start", "slug": "tiny-1d", "device": "cpu", "epochs": 5}), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
SLOW_TRAINING = (
    'import time; print(\'{"event": "phase", "name": "warmup"}\', flush=True)\ntime.sleep(60)'
)
SILENT_TRAINING = "pass"


@pytest.fixture
def fake_training(monkeypatch):
    """Replaces the `python -m baselines` command line with a script of the test's own."""

    def use(script: str) -> None:
        monkeypatch.setattr(
            services,
            "baseline_command",
            lambda run, data, out: [sys.executable, "-c", script, str(data), str(out)],
        )

    return use


@pytest.fixture
def sent_tasks(monkeypatch):
    """Records what would go to the broker instead of sending it."""
    from vsegrader.training.tasks import train_baseline

    sent = []

    class Result:
        id = "task-123"

    def apply_async(args, **options):
        sent.append(args)
        return Result()

    monkeypatch.setattr(train_baseline, "apply_async", apply_async)
    return sent


def run_now(challenge, **options) -> BaselineRun:
    run = services.baseline_run_start(challenge=challenge, enqueue=False, **options)
    return services.baseline_run_execute(run_id=run.pk)
