"""Soak: the README's first command (`python3 dev.py serve`) under a class, for minutes.

It starts the embedded stack exactly as that command does (the same supervised site, Celery
worker and beat, SQLite and the filesystem broker) on a spare port in a folder of its own,
then drives STUDENTS simulated students at RATE uploads/s for MINUTES: they download data,
upload through the REST API (most) and the browser form, mark finals and read leaderboards,
while the beat runs. Midway it SIGKILLs the worker once and, separately, makes one queued
message file unreadable. At the end it reconciles every accepted submission against the
database and the worker's log: done (scored or failed) exactly once, none lost.

    .venv/bin/python bench/soak.py [--students 60] [--minutes 10] [--rate 5]
                                   [--demo-scale 1] [--requeue-after 60]

Latency is upload start → the row's `scored_at` (same machine, same clock). `site_down_s` is
the time the site did not answer a probe sent every 0.25 s.

Last line: minutes=… uploads=… scored_per_s=… p95_s=… worker_restarts=… lost=… duplicates=…
site_down_s=… errors=… (requests that did not get the answer a student expects)
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.stack import SCORED_LINE, ServeStack, percentile  # noqa: E402

RESTART_LINE = re.compile(r"\[dev\] .*: the worker .* restarting")
PASSWORD = "soak-student-pw-1"


PREPARE = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from challenges.models import Challenge
Challenge.objects.update(daily_limit=100000, total_limit=0)
User = get_user_model()
for i in range({students}):
    user = User.objects.create_user(f"soak{{i:03d}}", password="{password}")
    print("account", user.username, Token.objects.create(user=user).key)
print("slugs", *Challenge.objects.order_by("slug").values_list("slug", flat=True))
"""


def prepare(stack: ServeStack, students: int) -> tuple[list[tuple[str, str]], list[str]]:
    """Students with API tokens, and limits a deadline rush can't reach."""
    output = stack.manage("shell", "-c", PREPARE.format(students=students, password=PASSWORD))
    lines = [line.split() for line in output.splitlines() if line.strip()]
    slugs = next(line[1:] for line in lines if line[0] == "slugs")
    return [(line[1], line[2]) for line in lines if line[0] == "account"], slugs


# ---------------------------------------------------------------- the class


class Student:
    def __init__(self, base: str, username: str, token: str):
        self.username = username
        self.api = httpx.Client(
            base_url=base, timeout=60, headers={"Authorization": f"Token {token}"}
        )
        self.browser = httpx.Client(base_url=base, timeout=60)
        self.lock = threading.Lock()  # one action at a time, as one person
        self.logged_in = False
        self.samples: dict[str, bytes] = {}

    def sample(self, slug: str) -> bytes:
        """Downloads the challenge's sample submission (once), as a student starts."""
        if slug not in self.samples:
            detail = self.api.get(f"/api/challenges/{slug}/").raise_for_status().json()
            name = next(f["name"] for f in detail["files"] if "sample" in f["name"])
            response = self.api.get(f"/api/challenges/{slug}/files/{name}")
            response.raise_for_status()
            self.samples[slug] = response.content
        return self.samples[slug]

    def upload_api(self, slug: str, body: bytes, tag: str) -> int:
        response = self.api.post(
            f"/api/challenges/{slug}/submissions/",
            files={"file": ("submission.csv", body, "text/csv")},
            data={"description": tag},
        )
        return response.status_code

    def upload_form(self, slug: str, body: bytes, tag: str) -> int:
        self.login()
        page = self.browser.get(f"/challenges/{slug}/submissions/")
        response = self.browser.post(
            f"/challenges/{slug}/submissions/",
            data={"description": tag, "csrfmiddlewaretoken": csrf_token(page.text)},
            files={"file": ("submission.csv", body, "text/csv")},
            headers={"Referer": f"{self.browser.base_url}challenges/{slug}/submissions/"},
        )
        return 201 if response.status_code == 302 else response.status_code

    def login(self) -> None:
        if self.logged_in:
            return
        page = self.browser.get("/accounts/login/")
        self.browser.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf_token(page.text),
            },
            headers={"Referer": f"{self.browser.base_url}accounts/login/"},
        )
        self.logged_in = True

    def read_boards(self, slug: str) -> None:
        self.api.get(f"/api/challenges/{slug}/leaderboard/")
        self.login()
        self.browser.get(f"/challenges/{slug}/leaderboard/")

    def mark_final(self, slug: str) -> None:
        mine = self.api.get(f"/api/challenges/{slug}/submissions/").json()
        rows = mine.get("results", mine) if isinstance(mine, dict) else mine
        scored = [row for row in rows if row.get("status") == "scored"]
        if scored:
            pick = random.choice(scored)
            self.api.patch(f"/api/submissions/{pick['id']}/", json={"is_final": True})


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else ""


