"""End-to-end load: a class submitting near a deadline, through the whole production stack.

gunicorn, Celery scoring workers, Redis (broker and cache) and PostgreSQL on this machine;
CLIENTS concurrent REST clients upload 2,000-row submissions to the five challenges for
SECONDS, each waiting for its score like `vsegrader competitions submit --wait` before it
uploads again. An observer reads the statuses straight from PostgreSQL every 10 ms, so the
latency is upload start → scored, and polling adds no load to the site.

    .venv/bin/python bench/e2e.py [--clients 10] [--seconds 60] [--web-workers 2]
                                  [--scoring-workers 2]

Needs PostgreSQL (postgres@127.0.0.1:5432, trust; database vsegrader_e2e is recreated) and
Redis (127.0.0.1:6379, databases 12 and 13 are flushed). Reconciliation at the end: every
accepted submission is in the database, scored, and was scored exactly once (each committed
scoring logs one `Scored submission <id>` line in the worker's log).

Last line: scored_per_s=… p50_s=… p95_s=… p99_s=… errors=… lost=… duplicates=…
"""

from __future__ import annotations

import argparse
import collections
import itertools
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.stack import (  # noqa: E402
    ROOT,
    SCORED_LINE,
    Stack,
    flush_redis,
    fresh_database,
    gunicorn_command,
    percentile,
    reachable,
    worker_command,
)

PG_URL = "postgres://postgres@127.0.0.1:5432/vsegrader_e2e"
BROKER_URL = "redis://127.0.0.1:6379/13"
CACHE_URL = "redis://127.0.0.1:6379/12"
SLUGS = ("fitting-1d", "fitting-5d", "glasses", "mics-mnist", "sword-video")
ROWS = 2000
DAILY_LIMIT = 5  # the demo challenges' own limit: each student uploads 5 per challenge


# ---------------------------------------------------------------- setup (run in a child)


def bench_bundles(folder: Path) -> list[Path]:
    """The five demo challenges (same metrics, targets, limits), with 2,000 test rows each:
    built at a tiny scale, then given a 2,000-row solution and sample submission."""
    from demo.bundles import build_demo_bundles

    folders = build_demo_bundles(folder, scale=0.02, workers=1)
    for bundle in folders:
        widen_bundle(bundle)
    return folders


def widen_bundle(bundle: Path) -> None:
    rng = random.Random(bundle.name)
    toml = (bundle / "challenge.toml").read_text()
    toml = re.sub(r'^deadline = ".*"$', 'deadline = "2099-01-01T17:00:00+01:00"', toml, flags=re.M)
    (bundle / "challenge.toml").write_text(toml)
    header = (bundle / "solution.csv").read_text().splitlines()[0].split(",")
    id_column, targets = header[0], header[1:-1]
    ids = [f"clip_{i:05d}.avi" if bundle.name == "sword-video" else str(i) for i in range(ROWS)]
    labels = label_set(toml)
    public = set(rng.sample(range(ROWS), round(0.3 * ROWS)))
    solution = [",".join(header)] + [
        ",".join(
            [row_id, *(value(rng, labels) for _ in targets), "Public" if i in public else "Private"]
        )
        for i, row_id in enumerate(ids)
    ]
    (bundle / "solution.csv").write_text("\n".join(solution) + "\n")
    sample = [",".join([id_column, *targets])] + [
        ",".join([row_id, *(labels[0] if labels else "0" for _ in targets)]) for row_id in ids
    ]
    (bundle / "public" / "sample_submission.csv").write_text("\n".join(sample) + "\n")
    for leftover in ("test.csv", "test"):  # test inputs of the tiny build no longer match
        path = bundle / "public" / leftover
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def label_set(toml: str) -> list[str]:
    found = re.search(r"^labels = \[(.*)\]$", toml, flags=re.M)
    return re.findall(r'"([^"]*)"', found.group(1)) if found else []


def value(rng: random.Random, labels: list[str]) -> str:
    return rng.choice(labels) if labels else f"{rng.gauss(0, 1):.6f}"


