"""Server time of the insights pages for a revealed 300-student class whose reports the worker
has stored: a student's "my result", the class report and the integrity page (with code
attached by every student, so the code-similarity flags are part of it).

    .venv/bin/python bench/insights.py [--students 300] [--rows 1000] [--runs 20]

It builds a throwaway SQLite database in a temporary folder: a two-label challenge with a
small picture per row, one final submission per student (predictions from the simulated
class of bench/integrity.py), computes the reports as the worker does, then times each page
in-process with Django's test client and prints medians (and the SQL queries per page).
Last line: students=… my_result_ms=… class_ms=… integrity_ms=…
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LABELS = ("cat", "dog")
TOML = """slug = "bench-pets"
title = "Bench pets"
metric = "accuracy"
deadline = "2030-03-15T17:00:00+01:00"
id_column = "id"

[[targets]]
name = "label"
type = "label"
labels = ["cat", "dog"]
"""


def setup_django(var_dir: str) -> None:
    os.environ["VSEGRADER_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vsegrader.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def write_bundle(root: Path, truth: np.ndarray) -> Path:
    from PIL import Image

    bundle = root / "bench-pets"
    (bundle / "public" / "test").mkdir(parents=True)
    (bundle / "challenge.toml").write_text(TOML)
    (bundle / "description.md").write_text("# Bench\n")
    ids = [f"r{i:05d}" for i in range(len(truth))]
    (bundle / "public" / "test.csv").write_text("id\n" + "".join(f"{i}\n" for i in ids))
    sample = "".join(f"{i},cat\n" for i in ids)
    (bundle / "public" / "sample_submission.csv").write_text("id,label\n" + sample)
    rng = np.random.default_rng(1)
    for id_ in ids:
        pixels = rng.integers(0, 255, size=(32, 32, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(bundle / "public" / "test" / f"{id_}.png")
    usage = ["Public" if k % 10 < 3 else "Private" for k in range(len(ids))]
    rows = "".join(f"{i},{LABELS[t]},{u}\n" for i, t, u in zip(ids, truth, usage, strict=True))
    (bundle / "solution.csv").write_text("id,label,Usage\n" + rows)
    return bundle


SHAPES = (
    "def f{k}(data):\n    return [x * 2 for x in data if x > 0]\n",
    "def f{k}(a, b):\n    while a < b:\n        a += 1\n    return a\n",
    "def f{k}(rows):\n    out = {{}}\n    for key, value in rows:\n        out[key] = value\n"
    "    return out\n",
    "def f{k}(x):\n    try:\n        return int(x)\n    except ValueError:\n        return None\n",
    "def f{k}(model, data):\n    model.fit(data.features, data.labels)\n"
    "    return model.score(data.features, data.labels)\n",
    "class C{k}:\n    def __init__(self, size):\n        self.size = size\n\n"
    "    def grow(self):\n        self.size *= 2\n        return self\n",
    "def f{k}(values):\n    if not values:\n        return 0.0\n"
    "    return sum(values) / len(values)\n",
    "def f{k}(path):\n    with open(path) as handle:\n        return handle.read().split()\n",
    "def f{k}(x, y):\n    return np.sqrt(np.mean((np.asarray(x) - np.asarray(y)) ** 2))\n",
    "def f{k}(items):\n    return sorted(items, key=lambda item: (-item[1], item[0]))[:5]\n",
    "def f{k}(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n"
    "    return a\n",
    "def f{k}(text):\n    return {{word: text.count(word) for word in set(text.split())}}\n",
)


def code_of(n: int) -> str:
    """A student's script: 12 helpers drawn from common shapes in their own order; students
    0 and 1 hand in the same script (renamed identifiers would not hide it either)."""
    rng = np.random.default_rng(0 if n < 2 else n + 1)
    picks = rng.integers(0, len(SHAPES), size=12)
    return "import numpy as np\n\n" + "\n".join(SHAPES[p].format(k=k) for k, p in enumerate(picks))


def populate(students: int, rows: int):
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from challenges.bundles.importing import challenge_import
    from challenges.bundles.reader import read_bundle
    from challenges.insights import code, services, simulate
    from challenges.insights.models import InsightReport
    from challenges.models import Submission
    from vsegrader.permissions import instructor_lookup

    truth, predictions = simulate.independent_class(
        np.random.default_rng(5), students=students, rows=rows
    )
    var = Path(os.environ["VSEGRADER_VAR_DIR"])
    challenge = challenge_import(bundle=read_bundle(write_bundle(var, truth))).challenge
    challenge.accepts_code = True
    challenge.save()
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        user_model(username=f"student{i:04d}") for i in range(students)
    )
    instructor = user_model.objects.create(username="teacher", **{instructor_lookup(): True})
    public = np.arange(rows) % 10 < 3
    for n, (user, guess) in enumerate(zip(users, predictions, strict=True)):
        right = guess == truth
        csv = "id,label\n" + "".join(f"r{i:05d},{LABELS[g]}\n" for i, g in enumerate(guess))
        submission = Submission(
            challenge=challenge, user=user, file_name="s.csv", size=len(csv),
            status=Submission.Status.SCORED, is_final=True,
            public_score=float(right[public].mean()), private_score=float(right[~public].mean()),
        )  # fmt: skip
        submission.shown_public_score = submission.public_score
        submission.file.save("s.csv", ContentFile(csv.encode()), save=True)
        upload = SimpleUploadedFile("model.py", code_of(n).encode())
        code.code_attach(submission=submission, user=user, upload=upload)
    from challenges.boards.standings import refresh_standings

    refresh_standings(challenge=challenge)
    started = time.perf_counter()
    services.insights_compute(challenge_id=challenge.pk, force=True)
    print(f"reports of {students} students computed in {time.perf_counter() - started:.2f} s")
    flags = InsightReport.objects.get(challenge=challenge, kind="integrity").data["flags"]
    kinds = [f["kind"] for f in flags]
    print(f"integrity flags: {len(flags)}, of them on code: {kinds.count('code')}")
    challenge.deadline = challenge.deadline.replace(year=2020)  # revealed
    challenge.save()
    return challenge, users[len(users) // 2], instructor


def timed(client, url: str, runs: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.get(url, secure=True).status_code == 200, url
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = client.get(url, secure=True)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url, secure=True)
    return statistics.median(times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        setup_django(var_dir)
        from django.test import Client

        challenge, student, instructor = populate(args.students, args.rows)
        base = f"/challenges/{challenge.slug}/insights/"
        mine, staff = Client(), Client()
        mine.force_login(student)
        staff.force_login(instructor)
        results = {
            "my_result": timed(mine, base, args.runs),
            "class": timed(staff, f"{base}class/", args.runs),
            "integrity": timed(staff, f"{base}integrity/", args.runs),
        }
        for name, (ms, queries) in results.items():
            print(f"{name}: median {ms:.1f} ms over {args.runs} requests, {queries} queries")
        print(
            f"students={args.students} "
            + " ".join(f"{name}_ms={ms:.1f}" for name, (ms, _) in results.items())
        )


if __name__ == "__main__":
    main()
