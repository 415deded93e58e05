"""What `vsegrader c submit` of a large file starts before anything else: a second process
that imports pyarrow (0.2-0.3 s, as long as the check itself) and checks the file
(vsegrader_client/checker.py), and a thread that reads the file for the upload, while the
command line loads its modules and asks the server about the challenge.

Imported first by vsegrader_client/cli.py, so it imports only the standard library; the
file's name is picked from the raw arguments (argparse is not loaded yet). Where that finds
nothing, vsegrader_client/submitting.py starts it once the arguments are parsed. Where no
process can be started, pyarrow is imported in the thread instead.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import threading
from collections.abc import Sequence

# From this size pyarrow's check, import included, beats plain Python's (vsegrader_client.checks)
FAST_FROM_BYTES = 4 << 20


class Warmup:
    """The file's bytes, read in the background, and the process checking it."""

    def __init__(self, path: str):
        self.path = path
        self.where = os.path.abspath(path)
        self.data: bytes | None = None
        self.read_done = threading.Event()
        self.checker = start_checker(path)
        self.checker_taken = False
        self.thread = threading.Thread(target=self._run, daemon=True, name="vsegrader-warmup")

    def _run(self) -> None:
        try:
            with contextlib.suppress(OSError, ValueError), open(self.path, "rb") as handle:
                self.data = handle.read()  # an error: read_submission says why
        finally:
            self.read_done.set()
        if self.checker is None:
            import_fast_check()  # the check then runs in this process

    def is_for(self, path: str) -> bool:
        return os.path.abspath(path) == self.where

    def take_bytes(self) -> bytes | None:
        """The bytes read in the background (given once: the caller keeps them)."""
        self.read_done.wait()
        data, self.data = self.data, None
        return data

    def take_checker(self):
        """The checking process (given once), or None."""
        if self.checker_taken:
            return None
        self.checker_taken = True
        return self.checker

    def discard(self) -> None:
        """Ends the checking process if nobody asked it (the command ended before its
        check), and collects its exit status."""
        checker = self.checker
        if checker is None:
            return
        with contextlib.suppress(OSError):
            checker.kill()  # nothing happens to one that has ended
        with contextlib.suppress(OSError, ValueError):
            checker.stdin.close()
            checker.stdout.close()
            checker.wait()


# sys.path[0] is the working folder under -c: the package's own folder replaces it, so
# that a student's pyarrow.py or csv.py there is not imported instead
CHECKER = (
    "import sys; root = sys.argv.pop(1); "
    "sys.path[:1] = [root] if sys.path[:1] == [''] else [root, *sys.path[:1]]; "
    "from vsegrader_client.checker import main; main(sys.argv[1])"
)


