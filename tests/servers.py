"""Private servers and processes for fault tests: a redis-server and a PostgreSQL cluster on
spare ports (a test may stop or restart them without touching the shared ones), a gunicorn
web process, and killing a process tree the way the kernel's OOM killer or `docker kill` do.

No Django here: the tests drive these through subprocesses and their environment."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REDIS_SERVER = shutil.which("redis-server")
RUNUSER = shutil.which("runuser", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
PG_BIN = next(
    (
        Path(folder)
        for folder in ("/usr/local/bin", "/usr/lib/postgresql/15/bin")
        if (Path(folder) / "initdb").exists()
    ),
    None,
)
if os.geteuid() == 0 and RUNUSER is None:
    PG_BIN = None  # root can run PostgreSQL only through runuser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], what: str, timeout: float = 30, every=0.05):
    """Polls `condition` until it returns something true (returned), or fails saying `what`."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


# --- processes ------------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, children first (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in map(int, (task / "children").read_text().split()):
                found += [child, *descendants(child)]
    return found


def kill_tree(pid: int, *, spare: set[int] = frozenset()) -> None:
    """SIGKILLs a process and everything below it (except `spare`), as a container kill."""
    for victim in [pid, *descendants(pid)]:
        if victim not in spare:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)


def kill_if_running(pid: int, marker: str) -> None:
    """SIGKILLs `pid` if it still runs a command line containing `marker` (not a reused pid)."""
    with contextlib.suppress(OSError):
        if marker in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
            os.kill(pid, signal.SIGKILL)


class LoggedProcess:
    """A subprocess whose merged output is collected in `log`, line by line."""

    def __init__(self, command: list[str], env: dict, cwd: Path = ROOT):
        self.log: list[str] = []
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.log.append(line)


# --- Redis ----------------------------------------------------------------------------------


class RedisServer:
    """A throwaway redis-server without persistence; stop() and start() keep its port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        command = [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            tempfile.gettempdir(),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for(lambda: port_open(self.port), f"redis-server on port {self.port}", 10)
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        self.process.wait(timeout=10)
        wait_for(lambda: not port_open(self.port), "redis-server to stop", 10)

    def client(self):
        import redis

        return redis.Redis(port=self.port)

    def publish(self, task: str, ids: list[int], *, queue: str) -> None:
        """Sends `task(id)` for each id straight to this broker, as the web process would."""
        from celery import Celery

        app = Celery("fault-tests", set_as_current=False)
        # The URL given here: CELERY_BROKER_URL in the environment would win over the app's.
        with app.connection_for_write(self.url) as connection:
            assert connection.port == self.port, connection.as_uri()
            for pk in ids:
                app.send_task(task, args=[pk], queue=queue, connection=connection)

    def unacked(self) -> dict[str, str]:
        """Messages delivered and not acknowledged yet, as {delivery tag: task id} (kombu keeps
        them in the `unacked` hash until the ack, or until it restores a dead consumer's)."""
        return {
            tag.decode(): json.loads(payload)[0]["headers"]["id"]
            for tag, payload in self.client().hgetall("unacked").items()
        }

    def restore(self, tags: list[str]) -> None:
        """Puts unacknowledged messages back in their queue, as kombu does once the
        visibility timeout (an hour here) has passed."""
        from kombu import Connection

        with Connection(self.url) as connection:
            for tag in tags:
                connection.default_channel.qos.restore_by_tag(tag)


# --- PostgreSQL -----------------------------------------------------------------------------


def as_postgres(command: list) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the `postgres` user then."""
    command = [str(part) for part in command]
    return [RUNUSER, "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    """A throwaway PostgreSQL cluster (trust auth, no fsync) with one database."""

    def __init__(self, database: str = "vsegrader"):
        self.port = free_port()
        self.database = database
        self.dir = Path(tempfile.mkdtemp(prefix="vsegrader-pg-"))
        self.data = self.dir / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> "PostgresServer":
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        if not self.data.exists():
            self._run(
                [
                    PG_BIN / "initdb",
                    "-D",
                    self.data,
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            )
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            [
                PG_BIN / "pg_ctl",
                "-D",
                self.data,
                "-l",
                self.dir / "log",
                "-w",
                "-o",
                options,
                "start",
            ]
        )
        return self

    def create_database(self) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{self.database}"')

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run([PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop"])

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def _run(self, command: list) -> None:
        subprocess.run(as_postgres(command), check=True, capture_output=True, timeout=60)


# --- the web --------------------------------------------------------------------------------


class WebProcess(LoggedProcess):
    """`gunicorn vsegrader.wsgi` on a spare port, one sync worker."""

    def __init__(self, env: dict):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "vsegrader.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "1",
            "--timeout",
            "60",
        ]
        super().__init__(command, env)

    def wait_ready(self, timeout: float = 30) -> "WebProcess":
        def up() -> bool:
            if self.process.poll() is not None:
                raise AssertionError("gunicorn exited:\n" + "".join(self.log[-40:]))
            return port_open(self.port)

        wait_for(up, "gunicorn to listen", timeout)
        return self

    def client(self, token: str):
        import httpx

        headers = {"Authorization": f"Token {token}"}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)
