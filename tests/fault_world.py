"""What the fault tests share: private Redis and PostgreSQL servers, the environment of
the processes a test starts, and helpers that count committed scorings."""

import os
import re
from collections import Counter

import pytest

from challenges.models import Submission
from tests.bundles import constant_submission
from tests.conftest import SCORING_QUEUES, WorkerProcess, csv_upload, database_url
from tests.servers import (
    PG_BIN,
    REDIS_SERVER,
    RedisServer,
    WebProcess,
    kill_tree,
)

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