def variant(body: bytes, rng: random.Random, broken: bool) -> bytes:
    """The sample with its first data row's prediction changed, or a wrong header."""
    lines = body.decode().splitlines()
    if broken:
        return ("\n".join(["wrong,header", *lines[1:]]) + "\n").encode()
    rng.shuffle(lines[1:2])
    return ("\n".join(lines) + "\n").encode()


class Load:
    """Uploads at a steady rate, plus reads and final selections, from a pool of threads."""

    def __init__(self, students: list[Student], slugs: list[str], rate: float):
        self.students, self.slugs, self.rate = students, slugs, rate
        self.sent: dict[str, float] = {}  # description tag -> time.time() at upload start
        self.outcomes: collections.Counter = collections.Counter()
        self.errors: collections.Counter = collections.Counter()
        self.rng = random.Random(2023)

    def run(self, seconds: float, events: list[tuple[float, callable]]) -> None:
        started = time.monotonic()
        events = sorted(events, key=lambda e: e[0])
        with ThreadPoolExecutor(max_workers=24) as pool:
            for n in range(int(seconds * self.rate)):
                while events and time.monotonic() - started >= events[0][0]:
                    events.pop(0)[1]()
                time.sleep(max(0.0, started + n / self.rate - time.monotonic()))
                pool.submit(self.act, n)

    def act(self, n: int) -> None:
        student = self.students[n % len(self.students)]
        slug = self.slugs[(n // len(self.students)) % len(self.slugs)]
        try:
            with student.lock:
                self.upload(student, slug, n)
                if n % 3 == 0:
                    student.read_boards(slug)
                if n % 10 == 0:
                    student.mark_final(slug)
        except (httpx.HTTPError, ValueError, KeyError, StopIteration) as exc:
            self.errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1

    def upload(self, student: Student, slug: str, n: int) -> None:
        body = variant(student.sample(slug), random.Random(n), broken=n % 10 == 7)
        tag = f"soak {n}"
        self.sent[tag] = time.time()
        send = student.upload_form if n % 5 == 4 else student.upload_api
        status = send(slug, body, tag)
        self.outcomes[status] += 1
        if status != 201:
            self.errors[f"upload answered {status}"] += 1


class Prober(threading.Thread):
    """Asks the site for a page every 0.25 s; adds up the time it did not answer."""

    def __init__(self, stack: ServeStack):
        super().__init__(daemon=True)
        self.stack, self.down_s, self.stopped = stack, 0.0, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.25):
            if not self.stack.answers():
                self.down_s += 0.25


# ---------------------------------------------------------------- faults


def kill_worker(stack: ServeStack) -> None:
    pid = stack.worker_pid()
    print(f"soak: SIGKILL to the worker (pid {pid})", flush=True)
    os.kill(pid, signal.SIGKILL)


def spoil_one_message(stack: ServeStack) -> None:
    """Takes a queued submission's scoring message (as a consumer would), truncates it and
    puts it back: the worker must set it aside, and the requeue score the submission. The
    worker is paused (SIGSTOP) meanwhile, so that a message waits to be taken."""
    worker = stack.worker_pid()
    os.kill(worker, signal.SIGSTOP)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            name = spoil_a_queued_submission(stack.var / "broker")
            if name:
                print(f"soak: made {name} unreadable", flush=True)
                return
            time.sleep(0.05)
        print("soak: no submission's message came to spoil", flush=True)
    finally:
        os.kill(worker, signal.SIGCONT)


def spoil_a_queued_submission(broker: Path) -> str | None:
    for name in sorted(os.listdir(broker / "queue")):
        if name.partition(".")[2] not in ("scoring.msg", "scoring-bulk.msg"):
            continue
        held = broker / f"soak-{name}"
        try:
            os.rename(broker / "queue" / name, held)
        except FileNotFoundError:
            continue
        body = held.read_bytes()
        held.write_bytes(body[:20] if b"score_submission" in body else body)
        os.rename(held, broker / "queue" / name)
        if b"score_submission" in body:  # beat's own tasks go this way too
            return name
    return None


# ---------------------------------------------------------------- reconciliation


def reconcile(stack: ServeStack, load: Load, drain_s: float) -> dict:
    deadline = time.monotonic() + drain_s
    while True:
        rows = submission_rows(stack, load.sent)
        pending = [r for r in rows.values() if r[0] not in ("scored", "failed")]
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(1)
    logged = collections.Counter(int(m.group(1)) for m in SCORED_LINE.finditer(stack.log()))
    latencies = [
        parse_utc(scored_at) - load.sent[tag]
        for tag, (status, pk, scored_at) in rows.items()
        if scored_at
    ]
    return {
        "accepted": len(rows),
        "lost": sum(
            1
            for status, pk, _ in rows.values()
            if status not in ("scored", "failed") or logged[pk] == 0
        ),
        "duplicates": sum(1 for _, pk, _ in rows.values() if logged[pk] > 1),
        "failed": sum(1 for status, _, _ in rows.values() if status == "failed"),
        "latencies": latencies,
    }


def submission_rows(stack: ServeStack, sent: dict[str, float]) -> dict[str, tuple]:
    with stack.database() as db:
        found = db.execute(
            "SELECT description, status, id, scored_at FROM "
            "challenges_submission WHERE description LIKE 'soak %'"
        ).fetchall()
    return {tag: (status, pk, at) for tag, status, pk, at in found if tag in sent}


def parse_utc(text: str) -> float:
    """A timestamp as SQLite stores Django's UTC datetimes, in seconds since the epoch."""
    value = datetime.fromisoformat(text.replace(" ", "T"))
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=5, help="uploads per second")
    parser.add_argument("--demo-scale", type=float, default=1.0)
    parser.add_argument(
        "--requeue-after",
        type=int,
        default=60,
        help="REQUEUE_*_AFTER_SECONDS of the stack (the product's default: 60)",
    )
    parser.add_argument(
        "--no-faults",
        dest="faults",
        action="store_false",
        help="no killed worker, no spoiled message: for finding the highest sustained rate",
    )
    parser.add_argument("--var", type=Path, help="the stack's folder (default: a new one)")
    args = parser.parse_args()
    # Stopped from outside (timeout, kill): still stop the stack it started (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    var = args.var or Path(tempfile.mkdtemp(prefix="vsegrader-soak-"))
    var.mkdir(parents=True, exist_ok=True)
    stack = ServeStack(var, args.demo_scale, args.requeue_after)
    print(f"soak: starting `dev.py serve` on port {stack.port} in {var}", flush=True)
    stack.start()
    try:
        accounts, slugs = prepare(stack, args.students)
        students = [Student(stack.base, name, token) for name, token in accounts]
        seconds = args.minutes * 60
        load, prober = Load(students, slugs, args.rate), Prober(stack)
        prober.start()
        started = time.monotonic()
        faults = [
            (0.4 * seconds, lambda: kill_worker(stack)),
            (0.6 * seconds, lambda: spoil_one_message(stack)),
        ]
        load.run(seconds, faults if args.faults else [])
        elapsed = time.monotonic() - started
        books = reconcile(stack, load, drain_s=3 * args.requeue_after + 60)
        prober.stopped.set()
        report(stack, load, books, elapsed, prober.down_s)
    finally:
        stack.stop()


def report(stack: ServeStack, load: Load, books: dict, elapsed: float, down_s: float) -> None:
    for message, count in load.errors.most_common(8):
        print(f"soak: error x{count}: {message}")
    latencies = books["latencies"]
    restarts = len(RESTART_LINE.findall(stack.log()))
    set_aside = len(os.listdir(stack.var / "broker" / "unreadable"))
    print(
        f"soak: {sum(load.outcomes.values())} uploads sent ({dict(load.outcomes)}), "
        f"{books['accepted']} accepted, {books['failed']} failed validation as planned; "
        f"p50 {percentile(latencies, 50):.3f} s, max {max(latencies or [0]):.1f} s; "
        f"unreadable messages set aside: {set_aside}; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"minutes={elapsed / 60:.1f} uploads={books['accepted']} "
        f"scored_per_s={len(latencies) / elapsed:.2f} p95_s={percentile(latencies, 95):.3f} "
        f"worker_restarts={restarts} lost={books['lost']} duplicates={books['duplicates']} "
        f"site_down_s={down_s:.2f} errors={sum(load.errors.values())}",
        flush=True,
    )


if __name__ == "__main__":
    main()
