"""Faults against real servers and processes: a scoring worker killed mid-batch, Redis stopped
while students upload, PostgreSQL restarted under the web process and the workers, and a
baseline training whose worker dies.

Every test here brings its own broker (a private redis-server, or a filesystem broker in a
private folder), so the session's worker and other suites never see its messages; a test
that stops a server stops its own instance on a spare port."""

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from challenges.models import Submission
from tests.bundles import constant_submission, perfect_submission
from tests.fault_world import (
    FAST_REQUEUE,
    SCORE_TASK,
    all_scored,
    logged,
    needs_postgres,
    needs_redis,
    scorings,
    store_uploads,
)
from tests.servers import (
    PG_BIN,
    ROOT,
    PostgresServer,
    descendants,
    kill_tree,
    wait_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

# Fixtures: redis_server, subprocess_env, worker_env, processes, unsent.
pytest_plugins = ("tests.fault_world",)


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
    killed_at = timezone.now()
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
    logged_scorings = scorings(first.log, second.log)
    assert set(logged_scorings.values()) == {1}, "a submission was scored twice"
    # A row the first worker committed in the instant before the kill lost only its log line:
    # at most one per worker process, and scored before the kill, never after.
    unlogged = Submission.objects.filter(pk__in=set(ids) - set(logged_scorings))
    assert unlogged.count() <= 2
    assert all(row.scored_at < killed_at for row in unlogged)


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
