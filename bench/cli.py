"""The `vsegrader` command line's speed.

    .venv/bin/python bench/cli.py [--runs 5] [--rows 1250000]

All figures are the console script's wall time, process start to exit, against a local site
(runserver, a real Celery worker, SQLite + the embedded broker), as a student sees them.
check_30mb_s: `c submit` of a ~30 MB, 1.25M-row file that the local check refuses (every
id unknown, as in issue 15); server_30mb_s: the same file with `--skip-check --wait`, so
the server's verdict (upload, queue, validation); submit_wait_p50_s: a good 2,000-row file
with `--wait` (the first run downloads the sample file, the others find it cached);
list_s: `c list`; slowest_other_s: the slowest median of the other commands (files,
download, submissions, submission, status, leaderboard, config, --help). Each is a median
of --runs runs; the 30 MB runs alternate the check and the server's verdict, so that a busy
spell on a shared machine hits both. Earlier lines
give every run, how many pairs the check won, and the checks in process.

Last line: check_30mb_s=… server_30mb_s=… submit_wait_p50_s=… list_s=… slowest_other_s=…
"""

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.latency import start_worker  # noqa: E402
from bench.stack import embedded_env  # noqa: E402

SCRIPT = Path(sys.executable).parent / "vsegrader"
BIG_ROWS = 1_250_000


def big_files(folder: Path, rows: int) -> tuple[Path, Path]:
    solution = folder / "solution.csv"
    with open(solution, "w") as out:
        out.write("id,y,Usage\n")
        out.writelines(
            f"{i},{i * 0.001:.6f},{'Public' if i % 3 else 'Private'}\n" for i in range(rows)
        )
    submission = folder / "big.csv"
    with open(submission, "w") as out:
        out.write("id,y\n")
        out.writelines(f"{i + 10_000_000},{i * 0.00012345678:.12f}\n" for i in range(rows))
    return solution, submission


def time_checks(rows: int) -> tuple[float, float]:
    from vsegrader_client import checks

    from challenges.scoring import (
        SubmissionInvalid,
        SubmissionSpec,
        Target,
        load_solution,
        validate_submission,
    )

    with tempfile.TemporaryDirectory() as scratch:
        solution_path, path = big_files(Path(scratch), rows)
        print(f"file: {path.stat().st_size / 1e6:.1f} MB, {rows:,} rows")
        spec = SubmissionSpec("id", (Target("y", "float"),), "mse", rows)
        solution = load_solution(solution_path, spec)
        started = time.perf_counter()
        with contextlib.suppress(SubmissionInvalid):
            validate_submission(path, spec, solution)
        server = time.perf_counter() - started
        client_spec = checks.Spec("id", (checks.Target("y", "float"),), rows)
        ids = [str(i) for i in range(rows)]  # what the client reads from the sample file
        started = time.perf_counter()
        with contextlib.suppress(checks.FileRefused):
            checks.check_submission(path.read_bytes(), client_spec, ids)
        check = time.perf_counter() - started
        started = time.perf_counter()
        with contextlib.suppress(checks.FileRefused):  # the fallback without pyarrow
            checks.check_submission(path.read_bytes(), client_spec, ids, fast=False)
        print(f"in process: client check without pyarrow {time.perf_counter() - started:.2f} s")
    return check, server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def timed(argv: list[str], env: dict, cwd: Path, expect: int = 0) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [str(SCRIPT), *argv], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )
    elapsed = time.perf_counter() - started
    if result.returncode != expect:
        raise RuntimeError(f"vsegrader {' '.join(argv)}: {result.returncode} {result.stderr}")
    return elapsed


SETUP = """
from pathlib import Path
from django.contrib.auth import get_user_model
from challenges.bundles.importing import challenge_import
from challenges.bundles.reader import read_bundle
from bench.latency import write_bundle
from vsegrader.accounts.tokens import token_create
import os
challenge_import(bundle=read_bundle(write_bundle(Path(os.environ['VSEGRADER_VAR_DIR']))))
user = get_user_model().objects.create_user('bench', password='bench-pw-1')
print('TOKEN', token_create(user=user, name='bench')[1])
"""


