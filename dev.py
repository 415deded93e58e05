#!/usr/bin/env python3
"""One command to run the site, one to run the tests, on a fresh machine with only Python.

    python3 dev.py serve      install, migrate, load the demo course, then run and supervise
                              the site on 127.0.0.1:8000, a Celery worker (embedded broker)
                              and beat: one that dies is restarted. It runs as in production
                              (DEBUG off, a random SECRET_KEY kept in the data folder);
                              `serve --debug` turns DEBUG on
    python3 dev.py test       install and run the whole test suite (arguments go to pytest)
    python3 dev.py lint       ruff check and ruff format --check (what CI runs)
    python3 dev.py lock       re-resolve requirements/*.in into the hash-pinned *.txt
                              (arguments go to pip-compile, e.g. --upgrade or -P django)

DATABASE_URL and CELERY_BROKER_URL switch from SQLite and the embedded broker to
PostgreSQL and Redis; nothing else changes.
"""

import argparse
import contextlib
import dataclasses
import fcntl
import hashlib
import os
import secrets
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
REQUIREMENTS = ROOT / "requirements"
# Requirements by role (requirements/*.in, locked with hashes into *.txt by `dev.py lock`):
# runtime (the web and scoring images), baselines (the GPU image adds it), dev (runtime +
# baselines + the tools that test, lint and lock; never in an image). The locks are made in
# this order, each constrained by the ones before, so a package has one pin everywhere.
LOCKS = ("runtime", "baselines", "dev")
# What a dev machine installs, in three pip calls: the hash-pinned dev lock; then torch by
# version only (torch.txt says why it carries no hash: here it is the local CPU build); then
# the client, editable so that tests run the working tree's code (an editable install cannot
# be hash-checked, so it cannot share the first call).
INSTALLED = (
    REQUIREMENTS / "dev.txt",
    REQUIREMENTS / "torch.txt",
    ROOT / "client" / "pyproject.toml",
)
STAMP = VENV / ".requirements.sha256"
# The key every checkout signed with before `serve` kept one (vsegrader/environment.py has
# the same): public, so the site refuses it with DEBUG off.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production"


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def ensure_environment() -> None:
    """Creates .venv and installs the requirements when it is new or they have changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be started by an old python3
        sys.exit("vsegrader needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say("creating the virtual environment in .venv")
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256()
    for path in INSTALLED:
        digest.update(path.read_bytes())
    wanted = digest.hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    say("installing the requirements (first run only; takes a few minutes)")
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    run([*pip, "--require-hashes", "-r", str(REQUIREMENTS / "dev.txt")])
    run([*pip, "-r", str(REQUIREMENTS / "torch.txt")])
    run([*pip, "-e", str(ROOT / "client")])
    STAMP.write_text(wanted)


def run(command: list[str], **kwargs) -> None:
    result = subprocess.run(command, cwd=ROOT, **kwargs)
    if result.returncode != 0:
        sys.exit(result.returncode)


def manage(*args: str) -> None:
    run([str(PYTHON), "manage.py", *args])


def serve(args: list[str]) -> None:
    options = serve_options(args)
    var = Path(os.environ.get("VSEGRADER_VAR_DIR", ROOT / "var"))
    var.mkdir(parents=True, exist_ok=True)
    with single_instance(var):
        os.environ.update(serve_environment(var, debug=options.debug))
        manage("migrate", "--noinput")
        manage("collectstatic", "--noinput", "-v", "0")
        manage("loaddemo", "--scale", str(options.demo_scale))
        say("starting the site, a Celery worker and beat; Ctrl-C stops them all")
        supervisor = Supervisor(
            var / "serve.pids",
            [
                Program(
                    "worker",
                    [
                        str(BIN / "celery"),
                        "-A",
                        "vsegrader",
                        "worker",
                        "--queues",
                        "scoring,scoring-bulk,gpu",
                        "--concurrency",
                        "2",
                        "--loglevel",
                        "INFO",
                        "--without-mingle",
                        "--without-gossip",
                    ],
                ),
                Program(
                    "beat",
                    [
                        str(BIN / "celery"),
                        "-A",
                        "vsegrader",
                        "beat",
                        "--loglevel",
                        "INFO",
                        "--schedule",
                        str(var / "celerybeat-schedule"),
                    ],
                ),
                Program(
                    "site",
                    [
                        str(PYTHON),
                        "manage.py",
                        "runserver",
                        "--noreload",
                        f"127.0.0.1:{options.port}",
                    ],
                ),
            ],
        )
        say(f"open http://127.0.0.1:{options.port}/ (logins printed above)")
        supervisor.run()


def serve_options(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="dev.py serve")
    parser.add_argument("port", nargs="?", default="8000")
    parser.add_argument(
        "--demo-scale",
        type=float,
        default=1.0,
        help="fraction of the demo data to generate (tests use a small one)",
    )
    parser.add_argument("--debug", action="store_true", help="DEBUG on (never for a course)")
    return parser.parse_args(args)


def serve_environment(var: Path, *, debug: bool) -> dict[str, str]:
    """What `serve` adds to the environment of the site, the worker, beat and its manage.py
    commands: the data folder's keys (or those the environment gives), plain HTTP (the site
    listens on 127.0.0.1 only; SECURE_HTTPS would redirect to an HTTPS nobody serves), and
    DEBUG when asked for."""
    environment = {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or kept_key(var / "secret_key"),
        "PSEUDONYM_KEY": os.environ.get("PSEUDONYM_KEY") or pseudonym_key(var),
        "SECURE_HTTPS": os.environ.get("SECURE_HTTPS", "0"),
    }
    if debug:
        environment["DJANGO_DEBUG"] = "1"
    return environment


def pseudonym_key(var: Path) -> str:
    """The key of the students' pseudonyms, kept apart from SECRET_KEY so that a new secret
    key renames nobody. A folder that served a course before keys were kept named them with
    the SECRET_KEY of that time; it keeps that key, so every student keeps their name."""
    kept = var / "pseudonym_key"
    earlier = None
    if not kept.exists() and (var / "vsegrader.sqlite3").exists():
        earlier = os.environ.get("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
        say(f"keeping the pseudonyms this folder's students already have ({kept})")
    return kept_key(kept, first_value=earlier)


def kept_key(path: Path, first_value: str | None = None) -> str:
    """The key kept in `path`, readable by its owner only; made (random, or `first_value`)
    and written whole the first time."""
    kept = path.read_text(encoding="utf-8").strip() if path.exists() else ""
    if kept:
        path.chmod(0o600)
        return kept
    key = first_value or secrets.token_urlsafe(50)
    partial = path.with_name(path.name + ".tmp")
    partial.unlink(missing_ok=True)  # os.open keeps the mode of a file that exists
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    os.replace(partial, path)
    return key


@contextlib.contextmanager
def single_instance(var: Path):
    """One `dev.py serve` per data folder: a second one is refused; processes left behind by
    one that was killed (they would hold the port and write the same SQLite file) are
    stopped first."""
    lock_file = open(var / "serve.lock", "a+")  # noqa: SIM115 - held for the whole run
    try:
        fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock_file.seek(0)
        owner = lock_file.read().strip() or "unknown"
        sys.exit(
            f"[dev] another `dev.py serve` (pid {owner}) is already running on {var}; "
            "stop it first (Ctrl-C there), or set VSEGRADER_VAR_DIR to another folder."
        )
    lock_file.seek(0)
    lock_file.truncate()
    lock_file.write(str(os.getpid()))
    lock_file.flush()
    stop_leftovers(var / "serve.pids")
    try:
        yield
    finally:
        lock_file.close()


def stop_leftovers(pids_file: Path) -> None:
    for pid in read_pids(pids_file):
        if is_ours(pid):
            say(f"stopping process {pid} left behind by an earlier `dev.py serve`")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    pids_file.unlink(missing_ok=True)


def read_pids(pids_file: Path) -> list[int]:
    text = pids_file.read_text() if pids_file.exists() else ""
    return [int(word) for word in text.split() if word.isdigit()]


def is_ours(pid: int) -> bool:
    """A live process started from this checkout (its command line names our interpreter)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return str(VENV).encode() in command


