"""Upload-to-scored latency of one 2,000-row submission, through the real API and a real
Celery worker process, on the embedded default (SQLite + filesystem broker) and on
PostgreSQL + Redis (127.0.0.1, skipped if unreachable).

    .venv/bin/python bench/latency.py [--runs 20]

Last line: embedded_p50_s=… embedded_p95_s=… redis_p50_s=… redis_p95_s=…
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.stack import (  # noqa: E402
    ROOT,
    embedded_env,
    fresh_database,
    percentile,
    reachable,
    worker_command,
)

ROWS = 2000
PG_URL = "postgres://postgres@127.0.0.1:5432/vsegrader_bench"
REDIS_URL = "redis://127.0.0.1:6379/14"


def write_bundle(root: Path) -> Path:
    bundle = root / "bench-1d"
    (bundle / "public").mkdir(parents=True)
    (bundle / "challenge.toml").write_text(
        'slug = "bench-1d"\ntitle = "Bench"\nmetric = "mse"\n'
        'deadline = "2030-01-01T00:00:00+01:00"\nid_column = "id"\n'
        '[[targets]]\nname = "y"\ntype = "float"\n'
        "[limits]\ndaily = 1000\n"  # one student sends every measured upload
    )
    (bundle / "description.md").write_text("bench\n")
    usage = ["Public" if i % 10 < 3 else "Private" for i in range(ROWS)]
    solution = "".join(f"{i},{i * 0.001:.6f},{u}\n" for i, u in enumerate(usage))
    (bundle / "solution.csv").write_text("id,y,Usage\n" + solution)
    sample = "".join(f"{i},0\n" for i in range(ROWS))
    (bundle / "public" / "sample_submission.csv").write_text("id,y\n" + sample)
    return bundle


def measure(runs: int) -> list[float]:
    """Runs inside a configured environment (see main): returns seconds per submission."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vsegrader.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from challenges.bundles.importing import challenge_import
    from challenges.bundles.reader import read_bundle
    from challenges.models import Submission

    challenge_import(bundle=read_bundle(write_bundle(Path(os.environ["VSEGRADER_VAR_DIR"]))))
    user, _ = get_user_model().objects.get_or_create(username="bench")
    client = APIClient()
    client.force_authenticate(user)
    body = ("id,y\n" + "".join(f"{i},{i * 0.0011:.6f}\n" for i in range(ROWS))).encode()
    timings = []
    for run in range(runs + 1):
        started = time.perf_counter()
        upload = SimpleUploadedFile("submission.csv", body, content_type="text/csv")
        response = client.post(
            "/api/challenges/bench-1d/submissions/", {"file": upload}, format="multipart"
        )
        pk = response.json()["id"]
        while Submission.objects.filter(pk=pk, status__in=["queued", "scoring"]).exists():
            time.sleep(0.005)
        if run:  # the first one warms the worker's solution cache
            timings.append(time.perf_counter() - started)
        assert Submission.objects.get(pk=pk).status == "scored"
    return timings


def start_worker(env: dict) -> subprocess.Popen:
    worker = subprocess.Popen(
        worker_command(),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for line in worker.stdout:
        if " ready." in line:
            return worker
    raise RuntimeError("worker did not start")


def run_setup(name: str, extra_env: dict, runs: int) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="vsegrader-bench-") as var:
        env = embedded_env(var, **extra_env)  # scoring, not the throttle or upload pace
        migrate = [sys.executable, "manage.py", "migrate", "-v", "0"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)
        worker = start_worker(env)
        try:
            out = subprocess.run(
                [sys.executable, __file__, "--measure", "--runs", str(runs)],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    timings = json.loads(out.strip().splitlines()[-1])
    print(
        f"{name}: median {statistics.median(timings):.3f} s, "
        f"p95 {percentile(timings, 95):.3f} s over {len(timings)} uploads"
    )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.runs)))
        return
    figures = {}
    embedded = run_setup("embedded (SQLite + filesystem broker)", {}, args.runs)
    figures["embedded_p50_s"] = statistics.median(embedded)
    figures["embedded_p95_s"] = percentile(embedded, 95)
    if reachable(5432) and reachable(6379):
        fresh_database("vsegrader_bench")
        production = {"DATABASE_URL": PG_URL, "CELERY_BROKER_URL": REDIS_URL}
        redis = run_setup("PostgreSQL + Redis", production, args.runs)
        figures["redis_p50_s"] = statistics.median(redis)
        figures["redis_p95_s"] = percentile(redis, 95)
    else:
        print("PostgreSQL or Redis not reachable on 127.0.0.1: skipped that setup")
    print(" ".join(f"{key}={value:.3f}" for key, value in figures.items()))


if __name__ == "__main__":
    main()
