"""Faults against real processes: a baseline training whose worker dies (the whole worker,
or only its training process), and a run lost past its time limit."""

import os
import signal
import stat
import sys
from pathlib import Path

import pytest

from tests.fault_world import (
    needs_redis,
)
from tests.servers import (
    kill_if_running,
    kill_tree,
    wait_for,
)
from vsegrader.training import services as training
from vsegrader.training.models import BaselineRun
from vsegrader.training.runner import process_alive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

# Fixtures: redis_server, subprocess_env, worker_env, processes, unsent.
pytest_plugins = ("tests.fault_world",)


# --- a baseline training dies ---------------------------------------------------------------


# Stands in for `python -m baselines <slug> --data D --out O ... --seed S` (BASELINES_PYTHON):
# seed 1 trains "forever" (it writes its pid first), any other seed writes perfect predictions.
FAKE_PYTHON = """#!PYTHON
import json, os, pathlib, sys, time
argv = sys.argv[1:]
option = lambda name: argv[argv.index(name) + 1]
print(json.dumps({"event": "start", "slug": "tiny-1d", "device": "cpu", "epochs": 3}), flush=True)
if option("--seed") == "1":
    pathlib.Path(os.environ["FAKE_TRAINING_PIDFILE"]).write_text(str(os.getpid()))
    time.sleep(300)
data, out = pathlib.Path(option("--data")), pathlib.Path(option("--out"))
ids = [line.split(",")[0] for line in (data / "test.csv").read_text().splitlines()[1:]]
out.write_text("id,y\\n" + "".join(f"{i},{int(i) / 2}\\n" for i in ids))
"""
FOREVER, PERFECT = 1, 0


@pytest.fixture
def gpu_env(worker_env, tmp_path) -> dict:
    python = tmp_path / "fake-python"
    python.write_text(FAKE_PYTHON.replace("PYTHON", sys.executable))
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    pidfile = tmp_path / "training.pid"
    yield {**worker_env, "BASELINES_PYTHON": str(python), "FAKE_TRAINING_PIDFILE": str(pidfile)}
    if pidfile.exists():
        kill_if_running(int(pidfile.read_text()), str(python))


def train(challenge, redis_server, seed: int) -> BaselineRun:
    run = training.baseline_run_start(challenge=challenge, seed=seed, enqueue=False)
    redis_server.publish("baselines.train", [run.pk], queue="gpu")
    return run


def training_started(run: BaselineRun, env: dict) -> int:
    """Waits until the run's child trains; its pid."""
    pidfile = Path(env["FAKE_TRAINING_PIDFILE"])
    wait_for(pidfile.exists, "the training to start")
    run.refresh_from_db()
    assert run.status == "running" and run.worker_pid
    return int(pidfile.read_text())


def run_ends(run: BaselineRun) -> BaselineRun:
    def ended():
        run.refresh_from_db()
        return run.status in ("succeeded", "failed")

    wait_for(ended, f"baseline run {run.pk} to end", timeout=60)
    return run


def assert_runs_again(challenge, redis_server) -> None:
    again = run_ends(train(challenge, redis_server, PERFECT))
    assert (again.status, again.error) == ("succeeded", "")
    assert again.submission.is_baseline


@needs_redis
def test_a_training_whose_whole_worker_is_killed_fails_when_the_worker_returns(
    challenge, redis_server, gpu_env, processes
):
    first = processes.worker(gpu_env, queues="gpu")
    run = train(challenge, redis_server, FOREVER)
    child = training_started(run, gpu_env)
    kill_tree(first.process.pid, spare={child})  # the worker and its pool, as `docker kill`
    first.process.wait(timeout=10)
    wait_for(lambda: not process_alive(child), "the orphaned training to die with its worker")
    run.refresh_from_db()
    assert run.status == "running"  # nobody could tell yet

    processes.worker(gpu_env, queues="gpu")  # the same worker name, started again
    assert run_ends(run).status == "failed" and run.worker.startswith("test-")
    assert run.error == (
        f"The worker stopped while training ({run.worker} was restarted without finishing it). "
        "Run the baseline again."
    )
    assert_runs_again(challenge, redis_server)


@needs_redis
def test_a_training_whose_worker_process_is_killed_fails_naming_it(
    challenge, redis_server, gpu_env, processes
):
    processes.worker(gpu_env, queues="gpu")
    run = train(challenge, redis_server, FOREVER)
    training_started(run, gpu_env)
    os.kill(run.worker_pid, signal.SIGKILL)  # the pool process training, as the OOM killer would
    # Celery hands the message back (reject_on_worker_lost); the next delivery sees the death.
    assert run_ends(run).status == "failed"
    assert run.error == (
        f"The worker stopped while training (its process {run.worker_pid} on {run.worker} "
        "died: killed, or out of memory). Run the baseline again."
    )
    assert_runs_again(challenge, redis_server)


def test_a_run_lost_past_its_time_limit_is_failed_by_the_periodic_sweep(challenge):
    from datetime import timedelta

    from django.utils import timezone

    from vsegrader.training.tasks import fail_lost_baseline_runs

    started = timezone.now() - timedelta(hours=2)
    lost = BaselineRun.objects.create(challenge=challenge, status="running", started_at=started)
    alive_run = BaselineRun.objects.create(
        challenge=challenge, status="running", started_at=timezone.now()
    )
    fail_lost_baseline_runs()  # what beat runs every REQUEUE_EVERY_SECONDS
    lost.refresh_from_db()
    alive_run.refresh_from_db()
    assert (lost.status, lost.error) == ("failed", training.LOST_MESSAGE)
    assert alive_run.status == "running"
