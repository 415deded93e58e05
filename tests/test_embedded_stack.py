"""The README's first command as a course runs it: `python3 dev.py serve`, left running.

Real processes throughout: the supervised site, Celery worker and beat on SQLite and the
filesystem broker, each stack in a folder of its own on a spare port. The long soak is
bench/soak.py; a short one runs here.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import ROOT
from tests.servers import free_port

DEMO_SCALE = "0.05"  # the demo course's data at 5 %: generated in seconds


def stack_env(var: Path) -> dict:
    env = {**os.environ, "VSEGRADER_VAR_DIR": str(var), "PYTHONUNBUFFERED": "1"}
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)  # the embedded default, even when CI runs on PostgreSQL
    for name in ("SECRET_KEY", "PSEUDONYM_KEY", "DEBUG", "DJANGO_DEBUG", "SECURE_HTTPS"):
        env.pop(name, None)  # as the README's command runs: dev.py makes and keeps its keys
    return env


def serve(var: Path, port: int, log_name: str) -> subprocess.Popen:
    log = open(var / log_name, "w")  # noqa: SIM115 - the child writes to it
    return subprocess.Popen(
        [sys.executable, "dev.py", "serve", str(port), "--demo-scale", DEMO_SCALE],
        cwd=ROOT,
        env=stack_env(var),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until_serving(process: subprocess.Popen, port: int, log: Path, timeout=600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        if answers(port) and " ready." in log.read_text():
            return
        time.sleep(0.5)
    raise AssertionError("dev.py serve did not come up:\n" + log.read_text()[-3000:])


def answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # a zombie is gone too


def wait_until_gone(pids: list[int], timeout: float = 60) -> list[int]:
    deadline = time.monotonic() + timeout
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return [pid for pid in pids if alive(pid)]


def test_a_short_soak_loses_nothing_and_outlives_a_killed_worker(tmp_path):
    var = tmp_path / "soak"
    result = subprocess.run(
        [
            sys.executable,
            "bench/soak.py",
            "--minutes",
            "0.5",
            "--students",
            "4",
            "--rate",
            "2",
            "--demo-scale",
            DEMO_SCALE,
            "--requeue-after",
            "5",
            "--var",
            str(var),
        ],
        cwd=ROOT,
        env=stack_env(var),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = dict(pair.split("=") for pair in result.stdout.strip().splitlines()[-1].split())
    assert int(figures["uploads"]) >= 40
    assert figures["lost"] == "0" and figures["duplicates"] == "0" and figures["errors"] == "0"
    assert figures["worker_restarts"] == "1"
    assert float(figures["site_down_s"]) == 0
    log = (var / "serve.log").read_text()
    assert "the worker was killed by SIGKILL" in log
    assert "set aside an unreadable message" in log
    assert len(os.listdir(var / "broker" / "unreadable")) == 1
    assert log.rstrip().endswith("[dev] stopped")


def test_one_serve_per_folder_and_a_killed_ones_processes_are_taken_over(tmp_path):
    port = free_port()
    first = serve(tmp_path, port, "first.log")
    wait_until_serving(first, port, tmp_path / "first.log")
    secret_key = tmp_path / "secret_key"
    assert secret_key.stat().st_mode & 0o777 == 0o600
    kept = secret_key.read_text()
    for path in ("/static/css/site.css", "/favicon.ico"):  # served with DEBUG off too
        assert httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5).status_code == 200
    assert "Page not found" in httpx.get(f"http://127.0.0.1:{port}/no-such-page/").text

    second = subprocess.run(
        [sys.executable, "dev.py", "serve", str(free_port())],
        cwd=ROOT,
        env=stack_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode != 0
    assert f"already running on {tmp_path}" in second.stderr
    assert answers(port)

    children = [int(pid) for pid in (tmp_path / "serve.pids").read_text().split()]
    first.send_signal(signal.SIGKILL)  # dev.py dies; its worker, beat and site live on
    first.wait()
    assert all(alive(pid) for pid in children)

    third = serve(tmp_path, port, "third.log")
    wait_until_serving(third, port, tmp_path / "third.log")
    assert "left behind by an earlier `dev.py serve`" in (tmp_path / "third.log").read_text()
    assert secret_key.read_text() == kept  # the next start signs with the same key
    assert wait_until_gone(children) == []

    successors = [int(pid) for pid in (tmp_path / "serve.pids").read_text().split()]
    third.send_signal(signal.SIGTERM)
    assert third.wait(timeout=90) == 0
    assert wait_until_gone(successors) == []
    assert not (tmp_path / "serve.pids").exists()
    assert not answers(port)