@dataclasses.dataclass
class Program:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    started: float = 0.0
    restarts: int = 0


class Supervisor:
    """Keeps its programs running: one that exits is started again (after a pause that grows
    while it keeps failing), with one line saying what happened; the others go on."""

    STABLE_AFTER = 60.0  # seconds a program must run before its pause resets

    def __init__(self, pids_file: Path, programs: list[Program]):
        self.pids_file, self.programs = pids_file, programs
        self.stopping = False

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        for program in self.programs:
            self.start(program)
        try:
            while not self.stopping:
                self.check()
                time.sleep(0.5)
        finally:
            self.shutdown()

    def stop(self, *_) -> None:
        self.stopping = True

    def start(self, program: Program) -> None:
        # Children ignore Ctrl-C meant for this terminal's group; shutdown() stops them.
        program.process = subprocess.Popen(program.command, cwd=ROOT, start_new_session=True)
        program.started = time.monotonic()
        self.pids_file.write_text(
            " ".join(str(p.process.pid) for p in self.programs if p.process is not None)
        )

    def check(self) -> None:
        for program in self.programs:
            code = program.process.poll()
            if code is None or self.stopping:
                continue
            ran = time.monotonic() - program.started
            program.restarts = 0 if ran > self.STABLE_AFTER else program.restarts + 1
            pause = min(30.0, 2.0 ** (program.restarts - 2)) if program.restarts > 1 else 0.0
            say(
                f"{time.strftime('%Y-%m-%d %H:%M:%S')}: the {program.name} {exit_reason(code)} "
                f"after {ran:.0f} s; restarting it" + (f" in {pause:.0f} s" if pause else "")
            )
            self.pause(pause)
            if not self.stopping:
                self.start(program)

    def pause(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(0.2)

    def shutdown(self) -> None:
        # A second signal (e.g. from both `timeout` and its child) must not cut this short.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        running = [p.process for p in self.programs if p.process and p.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.pids_file.unlink(missing_ok=True)
        say("stopped")


def exit_reason(code: int) -> str:
    if code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with status {code}"


def test(args: list[str]) -> None:
    run([str(PYTHON), "-m", "pytest", *args])


def lint(args: list[str]) -> None:
    """Both checks run, so that one report shows every problem; either fails the command."""
    checked = subprocess.run([str(BIN / "ruff"), "check", ".", *args], cwd=ROOT)
    formatted = subprocess.run([str(BIN / "ruff"), "format", "--check", "."], cwd=ROOT)
    if checked.returncode or formatted.returncode:
        sys.exit(checked.returncode or formatted.returncode)


def lock(args: list[str]) -> None:
    """Resolves requirements/<role>.in into requirements/<role>.txt, every package pinned
    with the hashes of its files (pip-tools). Existing pins are kept unless the arguments
    say otherwise (--upgrade, --upgrade-package NAME). torch is resolved, so that what it
    needs is pinned, but left out of the files (--unsafe-package): see torch.txt."""
    env = {**os.environ, "CUSTOM_COMPILE_COMMAND": "python3 dev.py lock"}
    for role in LOCKS:
        compile_command = [
            *(str(BIN / "pip-compile"), "--quiet", "--generate-hashes", "--strip-extras"),
            *("--no-emit-index-url", "--no-emit-find-links", "--unsafe-package", "torch"),
            *("--output-file", f"requirements/{role}.txt", f"requirements/{role}.in", *args),
        ]
        run(compile_command, env=env)
    check_cpu_torch(REQUIREMENTS / "baselines.txt")
    say("requirements/*.txt updated; the next `dev.py test` or `serve` installs them")


def check_cpu_torch(locked: Path) -> None:
    """The lock must be made against PyTorch's CPU build: PyPI's Linux torch is the CUDA
    build, whose nvidia-* and triton packages would then be pinned for every machine."""
    cuda = sorted(
        {
            line.split("==")[0]
            for line in locked.read_text().splitlines()
            if line.startswith(("nvidia-", "triton"))
        }
    )
    if cuda:
        sys.exit(
            f"[dev] {locked.name} pins CUDA packages ({', '.join(cuda)}): torch was resolved "
            "to PyPI's CUDA build. Lock where pip finds the CPU build (a local wheel, or "
            "PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu)."
        )


COMMANDS = {"serve": serve, "test": test, "lint": lint, "lock": lock}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    ensure_environment()
    COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
