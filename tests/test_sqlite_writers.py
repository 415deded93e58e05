"""SQLite under the embedded default's concurrent writers: web, worker processes and beat.

Each role runs in a process of its own (tests/sqlite_writers.py) on one fresh SQLite file;
the settings' WAL journal, busy timeout and IMMEDIATE transactions must keep every
`database is locked` away from users and from scoring.
"""

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

UPLOADERS, UPLOADS_EACH = 3, 40


def run_role(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.sqlite_writers", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def outcome(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def test_concurrent_writers_never_meet_a_locked_database(tmp_path):
    env = {
        **os.environ,
        "VSEGRADER_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "VSEGRADER_API_RATE": "",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_URL", None)  # SQLite is what is under test, even in CI
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    assert outcome(run_role(env, "setup", str(UPLOADERS)))["students"] == UPLOADERS * 6

    uploaders = [run_role(env, "upload", str(UPLOADS_EACH), str(n)) for n in range(UPLOADERS)]
    scorers = [run_role(env, "score", "8") for _ in range(2)]
    board = run_role(env, "board", "10")
    uploads = [outcome(p) for p in uploaders]
    scores = [outcome(p) for p in scorers]
    reads = outcome(board)

    errors = [e for result in (*uploads, *scores, reads) for e in result["errors"]]
    assert errors == []
    created = [pk for result in uploads for pk in result["created"]]
    assert len(created) == UPLOADERS * UPLOADS_EACH
    assert sum(result["scored"] for result in scores) == len(created)  # each exactly once
    assert reads["reads"] > 0
