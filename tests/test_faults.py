"""Faults against real servers and processes: a scoring worker killed mid-batch, Redis stopped
while students upload, PostgreSQL restarted under the web process and the workers, and a
baseline training whose worker dies.

Every test here brings its own broker (a private redis-server, or a filesystem broker in a
private folder), so the session's worker and other suites never see its messages; a test
that stops a server stops its own instance on a spare port."""

import os
import re
import signal
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest
from rest_framework.authtoken.models import Token

from challenges.models import Submission
from tests.bundles import constant_submission, perfect_submission
from tests.conftest import SCORING_QUEUES, WorkerProcess, csv_upload, database_url
from tests.servers import (
    PG_BIN,
    REDIS_SERVER,
    ROOT,
    PostgresServer,
    RedisServer,
    WebProcess,
    descendants,
    kill_if_running,
    kill_tree,
    wait_for,
)
from vsegrader.training import services as training
from vsegrader.training.models import BaselineRun
from vsegrader.training.runner import process_alive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

needs_redis = pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server")
needs_postgres = pytest.mark.skipif(PG_BIN is None, reason="needs PostgreSQL's initdb/pg_ctl")

# The periodic requeue, made quick: beat every second, a row waits 2 s before it is resent.
FAST_REQUEUE = {
    "REQUEUE_EVERY_SECONDS": "1",
    "REQUEUE_QUEUED_AFTER_SECONDS": "2",
    "REQUEUE_SCORING_AFTER_SECONDS": "2",
}
SCORED_LINE = re.compile(r"Scored submission (\d+): (\w+)")
SCORE_TASK = "challenges.tasks.score_submission"


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def redis_server():
    if REDIS_SERVER is None:
        pytest.skip("needs redis-server")
    server = RedisServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def subprocess_env() -> dict:
    """What every process of a test inherits: the test settings, unbuffered output."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONUNBUFFERED": "1",
        "VSEGRADER_API_RATE": "",
    }


@pytest.fixture
def worker_env(subprocess_env, redis_server) -> dict:
    """Workers and web on this test's database and its private Redis."""
    from django.db import connection

    return {
        **subprocess_env,
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_BROKER_URL": redis_server.url,
    }


@pytest.fixture
def processes():
    """Starts workers and web processes; kills whatever is left of them after the test, and
    prints their logs (pytest shows them when the test failed)."""
    started = []

    class Start:
        @staticmethod
        def worker(env: dict, *, queues: str = SCORING_QUEUES, beat: bool = False) -> WorkerProcess:
            worker = WorkerProcess(env, queues=queues, beat=beat)
            started.append(worker)
            return worker.start()

        @staticmethod
        def web(env: dict) -> WebProcess:
            web = WebProcess(env)
            started.append(web)
            return web.wait_ready()

    yield Start
    for process in started:
        if process.process is None:
            continue
        if process.process.poll() is None:  # not reaped yet, so the pid is still its own
            kill_tree(process.process.pid)
            process.process.wait(timeout=10)
        print(f"--- {' '.join(map(str, process.process.args))}\n" + "".join(process.log[-60:]))


@pytest.fixture
def unsent(monkeypatch):
    """This process sends no scoring task itself (each test publishes to its own broker)."""
    from challenges.tasks import score_submission

    monkeypatch.setattr(score_submission, "apply_async", lambda *args, **kwargs: None)


def scorings(*logs: list[str]) -> Counter:
    """How many committed scorings each submission had, from the workers' log lines."""
    return Counter(
        int(match[1]) for log in logs for line in log if (match := SCORED_LINE.search(line))
    )


def store_uploads(challenge, user, count: int) -> list[int]:
    """Submissions stored as an upload stores them (with `unsent`: no message sent)."""
    from challenges.submissions.intake import submission_create

    challenge.daily_limit = 100
    challenge.save()
    return [
        submission_create(challenge=challenge, user=user, file=csv_upload(body)).pk
        for body in (constant_submission(value / 10) for value in range(count))
    ]


def logged(process, text: str) -> bool:
    return any(text in line for line in process.log)


def all_scored(ids: list[int]) -> bool:
    return Submission.objects.filter(pk__in=ids, status="scored").count() == len(ids)


# --- a scoring worker killed mid-batch ------------------------------------------------------


@needs_redis
def test_a_worker_killed_mid_batch_still_scores_every_submission_exactly_once(
    challenge, student, redis_server, worker_env, processes, unsent
):
    ids = store_uploads(challenge, student, 30)
    redis_server.publish(SCORE_TASK, ids, queue="scoring")
    first = processes.worker(worker_env)
    wait_for(lambda: scorings(first.log), "the first scoring")
    kill_tree(first.process.pid)
    first.process.wait(timeout=10)
    orphans = redis_server.unacked()  # messages the dead worker took and never acknowledged
    assert orphans and not all_scored(ids), "the kill must land in the middle of the batch"

    # A new worker with beat: the rest of the queue is delivered, the orphans' rows requeued.
    second = processes.worker({**worker_env, **FAST_REQUEUE}, beat=True)
    wait_for(lambda: all_scored(ids), "every submission scored", timeout=60)
    # An hour later Redis hands the dead worker's messages out again: duplicates to ignore.
    redis_server.restore(list(orphans))
    handled = [f"{SCORE_TASK}[{task_id}] succeeded" for task_id in orphans.values()]
    wait_for(lambda: all(logged(second, text) for text in handled), "the duplicates handled")
    assert scorings(first.log, second.log) == dict.fromkeys(ids, 1)


