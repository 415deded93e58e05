"""Running a training command as a child process: line by line, with a time limit.

No Django here. The child gets its own process group, so that a timeout stops the data
loader processes it may have started too, and (on Linux) it dies with the worker process
that started it instead of training on as an orphan.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

STDERR_TAIL_LINES = 20
REASON_CHARS = 500
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Outcome:
    returncode: int
    timed_out: bool
    stderr_tail: list[str]  # the last lines the child wrote to stderr

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def reason(self, timeout: float) -> str:
        """Why it failed, in one line for the instructors; empty when it did not."""
        if self.timed_out:
            return f"Stopped after the time limit of {timeout:g} s (BASELINE_TIMEOUT_SECONDS)."
        if self.returncode < 0:
            return killed_reason(-self.returncode)
        if self.returncode > 0:
            last = self.stderr_tail[-1] if self.stderr_tail else "no message on stderr"
            return f"Training exited with code {self.returncode}: {last}"[:REASON_CHARS]
        return ""


def killed_reason(number: int) -> str:
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    hint = " (out of memory, or stopped by hand)" if number == signal.SIGKILL else ""
    return f"The training process was killed by {name}{hint}."


def run_lines(
    command: list[str],
    *,
    on_line: Callable[[str], None],
    timeout: float,
    cwd: Path | None = None,
    env: dict | None = None,
) -> Outcome:
    """Runs `command`, calling `on_line` with each line of its stdout as it comes."""
    expired = threading.Event()
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as stderr:
        with subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        ) as process:
            timer = threading.Timer(timeout, _expire, args=(process, expired))
            timer.start()
            try:
                for line in process.stdout:
                    on_line(line)
                returncode = process.wait()
            finally:
                timer.cancel()
                _kill_group(process)  # what it left behind (or the child itself after an error)
        stderr.seek(0)
        tail = [line.rstrip() for line in stderr.read().splitlines() if line.strip()]
    return Outcome(returncode, expired.is_set(), tail[-STDERR_TAIL_LINES:])


def _expire(process: subprocess.Popen, expired: threading.Event) -> None:
    expired.set()
    _kill_group(process)


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def process_alive(pid: int) -> bool:
    """Whether a process of this machine still runs (a zombie, dead but not reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):  # no /proc: trust kill()
        return True


def _load_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()  # looked up here: the forked child should import nothing


def _die_with_parent() -> None:
    """Runs in the child before exec: ask Linux to SIGKILL it when its parent dies."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)
