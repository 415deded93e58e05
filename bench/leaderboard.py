"""Server time of the public and private leaderboards (page and API) for 1,000 students with
50 scored submissions each on one challenge, and the SQL queries each request makes.

    .venv/bin/python bench/leaderboard.py [--students 1000] [--per-student 50] [--runs 15]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vsegrader_bench .venv/bin/python bench/...

It builds a throwaway database (SQLite in a temporary folder unless DATABASE_URL is set),
times each request in-process with Django's test client, and prints medians.
Last line: public_ms=… private_ms=… public_api_ms=… private_api_ms=… queries=…
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(var_dir: str) -> None:
    os.environ["VSEGRADER_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vsegrader.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "leaderboard-bench-only-not-a-secret-0123456789")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)


def populate(students: int, per_student: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from challenges.models import Challenge, Submission
    from vsegrader.permissions import instructor_lookup

    user_model = get_user_model()
    challenge = Challenge.objects.create(
        slug="bench",
        title="Bench",
        metric="mse",
        higher_is_better=False,
        id_column="id",
        targets=[{"name": "y", "kind": "float", "labels": []}],
        row_count=2000,
        deadline=timezone.now() + timedelta(days=7),
        solution="bench.csv",
        solution_sha256="0",
    )
    users = user_model.objects.bulk_create(
        user_model(username=f"student{i:04d}", first_name="S", last_name=str(i))
        for i in range(students)
    )
    instructor = user_model.objects.create(username="teacher", **{instructor_lookup(): True})
    rng, now = random.Random(7), timezone.now()
    batch = []
    for user in users:
        skill = rng.random()
        for k in range(per_student):
            public = skill + rng.random() * 0.1
            batch.append(
                Submission(
                    challenge=challenge,
                    user=user,
                    file=f"bench/{user.pk}-{k}.csv",
                    file_name="s.csv",
                    size=1,
                    status=Submission.Status.SCORED,
                    public_score=public,
                    shown_public_score=public,
                    private_score=public + rng.gauss(0, 0.02),
                    is_final=k < 2 and skill > 0.5,
                    created_at=now - timedelta(minutes=rng.randrange(60 * 24 * 20)),
                )
            )
    Submission.objects.bulk_create(batch, batch_size=5000)
    from challenges.boards.standings import refresh_standings

    start = time.perf_counter()
    refresh_standings(challenge=challenge)  # what scoring keeps up to date one by one
    print(f"standings of all {students} students computed in {time.perf_counter() - start:.2f} s")
    one = users[len(users) // 2]
    start = time.perf_counter()
    for _ in range(20):
        refresh_standings(challenge=challenge, users=[one])
    print(f"one student's standing refreshed in {(time.perf_counter() - start) / 20 * 1000:.1f} ms")
    return challenge, users[0], instructor


def timed(client, url: str, runs: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--per-student", type=int, default=50)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        setup_django(var_dir)
        from django.db import connection
        from django.test import Client

        challenge, student, instructor = populate(args.students, args.per_student)
        student_client, teacher = Client(), Client()
        student_client.force_login(student)
        teacher.force_login(instructor)
        base = f"/challenges/{challenge.slug}/leaderboard/"
        api = f"/api/challenges/{challenge.slug}/leaderboard/"
        figures = {
            "public_ms": timed(student_client, base, args.runs),
            "private_ms": timed(teacher, base + "?split=private", args.runs),
            "public_api_ms": timed(student_client, api, args.runs),
            "private_api_ms": timed(teacher, api + "?split=private", args.runs),
        }
        print(
            f"database={connection.vendor} students={args.students} "
            f"submissions={args.students * args.per_student}"
        )
        for name, (ms, queries) in figures.items():
            print(f"{name:16s} median {ms:7.1f} ms   {queries} SQL queries")
        queries = max(q for _, q in figures.values())
        print(" ".join(f"{k}={v[0]:.1f}" for k, v in figures.items()) + f" queries={queries}")


if __name__ == "__main__":
    main()