# --- Redis stopped while students upload ----------------------------------------------------


def upload(api, content: bytes) -> int:
    files = {"file": ("predictions.csv", content, "text/csv")}
    response = api.post("/api/challenges/tiny-1d/submissions/", files=files)
    assert response.status_code == 201, response.text[:500]
    return response.json()["id"]


def status_over_http(api, pk: int) -> str:
    response = api.get(f"/api/submissions/{pk}/")
    assert response.status_code == 200, response.text[:500]
    return response.json()["status"]


@needs_redis
def test_uploads_during_a_redis_outage_are_stored_and_scored_once_it_returns(
    challenge, student, redis_server, worker_env, processes
):
    challenge.daily_limit = 100
    challenge.save()
    env = {**worker_env, **FAST_REQUEUE}
    worker = processes.worker(env, beat=True)
    # As in docker-compose, the same Redis also holds the cache: API throttle counts and
    # failed logins, both on (at a rate this test never reaches).
    web_env = {**env, "CACHE_URL": redis_server.url[:-1] + "1", "VSEGRADER_API_RATE": "10000/min"}
    web = processes.web(web_env)
    api = web.client(Token.objects.create(user=student).key)
    before = upload(api, perfect_submission())
    wait_for(lambda: status_over_http(api, before) == "scored", "a first scoring", timeout=60)

    redis_server.stop()
    bodies = [constant_submission(value) for value in (1.0, 2.0, 3.0)]
    during = [upload(api, body) for body in bodies]  # each answered 201 by the web process
    for pk, body in zip(during, bodies, strict=True):
        stored = Submission.objects.get(pk=pk)
        assert stored.status == "queued"
        with stored.file.open("rb") as handle:
            assert handle.read() == body
        sending_failed = f"Could not enqueue submission {pk} "
        wait_for(lambda text=sending_failed: logged(web, text), "the web to log it")
    assert_logins_work(web)

    redis_server.start()  # no one touches the web or the worker: the requeue does the rest
    wait_for(lambda: all_scored(during), "the uploads of the outage to be scored", timeout=60)
    assert scorings(worker.log) == dict.fromkeys([before, *during], 1)


def assert_logins_work(web) -> None:
    """Without the cache, failed logins cannot be counted; logging in must still work."""
    with httpx.Client(base_url=web.base_url, timeout=30) as anonymous:
        right = {"username": "alice", "password": "pw-for-tests-1"}
        assert anonymous.post("/api/auth/token/", json=right).status_code == 200
        wrong = {**right, "password": "not-it"}
        assert anonymous.post("/api/auth/token/", json=wrong).status_code in (400, 401)


# --- PostgreSQL restarts --------------------------------------------------------------------


SEED = """
from django.core.management import call_command
from challenges.bundles.reader import read_bundle
from challenges.bundles.importing import challenge_import
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
call_command("migrate", verbosity=0)
challenge_import(bundle=read_bundle({bundle!r}))
user = get_user_model().objects.create_user("alice", password="pw-for-tests-1")
print("TOKEN", Token.objects.create(user=user).key)
"""


@pytest.fixture
def postgres_server():
    if PG_BIN is None:
        pytest.skip("needs PostgreSQL's initdb and pg_ctl")
    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.destroy()


def seed(env: dict, bundle: Path) -> str:
    """Migrates the private database and adds the tiny challenge and a student; her token."""
    command = [sys.executable, "manage.py", "shell", "-c", SEED.format(bundle=str(bundle))]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return re.search(r"^TOKEN (\w+)$", result.stdout, re.M)[1]


@needs_postgres
def test_the_web_and_the_worker_recover_from_a_postgresql_restart_on_their_own(
    postgres_server, subprocess_env, tiny_bundle, tmp_path, processes
):
    postgres_server.create_database()
    # Files and a filesystem broker of its own: nothing is shared with the test database.
    env = {
        **subprocess_env,
        **FAST_REQUEUE,
        "DATABASE_URL": postgres_server.url,
        "CELERY_BROKER_URL": "filesystem://",
        "VSEGRADER_VAR_DIR": str(tmp_path / "var"),
    }
    token = seed(env, tiny_bundle)
    worker = processes.worker(env, beat=True)
    web = processes.web(env)
    api = web.client(token)
    before = upload(api, perfect_submission())
    wait_for(lambda: status_over_http(api, before) == "scored", "a first scoring", timeout=60)

    worker_processes = set(descendants(worker.process.pid))  # its pool (and embedded beat)

    postgres_server.stop()  # fast: every open connection is cut
    postgres_server.start()
    assert status_over_http(api, before) == "scored"  # the very first request after it
    after = upload(api, constant_submission(1.0))
    wait_for(lambda: status_over_http(api, after) == "scored", "a scoring after", timeout=60)
    # Recovered in place: not one of their processes was replaced.
    assert worker.process.poll() is None and web.process.poll() is None
    assert set(descendants(worker.process.pid)) == worker_processes
    assert sum("Booting worker" in line for line in web.log) == 1
    assert scorings(worker.log) == {before: 1, after: 1}


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