def time_site(runs: int) -> tuple[float, float, float, float, float]:
    with tempfile.TemporaryDirectory(prefix="vsegrader-bench-") as var:
        env = embedded_env(var)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        out = subprocess.run(
            [*manage, "shell", "-c", SETUP],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        token = out.split("TOKEN ")[1].split()[0]
        port = free_port()
        site = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        worker = start_worker(env)
        try:
            return measure_commands(runs, port, token, Path(var))
        finally:
            for process in (site, worker):
                process.terminate()
                process.wait(timeout=30)


def measure_commands(runs: int, port: int, token: str, home: Path) -> tuple:
    env = {
        **os.environ,
        "HOME": str(home),
        "VSEGRADER_URL": f"http://127.0.0.1:{port}",
        "VSEGRADER_TOKEN": token,
    }
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            break
        except OSError:
            time.sleep(0.1)
    submission = home / "sub.csv"
    submission.write_text("id,y\n" + "".join(f"{i},{i * 0.0011:.6f}\n" for i in range(2000)))
    timed(["c", "list"], env, home)  # warms the site
    lists = [timed(["c", "list"], env, home) for _ in range(runs)]
    waits = [
        timed(
            ["c", "submit", "bench-1d", "-f", str(submission), "-m", "b", "--wait", "-q"], env, home
        )
        for _ in range(runs)
    ]
    others = time_other_commands(runs, env, home)
    _, big = big_files(home, BIG_ROWS)
    refuse = ["c", "submit", "bench-1d", "-f", str(big), "-m", "big", "-q"]
    checks, servers = [], []
    for _ in range(runs):  # alternated: a busy spell on a shared machine hits both
        checks.append(timed(refuse, env, home, expect=5))
        servers.append(timed([*refuse, "--skip-check", "--wait"], env, home, expect=5))
    won = sum(check <= server for check, server in zip(checks, servers, strict=True))
    print(
        "runs (s): "
        + "; ".join(
            f"{name} {' '.join(f'{t:.2f}' for t in times)}"
            for name, times in (
                ("list", lists),
                ("submit --wait", waits),
                ("check 30 MB", checks),
                ("server 30 MB", servers),
            )
        )
    )
    print(f"30 MB: the local check was no slower than the server in {won} of {runs} pairs")
    print("other commands (median s): " + ", ".join(f"{k} {v:.2f}" for k, v in others.items()))
    return (
        statistics.median(waits),
        statistics.median(lists),
        statistics.median(checks),
        statistics.median(servers),
        max(others.values()),
    )


OTHER_COMMANDS = {
    "files": ["c", "files", "bench-1d"],
    "download -f": ["c", "download", "bench-1d", "-f", "sample_submission.csv", "-p", "dl", "-o"],
    "download": ["c", "download", "bench-1d", "-p", "dl", "-o", "-q"],
    "submissions": ["c", "submissions", "bench-1d"],
    "submission": ["c", "submission", "1"],
    "status": ["c", "status", "bench-1d"],
    "leaderboard -s": ["c", "leaderboard", "bench-1d", "-s"],
    "leaderboard -d": ["c", "leaderboard", "bench-1d", "-d", "-p", "dl"],
    "config view": ["config", "view"],
    "--help": ["--help"],
}


def time_other_commands(runs: int, env: dict, home: Path) -> dict[str, float]:
    """The median wall time of every other command, run after the submits (so that the
    lists have rows)."""
    return {
        name: statistics.median(timed(argv, env, home) for _ in range(runs))
        for name, argv in OTHER_COMMANDS.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=1_250_000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vsegrader.settings")
    global BIG_ROWS
    BIG_ROWS = args.rows
    in_process_check, in_process_server = time_checks(args.rows)
    print(
        f"in process: client check {in_process_check:.2f} s, "
        f"server validation {in_process_server:.2f} s"
    )
    wait, listing, check, server, slowest_other = time_site(args.runs)
    print(
        f"check_30mb_s={check:.2f} server_30mb_s={server:.2f} "
        f"submit_wait_p50_s={wait:.2f} list_s={listing:.2f} slowest_other_s={slowest_other:.2f}"
    )


if __name__ == "__main__":
    main()
