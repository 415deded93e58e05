"""Real processes writing one SQLite file at once, as the embedded default's web server,
worker processes and beat do. Run as `python -m tests.sqlite_writers ROLE ARG`; each role
prints one JSON line: what it did and every database error it met.

Roles: `setup` (a challenge and students), `upload N` (a web process: N uploads through
submission_create, for its own students), `score SECONDS` (a worker: scores whatever is
queued, until nothing is left for a while), `board SECONDS` (beat and readers: requeue,
whole-board refreshes and leaderboard reads).
"""

import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import OperationalError  # noqa: E402

from challenges.boards import leaderboards, standings  # noqa: E402
from challenges.bundles.importing import challenge_import  # noqa: E402
from challenges.bundles.reader import read_bundle  # noqa: E402
from challenges.models import Challenge, Submission  # noqa: E402
from challenges.submissions import intake, judge  # noqa: E402
from tests.bundles import TINY_SOLUTION, write_tiny_bundle  # noqa: E402
from vsegrader.refusals import Refused  # noqa: E402

SLUG = "tiny-1d"
STUDENTS_PER_UPLOADER = 6


def setup(uploaders: str) -> dict:
    bundle = write_tiny_bundle(Path(tempfile.mkdtemp()))
    challenge = challenge_import(bundle=read_bundle(bundle)).challenge
    challenge.daily_limit = 1000
    challenge.save(update_fields=["daily_limit"])
    User = get_user_model()
    for uploader in range(int(uploaders)):
        for number in range(STUDENTS_PER_UPLOADER):
            User.objects.create_user(f"s{uploader}-{number}", password="pw-for-tests-1")
    return {"students": User.objects.count()}


def upload(count: str, uploader: str) -> dict:
    challenge = Challenge.objects.get(slug=SLUG)
    users = list(get_user_model().objects.filter(username__startswith=f"s{uploader}-"))
    rows = "".join(f"{i},{y + 0.1}\n" for i, (y, _) in TINY_SOLUTION.items())
    created, errors = [], []
    for number in range(int(count)):
        upload = SimpleUploadedFile("s.csv", f"id,y\n{rows}".encode(), "text/csv")
        created += attempt(
            errors,
            lambda u=upload, n=number: (
                intake.submission_create(challenge=challenge, user=users[n % len(users)], file=u).pk
            ),
        )
    return {"created": created, "errors": errors}


def score(seconds: str) -> dict:
    scored, errors, idle_since = 0, [], time.monotonic()
    while time.monotonic() - idle_since < float(seconds):
        queued = list(
            Submission.objects.filter(status=Submission.Status.QUEUED)
            .order_by("?")
            .values_list("pk", flat=True)[:5]
        )
        for pk in queued:
            done = attempt(errors, lambda pk=pk: judge.submission_score(submission_id=pk))
            scored += sum(1 for result in done if result is not None)
        if queued:
            idle_since = time.monotonic()
        time.sleep(0.01)
    return {"scored": scored, "errors": errors}


def board(seconds: str) -> dict:
    challenge = Challenge.objects.get(slug=SLUG)
    reads, errors, stop = 0, [], time.monotonic() + float(seconds)
    while time.monotonic() < stop:
        attempt(errors, lambda: intake.submissions_requeue_stuck())
        attempt(errors, lambda: standings.refresh_standings(challenge=challenge))
        reads += len(
            attempt(errors, lambda: leaderboards.leaderboard(challenge=challenge, split="public"))
        )
        time.sleep(0.05)
    return {"reads": reads, "errors": errors}


def attempt(errors: list, action) -> list:
    """[the action's result], or [] with the database error recorded."""
    try:
        return [action()]
    except Refused:  # a rule said no (a limit): not a database failure
        pass
    except OperationalError as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    except Exception:  # any other failure is a finding too, with its traceback
        errors.append(traceback.format_exc(limit=3))
    return []


if __name__ == "__main__":
    role, *args = sys.argv[1:]
    print(json.dumps(globals()[role](*args)), flush=True)
