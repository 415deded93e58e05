"""What the benchmarks share: ports, percentiles, fresh PostgreSQL and Redis, the Celery
worker's command line, a production-like stack (gunicorn + a scoring worker) that the load
benchmarks start, watch and stop, and the README's `dev.py serve` run the same way."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SCORED_LINE = re.compile(r"Scored submission (\d+): (\w+)")  # one per committed scoring


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reachable(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        return True
    except OSError:
        return False


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if values else 0.0


def fresh_database(name: str) -> None:
    """Drops and creates database `name` on the local PostgreSQL."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {name}")


def flush_redis(*urls: str) -> None:
    import redis

    for url in urls:
        redis.Redis.from_url(url).flushdb()


def embedded_env(var, **extra: str) -> dict:
    """A site and worker on the embedded stack in `var`, as a benchmark measures them: no
    per-user throttle or upload pace, a throwaway key, plain HTTP on 127.0.0.1. `extra`
    wins; without a DATABASE_URL or CELERY_BROKER_URL in it, SQLite and the filesystem
    broker are used whatever the shell has set."""
    env = {
        **os.environ,
        "VSEGRADER_VAR_DIR": str(var),
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
        "SECURE_HTTPS": "0",
        "VSEGRADER_API_RATE": "",
        "SUBMISSION_UPLOAD_RATE": "",
    }
    for key in ("DATABASE_URL", "CELERY_BROKER_URL"):
        env.pop(key, None)
    return {**env, **extra}


def worker_command(queues: str = "scoring,scoring-bulk", concurrency: int = 2) -> list[str]:
    """A Celery scoring worker as the benchmarks run it: no mingle, gossip or heartbeat, so
    it is ready at once and measures scoring only."""
    return [
        *(sys.executable, "-m", "celery", "-A", "vsegrader", "worker"),
        *("--queues", queues, "--concurrency", str(concurrency), "--loglevel", "INFO"),
        *("--without-mingle", "--without-gossip", "--without-heartbeat"),
    ]


def gunicorn_command(port: int, workers: int) -> list[str]:
    return [
        *(sys.executable, "-m", "gunicorn", "vsegrader.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
        *("--worker-class", "gthread", "--threads", "4"),
    ]


@dataclass
class Stack:
    """gunicorn and one scoring worker, logging into `var`/web.log and worker.log."""

    var: Path
    env: dict
    port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, web: list[str], worker: list[str], timeout: float = 90) -> None:
        for name, command in (("web", web), ("worker", worker)):
            log = open(self.var / f"{name}.log", "w")  # noqa: SIM115 - lives with the process
            self.processes.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
                )
            )
        self.wait_until_ready(timeout)

    def wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in (self.var / "worker.log").read_text() and reachable(self.port):
                return
            if any(process.poll() is not None for process in self.processes):
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the stack did not start; see web.log and worker.log in {self.var}")

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by the web processes and by the scoring processes."""
        return {
            name: tree_cpu_seconds(process.pid)
            for name, process in zip(("web", "worker"), self.processes, strict=True)
        }

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU of a process and its living descendants, from /proc (Linux)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    tree = {root}
    for _ in range(4):  # gunicorn and Celery trees are two levels deep
        tree |= {pid for pid, (parent, _) in stats.items() if parent in tree}
    total = sum(stats[pid][1] for pid in tree if pid in stats)
    return total / os.sysconf("SC_CLK_TCK")


class ServeStack:
    """`python3 dev.py serve` in a folder of its own, its output in serve.log."""

    def __init__(self, var: Path, demo_scale: float, requeue_after: int):
        self.var, self.port = var, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = var / "serve.log"
        self.env = {
            **os.environ,
            "VSEGRADER_VAR_DIR": str(var),
            "PYTHONUNBUFFERED": "1",
            "REQUEUE_QUEUED_AFTER_SECONDS": str(requeue_after),
            "REQUEUE_SCORING_AFTER_SECONDS": str(requeue_after),
            "REQUEUE_EVERY_SECONDS": str(max(1, requeue_after // 2)),
            # A few threads play the class; at a rush rate each simulated student would
            # upload faster than the per-student pace a real (larger) class never reaches.
            "SUBMISSION_UPLOAD_RATE": "",
        }
        for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"):
            self.env.pop(name, None)  # the embedded default is what is under test
        self.demo_scale = demo_scale
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 900) -> None:
        log = open(self.log_path, "w")  # noqa: SIM115 - the child writes to it until stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "dev.py",
                "serve",
                str(self.port),
                "--demo-scale",
                str(self.demo_scale),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while not (self.answers() and "celery@" in self.log() and " ready." in self.log()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dev.py serve did not start:\n" + self.log()[-3000:])
            time.sleep(0.5)

    def answers(self) -> bool:
        try:
            return httpx.get(f"{self.base}/accounts/login/", timeout=5).status_code < 500
        except httpx.HTTPError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pid(self) -> int:
        return int((self.var / "serve.pids").read_text().split()[0])

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)

    def database(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.var / 'vsegrader.sqlite3'}?mode=ro", uri=True)