def setup_site(var: Path, students: int) -> None:
    """Imports the challenges and creates the students with API tokens (Django, in a child
    process configured by the environment)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from challenges.bundles.importing import challenge_import
    from challenges.bundles.reader import read_bundle

    for bundle in bench_bundles(var / "bundles"):
        challenge_import(bundle=read_bundle(bundle))
        shutil.copy(bundle / "public" / "sample_submission.csv", var / f"{bundle.name}.csv")
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"student{i:04d}", password="!") for i in range(students)
    )
    tokens = Token.objects.bulk_create(Token(user=user, key=Token.generate_key()) for user in users)
    (var / "tokens.txt").write_text("\n".join(token.key for token in tokens) + "\n")


# ---------------------------------------------------------------- the stack


def stack_env(var: Path) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vsegrader.settings",
        "DATABASE_URL": PG_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "CACHE_URL": CACHE_URL,
        "VSEGRADER_VAR_DIR": str(var),
        "VSEGRADER_API_RATE": "",  # measure the pipeline, not the per-user throttle
        "SUBMISSION_UPLOAD_RATE": "",  # nor the per-student upload pace
        "DEBUG": "0",
        "SECRET_KEY": "e2e-bench-secret-key-not-for-production-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    return env


# ---------------------------------------------------------------- the load


@dataclass
class Upload:
    started: float
    submission_id: int | None = None
    done: float | None = None
    status: str = ""
    error: str = ""
    event: threading.Event = field(default_factory=threading.Event)


class Observer(threading.Thread):
    """Reads the statuses of submissions in flight from PostgreSQL every 10 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.pending: dict[int, Upload] = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def watch(self, upload: Upload) -> None:
        with self.lock:
            self.pending[upload.submission_id] = upload

    def run(self) -> None:
        with psycopg.connect(PG_URL.replace("postgres://", "postgresql://"), autocommit=True) as db:
            while not self.stopped.is_set():
                with self.lock:
                    ids = list(self.pending)
                if ids:
                    self.settle(
                        db.execute(
                            "SELECT id, status FROM challenges_submission WHERE id = ANY(%s) "
                            "AND status IN ('scored', 'failed')",
                            [ids],
                        ).fetchall()
                    )
                time.sleep(0.01)

    def settle(self, rows) -> None:
        now = time.perf_counter()
        with self.lock:
            for submission_id, status in rows:
                upload = self.pending.pop(submission_id)
                upload.done, upload.status = now, status
                upload.event.set()


def submission_bodies(var: Path) -> dict[str, list[bytes]]:
    """Four different predictions per challenge, each a full 2,000-row file."""
    bodies = {}
    for slug in SLUGS:
        lines = (var / f"{slug}.csv").read_text().splitlines()
        header = lines[0].split(",")
        labels = label_set((var / "bundles" / slug / "challenge.toml").read_text())
        variants = []
        for seed in range(4):
            rng = random.Random(seed)
            rows = [
                ",".join([line.split(",")[0], *(value(rng, labels) for _ in header[1:])])
                for line in lines[1:]
            ]
            variants.append(("\n".join([lines[0], *rows]) + "\n").encode())
        bodies[slug] = variants
    return bodies