def start_checker(path: str):
    """A Popen of vsegrader_client/checker.py checking `path`; None if none can start, or
    if no processor is spare (see `spare_processor`)."""
    if not spare_processor() or not sys.executable or not os.path.isfile(path):
        return None
    import subprocess

    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        return subprocess.Popen(
            [sys.executable, "-c", CHECKER, package_root, path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # its failures are told by its missing answer
            env=checker_environment(),
        )
    except (OSError, ValueError):
        return None


def checker_environment() -> dict[str, str]:
    """The command's environment, with numpy's BLAS on one thread unless the student chose:
    the check does no linear algebra, and OpenBLAS starts a thread per core when numpy is
    imported (0.08 s of processor time, taken from the command line beside it)."""
    return {"OPENBLAS_NUM_THREADS": "1", **os.environ}


def spare_processor() -> bool:
    """Whether a processor is likely idle for the checking process. It pays off only beside
    the command line: taking turns with it on a busy machine, it only adds its own start-up
    and a second read of the file, and the check in this process is as quick. (A refused
    30 MB submit on 2 cores, medians of 7: idle, 0.46 s with it and 0.69 s without; with
    a busy loop on each core, 0.91 s and 0.84 s.)"""
    count = os.cpu_count() or 1
    running = running_now()
    if running is not None:
        return running < count  # this command is one of them
    try:
        load = os.getloadavg()[0]  # processes running or waiting, over the last minute
    except (AttributeError, OSError):  # Windows has no load average
        return count > 1
    return load <= count - 1


def running_now(loadavg: str = "/proc/loadavg") -> int | None:
    """How many threads are running or ready to run at this moment, this one included
    (Linux); None where the system does not say. The load average lags by a minute: after
    a busy minute, the site a student runs locally had it above 1 on an idle machine."""
    try:
        with open(loadavg, encoding="ascii") as handle:
            return int(handle.read().split()[3].partition("/")[0])
    except (OSError, ValueError, IndexError):
        return None


STARTED: list[Warmup] = []  # the command's, at most one


def start_for_arguments(argv: Sequence[str]) -> None:
    """For `... submit ... -f FILE`, start the warm-up (see `start`)."""
    path = submitted_file(argv)
    if path is not None:
        start(path)


def start(path: str) -> None:
    """For a file that pyarrow will check, start checking it in a second process and
    reading it in a thread, unless already started or pyarrow is not installed."""
    if STARTED or file_size(path) < FAST_FROM_BYTES or not has_pyarrow():
        return
    warmup = Warmup(path)
    STARTED.append(warmup)
    warmup.thread.start()


def take_bytes(path: str) -> bytes | None:
    """`path`'s bytes if the warm-up read them, else None (read them yourself)."""
    return STARTED[0].take_bytes() if STARTED and STARTED[0].is_for(path) else None


def take_checker(path: str):
    """The process checking `path` (see vsegrader_client.checker.verdict), or None."""
    return STARTED[0].take_checker() if STARTED and STARTED[0].is_for(path) else None


def finish() -> None:
    """Forgets the command's warm-up (a process may run several commands: the tests)."""
    while STARTED:
        STARTED.pop().discard()


def submitted_file(argv: Sequence[str]) -> str | None:
    """FILE of `submit ... -f FILE` (or --file FILE, --file=FILE, -fFILE) when the file
    will be checked; None otherwise, or when unsure (argparse decides later)."""
    argv = list(argv)
    if "submit" not in argv or "--skip-check" in argv:
        return None
    for index, argument in enumerate(argv[argv.index("submit") + 1 :], argv.index("submit") + 1):
        if argument in ("-f", "--file"):
            return argv[index + 1] if index + 1 < len(argv) else None
        if argument.startswith("--file="):
            return argument[len("--file=") :]
        if argument.startswith("-f") and not argument.startswith("--"):
            return argument[2:]
    return None


def file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except (OSError, ValueError):
        return 0


def has_pyarrow() -> bool:
    """Whether pyarrow and numpy are installed; asked without importing them."""
    try:
        return all(importlib.util.find_spec(name) for name in ("numpy", "pyarrow"))
    except (ImportError, ValueError):
        return False


def import_fast_check() -> None:
    """Imports what the check with pyarrow needs. For the command line only: pyarrow is kept
    from importing pandas in this process."""
    with contextlib.suppress(ImportError):
        import pyarrow

        import vsegrader_client.format.check  # noqa: F401

        if "pandas" in sys.modules:
            return
        sys.meta_path.insert(0, WITHOUT_PANDAS)
        try:
            pyarrow.array([0])  # pyarrow looks for pandas here once, and remembers
        finally:
            sys.meta_path.remove(WITHOUT_PANDAS)


class WithoutPandas:
    """pyarrow imports pandas, if installed, on its first `pyarrow.array` call, to recognise
    DataFrames: 0.2-0.6 s, as long as the check of a 30 MB file. The command line's check
    passes none, so while pyarrow looks, pandas is not found. (A finder on sys.meta_path
    need not subclass importlib.abc.MetaPathFinder, which takes 0.02 s to import.)"""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError("not needed by the command line", name=name)
        return None


WITHOUT_PANDAS = WithoutPandas()
