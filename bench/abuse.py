"""One student's junk at the API limit while 20 honest students submit, through the real stack.

gunicorn, a Celery worker consuming `scoring` and `scoring-bulk` (with beat: the requeue and
the purge of failed files), PostgreSQL and Redis on this machine. Two phases, each on a fresh
database: "quiet" (the honest students alone) and "attack" (the same, plus one student sending
junk CSVs that fail validation to all five challenges at the API's rate, 120 requests/min).
Honest students upload a valid 2,000-row file, wait for its score like `--wait` does, think a
few seconds and upload again; an observer reads statuses from PostgreSQL every 10 ms, so the
latency is upload start → scored.

    .venv/bin/python bench/abuse.py [--seconds 40] [--upload-rate 10/min] [--junk-mb 9]
                                    [--bulk-queue scoring-bulk]

The site runs with the settings this change asks for (SUBMISSION_UPLOAD_RATE,
SCORING_BULK_QUEUE = "scoring-bulk", FAILED_FILE_RETENTION_HOURS = 24, the purge's beat
entry), from a settings module written next to the logs. Needs PostgreSQL
(postgres@127.0.0.1:5432; database vsegrader_abuse is recreated) and Redis (127.0.0.1:6379;
databases 10 and 11 are flushed).

disk_mb_per_student_day is the bound the limits put on what one student can store in a day:
five challenges × (daily limit + failed cap) × the file size limit, or fewer where the upload
rate allows fewer; failed files leave again after the retention period.

Last line: honest_p95_s=… quiet_p95_s=… ratio=… disk_mb_per_student_day=… attacker_accepted=…
attacker_refused=… attacker_stored_mb=… lost=…
"""

from __future__ import annotations

import argparse
import collections
import itertools
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.stack import (  # noqa: E402
    ROOT,
    Stack,
    flush_redis,
    fresh_database,
    gunicorn_command,
    percentile,
    reachable,
    worker_command,
)

PG_URL = "postgresql://postgres@127.0.0.1:5432/vsegrader_abuse"
BROKER_URL, CACHE_URL = "redis://127.0.0.1:6379/11", "redis://127.0.0.1:6379/10"
SLUGS = tuple(f"abuse-{n}" for n in range(1, 6))
ROWS, DAILY, FAILED_CAP, MAX_MB = 2000, 5, 20, 10
HONEST = 20
ATTACK_INTERVAL = 0.5  # 120 requests a minute: the API's per-user throttle
SETTINGS = """from vsegrader.settings import *  # noqa
from datetime import timedelta
SUBMISSION_UPLOAD_RATE = {rate!r}
SCORING_BULK_QUEUE = {bulk!r}
FAILED_FILE_RETENTION_HOURS = 24
CELERY_BEAT_SCHEDULE = {{**CELERY_BEAT_SCHEDULE, "purge-failed-submission-files": {{
    "task": "challenges.tasks.purge_failed_files", "schedule": timedelta(hours=1)}}}}
"""


# ---------------------------------------------------------------- setup (run in a child)


def write_bundle(root: Path, slug: str) -> Path:
    bundle = root / slug
    (bundle / "public").mkdir(parents=True)
    (bundle / "challenge.toml").write_text(
        f'slug = "{slug}"\ntitle = "Abuse {slug}"\nmetric = "mse"\n'
        'deadline = "2099-01-01T00:00:00+01:00"\nid_column = "id"\n'
        '[[targets]]\nname = "y"\ntype = "float"\n'
        f"[limits]\ndaily = {DAILY}\nfailed_daily = {FAILED_CAP}\nmax_file_mb = {MAX_MB}\n"
    )
    (bundle / "description.md").write_text("bench\n")
    usage = ["Public" if i % 10 < 3 else "Private" for i in range(ROWS)]
    solution = "".join(f"{i},{i * 0.001:.6f},{u}\n" for i, u in enumerate(usage))
    (bundle / "solution.csv").write_text("id,y,Usage\n" + solution)
    sample = "".join(f"{i},0\n" for i in range(ROWS))
    (bundle / "public" / "sample_submission.csv").write_text("id,y\n" + sample)
    return bundle


def setup_site(var: Path) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from challenges.bundles.importing import challenge_import
    from challenges.bundles.reader import read_bundle
    from challenges.models import Challenge
    from vsegrader.permissions import instructor_lookup

    for slug in SLUGS:
        challenge_import(bundle=read_bundle(write_bundle(var / "bundles", slug)))
    Challenge.objects.update(failed_daily_limit=FAILED_CAP)  # as the bundle's [limits] says
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"student{i:02d}", password="!") for i in range(HONEST + 1)
    )
    users.append(
        get_user_model().objects.create(username="warmup", **{instructor_lookup(): True})
    )  # no limits
    tokens = Token.objects.bulk_create(Token(user=u, key=Token.generate_key()) for u in users)
    (var / "tokens.txt").write_text("\n".join(t.key for t in tokens) + "\n")
    (var / "attacker.txt").write_text(str(users[HONEST].pk))