def client_loop(
    base: str, tokens: list[str], bodies, counter, stop_at: float, observer, uploads: list[Upload]
) -> None:
    with httpx.Client(base_url=base, timeout=60) as http:
        while time.perf_counter() < stop_at:
            n = next(counter)
            # Consecutive uploads come from different students, as in a class; each student
            # sends DAILY_LIMIT files to each challenge before any student needs a sixth.
            token = tokens[n % len(tokens)]
            slug = SLUGS[n // len(tokens) % len(SLUGS)]
            upload = Upload(started=time.perf_counter())
            uploads.append(upload)
            try:
                response = http.post(
                    f"/api/challenges/{slug}/submissions/",
                    headers={"Authorization": f"Token {token}"},
                    files={"file": ("submission.csv", bodies[slug][n % 4], "text/csv")},
                    data={"description": f"load {n}"},
                )
            except httpx.HTTPError as exc:
                upload.error = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code != 201:
                upload.error = f"HTTP {response.status_code}: {response.text[:200]}"
                continue
            upload.submission_id = response.json()["id"]
            observer.watch(upload)
            if not upload.event.wait(60):
                upload.error = "not scored within 60 s"


def run_load(stack: Stack, clients: int, seconds: float) -> tuple[list[Upload], float]:
    tokens = (stack.var / "tokens.txt").read_text().split()
    bodies = submission_bodies(stack.var)
    observer = Observer()
    observer.start()
    uploads: list[Upload] = []
    counter = itertools.count()
    started = time.perf_counter()
    threads = [
        threading.Thread(
            target=client_loop,
            args=(
                f"http://127.0.0.1:{stack.port}",
                tokens,
                bodies,
                counter,
                started + seconds,
                observer,
                uploads,
            ),
        )
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    observer.stopped.set()
    observer.join()
    return uploads, elapsed


# ---------------------------------------------------------------- reconciliation


def reconcile(stack: Stack, uploads: list[Upload]) -> dict[str, int]:
    accepted = {u.submission_id for u in uploads if u.submission_id is not None}
    with psycopg.connect(PG_URL.replace("postgres://", "postgresql://")) as db:
        statuses = dict(
            db.execute(
                "SELECT id, status FROM challenges_submission WHERE id = ANY(%s)", [list(accepted)]
            ).fetchall()
        )
    log = (stack.var / "worker.log").read_text()
    scorings = collections.Counter(int(match.group(1)) for match in SCORED_LINE.finditer(log))
    lost = sum(1 for pk in accepted if statuses.get(pk) != "scored" or scorings[pk] == 0)
    duplicates = sum(1 for pk in accepted if scorings[pk] > 1)
    return {
        "accepted": len(accepted),
        "lost": lost,
        "duplicates": duplicates,
        "failed": sum(1 for status in statuses.values() if status == "failed"),
    }


def report(uploads: list[Upload], elapsed: float, books: dict[str, int], cpu) -> None:
    latencies = [u.done - u.started for u in uploads if u.done is not None and u.status == "scored"]
    errors = [u.error for u in uploads if u.error] + ["failed"] * books["failed"]
    for message, count in collections.Counter(errors).most_common(5):
        print(f"error x{count}: {message}")
    scored_per_s = len(latencies) / elapsed
    print(
        f"uploads sent {len(uploads)}, accepted {books['accepted']}, scored {len(latencies)} "
        f"in {elapsed:.1f} s; latency mean {statistics.fmean(latencies or [0]):.3f} s, "
        f"max {max(latencies or [0]):.3f} s"
    )
    per_upload = ", ".join(
        f"{name} {seconds / max(1, len(uploads)) * 1000:.1f} ms" for name, seconds in cpu.items()
    )
    print(f"CPU per upload: {per_upload}; machine load average {os.getloadavg()[0]:.1f}")
    print(
        f"scored_per_s={scored_per_s:.1f} p50_s={percentile(latencies, 50):.3f} "
        f"p95_s={percentile(latencies, 95):.3f} p99_s={percentile(latencies, 99):.3f} "
        f"errors={len(errors)} lost={books['lost']} duplicates={books['duplicates']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--scoring-workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the logs' folder")
    parser.add_argument("--setup", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--students", type=int, default=400)
    args = parser.parse_args()
    if args.setup:
        setup_site(args.setup, args.students)
        return
    if not (reachable(5432) and reachable(6379)):
        sys.exit("bench/e2e.py needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379")
    var = Path(tempfile.mkdtemp(prefix="vsegrader-e2e-"))
    fresh_database("vsegrader_e2e")
    flush_redis(BROKER_URL, CACHE_URL)
    env = stack_env(var)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [sys.executable, __file__, "--setup", str(var), "--students", str(args.students)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    stack = Stack(var, env)
    stack.start(
        gunicorn_command(stack.port, args.web_workers),
        worker_command(concurrency=args.scoring_workers),
    )
    try:
        print(f"pids web={stack.processes[0].pid} worker={stack.processes[1].pid}")
        print(
            f"{args.clients} clients for {args.seconds:.0f} s; gunicorn {args.web_workers} "
            f"workers, Celery {args.scoring_workers} scoring processes; logs in {var}"
        )
        cpu_before, client_before = stack.cpu_seconds(), time.process_time()
        uploads, elapsed = run_load(stack, args.clients, args.seconds)
        cpu = {name: used - cpu_before[name] for name, used in stack.cpu_seconds().items()}
        cpu["clients"] = time.process_time() - client_before
    finally:
        stack.stop()
    books = reconcile(stack, uploads)
    if not args.keep:
        shutil.rmtree(var, ignore_errors=True)
    report(uploads, elapsed, books, cpu)


if __name__ == "__main__":
    main()
