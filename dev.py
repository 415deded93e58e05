#!/usr/bin/env python3
"""One command to run the site, one to run the tests, on a fresh machine with only Python.

    python3 dev.py serve      install, migrate, load the demo course, start a Celery worker
                              (embedded broker, with beat) and the site on 127.0.0.1:8000
    python3 dev.py test       install and run the whole test suite (arguments go to pytest)
    python3 dev.py lint       ruff

DATABASE_URL and CELERY_BROKER_URL switch from SQLite and the embedded broker to
PostgreSQL and Redis; nothing else changes.
"""

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
# The site, workers and tests; then PyTorch for the baselines (a CPU build here).
REQUIREMENTS = (ROOT / "requirements.txt", ROOT / "requirements-baselines.txt")
STAMP = VENV / ".requirements.sha256"


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def ensure_environment() -> None:
    """Creates .venv and installs requirements.txt when it is new or has changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be started by an old python3
        sys.exit("vsegrader needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say("creating the virtual environment in .venv")
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256()
    for path in (*REQUIREMENTS, ROOT / "client" / "pyproject.toml"):
        digest.update(path.read_bytes())
    wanted = digest.hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    say("installing the requirements (first run only; takes a minute or two)")
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    run([*pip, *(arg for path in REQUIREMENTS for arg in ("-r", str(path)))])
    STAMP.write_text(wanted)


def run(command: list[str], **kwargs) -> None:
    result = subprocess.run(command, cwd=ROOT, **kwargs)
    if result.returncode != 0:
        sys.exit(result.returncode)


def manage(*args: str) -> None:
    run([str(PYTHON), "manage.py", *args])


def serve(args: list[str]) -> None:
    port = args[0] if args else "8000"
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput", "-v", "0")
    manage("loaddemo")
    say("starting a Celery worker (with beat) and the site; Ctrl-C stops both")
    var = Path(os.environ.get("VSEGRADER_VAR_DIR", ROOT / "var"))
    var.mkdir(parents=True, exist_ok=True)
    worker = subprocess.Popen(
        [str(BIN / "celery"), "-A", "vsegrader", "worker", "--beat", "--queues", "scoring,gpu",
         "--concurrency", "2", "--loglevel", "INFO", "--without-mingle", "--without-gossip",
         "--schedule", str(var / "celerybeat-schedule")],
        cwd=ROOT,
    )
    site = subprocess.Popen(
        [str(PYTHON), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT
    )
    say(f"open http://127.0.0.1:{port}/ (logins printed above)")
    wait_for_either(worker, site)


def wait_for_either(*processes: subprocess.Popen) -> None:
    """Returns when one process ends or on Ctrl-C / SIGTERM, stopping the others."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while all(p.poll() is None for p in processes):
            with contextlib.suppress(subprocess.TimeoutExpired):
                processes[0].wait(timeout=1)
    except KeyboardInterrupt:
        pass
    finally:
        # A second signal (e.g. from both `timeout` and its child) must not cut the cleanup short.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT if os.name != "nt" else signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def test(args: list[str]) -> None:
    run([str(PYTHON), "-m", "pytest", *args])


def lint(args: list[str]) -> None:
    run([str(BIN / "ruff"), "check", ".", *args])


COMMANDS = {"serve": serve, "test": test, "lint": lint}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    ensure_environment()
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