# ---------------------------------------------------------------- the stack


def stack_env(var: Path, rate: str, bulk: str) -> dict:
    (var / "abuse_settings.py").write_text(SETTINGS.format(rate=rate, bulk=bulk))
    return {
        **os.environ,
        "PYTHONPATH": f"{var}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "abuse_settings",
        "VSEGRADER_VAR_DIR": str(var),
        "DATABASE_URL": PG_URL.replace("postgresql://", "postgres://"),
        "CELERY_BROKER_URL": BROKER_URL,
        "CACHE_URL": CACHE_URL,
        "DEBUG": "0",
        "SECRET_KEY": "abuse-bench-secret-key-not-for-production-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "PYTHONUNBUFFERED": "1",
    }


# ---------------------------------------------------------------- the load


class Observer(threading.Thread):
    """Records when each watched submission reaches a final status (PostgreSQL, 10 ms)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.started: dict[int, float] = {}
        self.done: dict[int, tuple[float, str]] = {}
        self.lock, self.stopped = threading.Lock(), threading.Event()

    def watch(self, pk: int, started: float) -> None:
        with self.lock:
            self.started[pk] = started

    def wait(self, pk: int, timeout: float = 120) -> bool:
        limit = time.perf_counter() + timeout
        while pk not in self.done and time.perf_counter() < limit:
            time.sleep(0.01)
        return pk in self.done

    def run(self) -> None:
        with psycopg.connect(PG_URL, autocommit=True) as db:
            while not self.stopped.is_set():
                with self.lock:
                    pending = [pk for pk in self.started if pk not in self.done]
                if pending:
                    rows = db.execute(
                        "SELECT id, status FROM challenges_submission WHERE id = ANY(%s) "
                        "AND status IN ('scored', 'failed')",
                        [pending],
                    ).fetchall()
                    now = time.perf_counter()
                    with self.lock:
                        self.done.update({pk: (now, status) for pk, status in rows})
                time.sleep(0.01)

    def latencies(self, ids: list[int]) -> list[float]:
        return [
            self.done[pk][0] - self.started[pk]
            for pk in ids
            if pk in self.done and self.done[pk][1] == "scored"
        ]


def body(seed: int) -> bytes:
    rng = random.Random(seed)
    return ("id,y\n" + "".join(f"{i},{rng.gauss(0, 1):.6f}\n" for i in range(ROWS))).encode()


def junk(megabytes: float) -> bytes:
    """Rows whose ids the solution does not know: read whole, then refused."""
    rows = int(megabytes * 1024 * 1024 / 12)  # "1000123,0.5\n"
    return ("id,y\n" + "".join(f"{i + 10**6},0.5\n" for i in range(rows))).encode()


def honest_student(base, token, stop_at, observer, accepted, errors, seed, posts) -> None:
    rng = random.Random(seed)
    slugs = itertools.cycle(rng.sample(SLUGS, len(SLUGS)))
    with httpx.Client(
        base_url=base, timeout=60, headers={"Authorization": f"Token {token}"}
    ) as http:
        time.sleep(rng.uniform(0, 3))
        while time.perf_counter() < stop_at:
            content = body(rng.random())
            started = time.perf_counter()
            response = http.post(
                f"/api/challenges/{next(slugs)}/submissions/",
                files={"file": ("p.csv", content, "text/csv")},
            )
            posts.append(time.perf_counter() - started)
            if response.status_code != 201:
                errors.append(f"honest HTTP {response.status_code}: {response.text[:120]}")
                time.sleep(1)
                continue
            pk = response.json()["id"]
            observer.watch(pk, started)
            accepted.append(pk)
            observer.wait(pk)
            time.sleep(rng.uniform(6, 12))


def attacker(base, token, stop_at, observer, accepted, answers, junk_body) -> None:
    with httpx.Client(
        base_url=base, timeout=60, headers={"Authorization": f"Token {token}"}
    ) as http:
        for slug in itertools.cycle(SLUGS):
            if time.perf_counter() >= stop_at:
                return
            began = time.perf_counter()
            response = http.post(
                f"/api/challenges/{slug}/submissions/",
                files={"file": ("junk.csv", junk_body, "text/csv")},
            )
            answers[response.status_code] += 1
            if response.status_code == 201:
                pk = response.json()["id"]
                observer.watch(pk, began)
                accepted.append(pk)
            time.sleep(max(0.0, ATTACK_INTERVAL - (time.perf_counter() - began)))


def warm_up(base: str, token: str, observer: Observer) -> None:
    """Every worker process loads each challenge's solution once before the clock starts."""
    with httpx.Client(
        base_url=base, timeout=60, headers={"Authorization": f"Token {token}"}
    ) as http:
        for slug in SLUGS * 3:
            response = http.post(
                f"/api/challenges/{slug}/submissions/",
                files={"file": ("w.csv", body(0), "text/csv")},
            )
            observer.watch(response.json()["id"], time.perf_counter())
            observer.wait(response.json()["id"])


