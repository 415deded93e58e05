import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.bundles import write_tiny_bundle
from vsegrader.permissions import make_instructor

ROOT = Path(__file__).resolve().parent.parent
# What every scoring worker consumes: the queue, and the bulk queue of students' bursts.
SCORING_QUEUES = "scoring,scoring-bulk"


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, *, staff: bool = False, password: str = "pw-for-tests-1"):
        user = django_user_model(username=username, email=f"{username}@example.com")
        user.set_password(password)
        make_instructor(user, staff)
        user.save()
        return user

    return make


@pytest.fixture
def student(make_user):
    return make_user("alice")


@pytest.fixture
def other_student(make_user):
    return make_user("bob")


@pytest.fixture
def instructor(make_user):
    return make_user("ivana", staff=True)


@pytest.fixture
def tiny_bundle(tmp_path) -> Path:
    return write_tiny_bundle(tmp_path)


@pytest.fixture
def challenge(db, tiny_bundle):
    from challenges.bundles.importing import challenge_import
    from challenges.bundles.reader import read_bundle

    return challenge_import(bundle=read_bundle(tiny_bundle)).challenge


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def student_api(api_client, student):
    from rest_framework.authtoken.models import Token

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=student).key}")
    return api_client


@pytest.fixture(autouse=True)
def empty_cache():
    """Throttle counts and cached charts must not leak between tests (ids are reused).
    Pure tests run without Django (`-p no:django`): then there is no cache to clear."""
    from django.conf import settings

    if not settings.configured:
        yield
        return
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def no_stray_scoring(request, monkeypatch):
    """A transactional test without a worker of its own must not send scoring tasks: the
    session's worker process, started by an earlier test, would score them in this test's
    database while it is being emptied (PostgreSQL then reports a deadlock)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    if transactional and "celery_worker_process" not in request.fixturenames:
        from challenges.tasks import score_submission

        monkeypatch.setattr(score_submission, "apply_async", lambda *args, **kwargs: None)
    yield


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client


def csv_upload(content: bytes, name: str = "submission.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def database_url(settings_dict: dict) -> str:
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict["USER"] or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


class WorkerProcess:
    """A real `celery worker` process on the test database and the configured broker."""

    def __init__(self, env: dict, *, queues: str = SCORING_QUEUES, beat: bool = False):
        self.env = env
        self.queues = queues
        self.beat = beat
        self.log: list[str] = []
        self.ready = threading.Event()
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "WorkerProcess":
        self.ready.clear()
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "vsegrader",
            "worker",
            "--queues",
            self.queues,
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--hostname",
            f"test-{os.getpid()}-{self.queues.replace(',', '-')}@%h",
        ]
        if self.beat:
            command += ["--beat", "--schedule", os.path.join(tempfile.mkdtemp(), "beat")]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read_output, daemon=True).start()
        if not self.ready.wait(timeout):
            self.stop()
            raise RuntimeError("the Celery worker did not start:\n" + "".join(self.log[-40:]))
        return self

    def _read_output(self) -> None:
        for line in self.process.stdout:
            self.log.append(line)
            if " ready." in line:
                self.ready.set()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def purge_broker() -> None:
    from vsegrader.celery import app

    app.control.purge()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """One worker for the session, started once the test database exists."""
    from django.db import connection

    env = dict(os.environ)
    env["DATABASE_URL"] = database_url(connection.settings_dict)
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    env["PYTHONUNBUFFERED"] = "1"
    purge_broker()
    worker = WorkerProcess(env).start()
    yield worker
    worker.stop()


def wait_until_done(submission_id: int, timeout: float = 30):
    from challenges.models import Submission

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.get(pk=submission_id)
        if submission.is_done:
            return submission
        time.sleep(0.05)
    raise AssertionError(f"submission {submission_id} still {submission.status} after {timeout}s")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Attaches the worker's recent log to a failing worker test."""
    outcome = yield
    report = outcome.get_result()
    worker = item.funcargs.get("celery_worker_process") if hasattr(item, "funcargs") else None
    if report.failed and worker is not None:
        report.sections.append(("celery worker log", "".join(worker.log[-80:])))