def run_phase(args, attack: bool) -> dict:
    var = Path(tempfile.mkdtemp(prefix="vsegrader-abuse-"))
    fresh_database("vsegrader_abuse")
    flush_redis(BROKER_URL, CACHE_URL)
    env = stack_env(var, args.upload_rate, args.bulk_queue)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run([sys.executable, __file__, "--setup", str(var)], cwd=ROOT, env=env, check=True)
    tokens = (var / "tokens.txt").read_text().split()
    stack = Stack(var, env)
    beat = ["--beat", "--schedule", str(var / "beat")]
    stack.start(gunicorn_command(stack.port, 2), [*worker_command(), *beat])
    port = stack.port
    observer = Observer()
    observer.start()
    honest_ids, attack_ids, errors, posts = [], [], [], []
    answers, base = collections.Counter(), f"http://127.0.0.1:{port}"
    try:
        warm_up(base, tokens[HONEST + 1], observer)
        stop_at = time.perf_counter() + args.seconds
        threads = [
            threading.Thread(
                target=honest_student,
                args=(base, tokens[i], stop_at, observer, honest_ids, errors, i, posts),
            )
            for i in range(HONEST)
        ]
        if attack:
            junk_body = junk(args.junk_mb)
            attack_args = (base, tokens[HONEST], stop_at, observer, attack_ids, answers, junk_body)
            threads.append(threading.Thread(target=attacker, args=attack_args))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        lost = sum(not observer.wait(pk, 90) for pk in honest_ids + attack_ids)
    finally:
        observer.stopped.set()
        stack.stop()
    with psycopg.connect(PG_URL) as db:
        stored = db.execute(
            "SELECT coalesce(sum(size), 0) FROM challenges_submission WHERE "
            "user_id = %s AND file <> ''",
            [int((var / "attacker.txt").read_text())],
        ).fetchone()[0]
    if not args.keep:
        shutil.rmtree(var, ignore_errors=True)
    for message, count in collections.Counter(errors).most_common(3):
        print(f"  error x{count}: {message}")
    latencies = observer.latencies(honest_ids)
    return {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "post_p95": percentile(posts, 95),
        "max": max(latencies, default=0),
        "honest": len(latencies),
        "lost": lost,
        "accepted": len(attack_ids),
        "refused": sum(n for code, n in answers.items() if code != 201),
        "answers": dict(answers),
        "stored_mb": stored / 2**20,
    }


def disk_bound_mb(rate: str) -> float:
    """Five challenges × (daily + failed cap) uploads at the size limit, capped by the rate."""
    per_day = len(SLUGS) * (DAILY + max(FAILED_CAP, DAILY))
    if rate:
        count, _, period = rate.partition("/")
        seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[:1]]
        per_day = min(per_day, int(count) * 86400 // seconds)
    return per_day * MAX_MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--upload-rate", default="10/min", help="SUBMISSION_UPLOAD_RATE")
    parser.add_argument("--junk-mb", type=float, default=9)
    parser.add_argument("--bulk-queue", default="scoring-bulk", help="'' turns it off")
    parser.add_argument("--keep", action="store_true", help="keep the logs' folders")
    parser.add_argument("--setup", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup_site(args.setup)
        return
    if not (reachable(5432) and reachable(6379)):
        sys.exit("bench/abuse.py needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379")
    results = {}
    for name, attack in (("quiet", False), ("attack", True)):
        results[name] = result = run_phase(args, attack)
        print(
            f"{name}: {result['honest']} honest scorings, p50 {result['p50']:.3f} s, "
            f"p95 {result['p95']:.3f} s (upload request p95 {result['post_p95']:.3f} s, "
            f"max {result['max']:.3f} s); attacker answers {result['answers']}, "
            f"stored {result['stored_mb']:.1f} MB; lost {result['lost']}"
        )
    quiet, attacked = results["quiet"], results["attack"]
    print(
        f"honest_p95_s={attacked['p95']:.3f} quiet_p95_s={quiet['p95']:.3f} "
        f"ratio={attacked['p95'] / max(quiet['p95'], 1e-9):.2f} "
        f"disk_mb_per_student_day={disk_bound_mb(args.upload_rate):.0f} "
        f"attacker_accepted={attacked['accepted']} attacker_refused={attacked['refused']} "
        f"attacker_stored_mb={attacked['stored_mb']:.1f} "
        f"lost={quiet['lost'] + attacked['lost']}"
    )


if __name__ == "__main__":
    main()
