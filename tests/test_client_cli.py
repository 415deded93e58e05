"""The `vsegrader` command line's newer commands against a live test server: status,
submission, final/unfinal, the error column, completion, the failures that used to be
tracebacks (broken pipes, paths in the way), the files' creation dates, and what each
command imports at start-up. Login and configuration: tests/test_client_login.py."""

import csv
import io
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from challenges.models import Submission
from tests.bundles import constant_submission
from tests.cli_helpers import (  # noqa: F401 - the *_fixture imports register fixtures
    cli_fixture,
    cli_home_fixture,
    closed_port_url,
    config_file,
    console_script,
    fresh_throttle_counts_fixture,
    logged_in_fixture,
    save_login,
    site_fixture,
    token_for,
)
from tests.factories import scored_submission

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-for-tests-1"


def failed_submission(challenge, user, error: str) -> Submission:
    return Submission.objects.create(
        challenge=challenge,
        user=user,
        file_name="bad.csv",
        size=5,
        status="failed",
        error=error,
        description="broken",
    )


# --- seeing results -------------------------------------------------------------------------


def test_status_shows_left_today_reset_deadline_with_zone_best_score_rank_and_finals(
    cli, logged_in, challenge, student, make_user
):
    scored_submission(challenge, make_user("carol"), 0.1, 0.5)
    mine = scored_submission(challenge, student, 0.25, 0.5, is_final=True)
    result = cli("c", "status", "tiny-1d")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Tiny regression (tiny-1d)"
    assert lines[1].startswith("  left today: 4 of 5 (resets ") and "Europe/Prague" in lines[1]
    assert lines[2] == "  failed files left today: 20 of 20 (a file that fails uses no submission)"
    assert lines[3].startswith("  deadline: 2030-03-15 17:00 UTC+01:00 Europe/Prague")
    assert lines[4] == "  best public score: 0.25 (mse, lower is better)"
    assert lines[5] == "  rank: 2 of 2"
    assert lines[6] == f"  finals (2 allowed): {mine.id}"
    as_json = cli("c", "status", "-c", "tiny-1d", "--json").json  # one object, as kaggle's
    assert as_json["leftToday"] == 4 and as_json["finals"] == [mine.id]
    assert as_json["resetsAt"].endswith("+01:00") and as_json["timeZone"] == "Europe/Prague"
    (row,) = csv.DictReader(io.StringIO(cli("c", "status", "tiny-1d", "--csv").out))
    assert row["leftToday"] == "4" and row["finals"] == str(mine.id) and row["rank"] == "2"
    assert all(not value.startswith(("{", "[")) for value in row.values())  # flat cells


def test_a_data_files_creation_date_is_when_an_import_last_changed_it(
    api_client, challenge, student, tiny_bundle
):
    from challenges.bundles.importing import challenge_import
    from challenges.bundles.reader import read_bundle

    long_ago = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
    for data_file in challenge.files.all():
        os.utime(data_file.file.path, (long_ago, long_ago))
    train = tiny_bundle / "public" / "train.csv"
    train.write_text(train.read_text() + "999,9.9,4.95\n")
    challenge_import(bundle=read_bundle(tiny_bundle))
    api_client.force_authenticate(student)
    files = api_client.get("/api/challenges/tiny-1d/").json()["files"]
    created = {f["name"]: datetime.fromisoformat(f["created_at"]) for f in files}
    assert created["test.csv"] == datetime(2020, 1, 1, 1, tzinfo=created["test.csv"].tzinfo)
    assert created["test.csv"].utcoffset() == timedelta(hours=1)  # Prague, in winter
    assert created["train.csv"] > created["test.csv"]  # rewritten by the import: now


def test_the_status_api_answers_in_one_request(api_client, challenge, student, make_user):
    scored_submission(challenge, make_user("carol"), 0.5, 0.5)
    api_client.force_authenticate(student)
    status = api_client.get("/api/challenges/tiny-1d/status/").json()
    assert (status["rank"], status["participants"], status["time_zone"]) == (
        None,
        1,
        "Europe/Prague",
    )
    assert status["quota"]["remaining_today"] == 5 and status["finals"] == []
    listed = api_client.get("/api/status/").json()
    assert listed == [{"slug": "tiny-1d", "team_count": 1, "user_has_entered": False}]
    assert api_client.get("/api/challenges/nope/status/").status_code == 404


def test_the_shown_and_the_downloaded_leaderboard_agree_on_team_ids_and_ranks(
    cli, logged_in, cli_home, challenge, student, make_user
):
    scored_submission(challenge, student, 0.25, 0.5)
    scored_submission(challenge, make_user("carol"), 0.75, 0.5)
    shown = cli("c", "leaderboard", "tiny-1d", "-s", "--json").json
    assert cli("c", "leaderboard", "tiny-1d", "-d", "-p", "boards").code == 0
    with zipfile.ZipFile(cli_home / "boards" / "tiny-1d.zip") as archive:
        text = archive.read("tiny-1d-public-leaderboard.csv").decode()
    downloaded = list(csv.DictReader(io.StringIO(text)))
    assert [(row["rank"], row["teamId"]) for row in shown] == [
        (int(row["Rank"]), int(row["TeamId"])) for row in downloaded
    ]


def test_the_submissions_list_has_an_error_column_and_submission_shows_the_whole_message(
    cli, logged_in, challenge, student
):
    message = "Required column 'y' could not be found\nColumn 'x' line 3: 'abc' is not a number"
    failed = failed_submission(challenge, student, message)
    table = cli("c", "submissions", "tiny-1d").out
    assert "Required column 'y' could not be found" in table and "abc" not in table
    rows = list(csv.DictReader(io.StringIO(cli("c", "submissions", "tiny-1d", "--csv").out)))
    assert rows[0]["error"] == message
    shown = cli("c", "submission", failed.id)
    assert shown.code == 0 and "    Column 'x' line 3: 'abc' is not a number" in shown.out
    as_json = cli("c", "submission", failed.id, "--json").json  # one object, not a list
    assert as_json["ref"] == failed.id and as_json["error"] == message


def test_final_and_unfinal_mark_a_submission(cli, logged_in, challenge, student):
    submission = scored_submission(challenge, student, 0.25, 0.5)
    assert cli("c", "final", submission.id).out == f"Submission {submission.id} is marked final.\n"
    submission.refresh_from_db()
    assert submission.is_final
    assert cli("c", "unfinal", submission.id).code == 0
    submission.refresh_from_db()
    assert not submission.is_final
    other = cli("c", "final", 999999)
    assert other.code == 1 and other.err.count("\n") == 1


def test_a_failed_file_leaves_the_count_of_left_today_as_it_was(cli, logged_in, challenge, student):
    failed_submission(challenge, student, "Required column 'y' could not be found")
    status = cli("c", "status", "tiny-1d", "--json").json
    assert status["leftToday"] == 5 and status["failedLeftToday"] == 19


# --- no tracebacks ------------------------------------------------------------------------


def test_download_into_a_path_that_is_a_file_is_one_line(cli, logged_in, cli_home):
    (cli_home / "data").mkdir()
    (cli_home / "data" / "train.csv").write_text("x\n")
    for path in ("data/train.csv", "data/train.csv/sub"):
        result = cli("c", "download", "tiny-1d", "-p", path, "-f", "test.csv")
        assert result.code == 2 and result.err.count("\n") == 1, result.err
        assert "Traceback" not in result.err


def test_a_closed_pipe_ends_the_listing_quietly(logged_in, cli_home, challenge, student):
    for minutes in range(40):
        scored_submission(challenge, student, 0.25, 0.5, minutes_ago=minutes)
    shell = f"'{console_script()}' c submissions tiny-1d --json | head -1"
    environment = {"HOME": str(cli_home), "PATH": "/usr/bin:/bin"}
    process = subprocess.run(
        ["bash", "-o", "pipefail", "-c", shell],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.stdout == "[\n" and process.stderr == ""


def test_a_late_submission_with_the_daily_limit_used_is_not_refused_for_the_limit(
    cli, logged_in, challenge, student, cli_home
):
    from datetime import timedelta

    from django.utils import timezone

    challenge.daily_limit = 1
    challenge.deadline = timezone.now() - timedelta(hours=1)
    challenge.save()
    path = cli_home / "sub.csv"
    path.write_bytes(constant_submission(0.5))
    first = cli("c", "submit", "tiny-1d", "-f", path, "-m", "late")
    assert first.code == 7, first.err


def test_completion_scripts_list_the_commands(cli):
    bash = cli("completion", "bash").out
    assert "complete -o default -F _vsegrader vsegrader" in bash
    assert '"c"|"c "*) words="list files download' in bash
    assert cli("completion", "zsh").out.startswith("autoload -U +X bashcompinit")


HEAVY_MODULES = ("pandas", "pyarrow", "numpy", "tqdm")
IMPORTED_AFTER = """
import sys
from vsegrader_client.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit:  # --help
    code = exit.code
print(" ".join(name for name in {names} if name in sys.modules), file=sys.stderr)
sys.exit(code)
"""


def modules_left_imported(*argv: str, names, home, env=None) -> list[str]:
    """The modules of `names` imported once `vsegrader ARGV` succeeded."""
    environment = {**os.environ, "HOME": str(home), **(env or {})}
    result = subprocess.run(
        [sys.executable, "-c", IMPORTED_AFTER.format(names=names), *argv],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.splitlines()[-1].split()


def test_help_and_listings_start_without_pandas_pyarrow_or_tqdm(site, cli_home, student):
    """What a command imports is what it waits for at start-up: help needs no HTTP client,
    listings no data libraries; a small file's check needs no pyarrow."""
    assert modules_left_imported("--help", names=(*HEAVY_MODULES, "httpx"), home=cli_home) == []
    env = {"VSEGRADER_URL": site, "VSEGRADER_TOKEN": token_for(student)}
    listed = modules_left_imported("c", "list", names=HEAVY_MODULES, home=cli_home, env=env)
    assert listed == []
    (cli_home / "sub.csv").write_bytes(constant_submission(0.5))
    submit = ("c", "submit", "tiny-1d", "-f", str(cli_home / "sub.csv"), "-m", "small")
    assert modules_left_imported(*submit, names=HEAVY_MODULES, home=cli_home, env=env) == []


# --- the local check: the ids file cached, a large file checked beside the command --------

SAMPLE_PATH = "/api/challenges/tiny-1d/files/sample_submission.csv"


def requests_made(monkeypatch) -> list[str]:
    """The paths the client asks the live server for (a spy on the client, no mock)."""
    from vsegrader_client.api import Api

    made, request = [], Api.request

    def spy(self, method, path, **kwargs):
        made.append(path)
        return request(self, method, path, **kwargs)

    monkeypatch.setattr(Api, "request", spy)
    return made


def test_the_sample_file_is_cached_until_the_server_has_another_version(
    cli, logged_in, cli_home, tiny_bundle, monkeypatch
):
    from challenges.bundles.importing import challenge_import
    from challenges.bundles.reader import read_bundle

    made = requests_made(monkeypatch)
    rows = [f"{i},0.5" for i in range(1, 19)] + ["98,0.5", "99,0.5"]
    (cli_home / "sub.csv").write_text("id,y\n" + "\n".join(rows) + "\n")
    submit = ("c", "submit", "tiny-1d", "-f", cli_home / "sub.csv", "-m", "x")
    first = cli(*submit)
    assert first.code == 5 and "absent, e.g. '19', '20'" in first.err  # the sample's order
    second = cli(*submit)
    assert second.err == first.err
    assert made.count(SAMPLE_PATH) == 1  # the second submit read the ids from the cache
    sample = tiny_bundle / "public" / "sample_submission.csv"
    sample.write_text("id,y\n" + "".join(f"{i},0.0\n" for i in range(20, 0, -1)))
    challenge_import(bundle=read_bundle(tiny_bundle))  # a new version: a new created_at
    third = cli(*submit)
    assert made.count(SAMPLE_PATH) == 2
    assert third.code == 5 and "absent, e.g. '20', '19'" in third.err  # the new version's


def test_a_large_file_is_checked_in_a_second_process_with_the_same_messages(
    cli, logged_in, challenge, cli_home, monkeypatch
):
    from vsegrader_client import submitting, warmup

    monkeypatch.setattr(warmup, "spare_processor", lambda: True)  # whatever else runs
    challenge.max_file_mb = 50
    challenge.save()
    rows = [f"{i},0.5\n" for i in range(1, 21)] + [f"{1000 + i},0.5\n" for i in range(400_000)]
    (cli_home / "big.csv").write_text("id,y\n" + "".join(rows))
    assert (cli_home / "big.csv").stat().st_size >= warmup.FAST_FROM_BYTES
    submit = ("c", "submit", "tiny-1d", "-f", cli_home / "big.csv", "-m", "x")
    in_process, check_submission = [], submitting.check_submission

    def spy(*args, **kwargs):
        in_process.append(args)
        return check_submission(*args, **kwargs)

    monkeypatch.setattr(submitting, "check_submission", spy)
    beside = cli(*submit)
    assert beside.code == 5 and not in_process  # the second process gave the verdict
    assert "400,000 rows: unknown id" in beside.err.splitlines()[0]
    monkeypatch.setattr(warmup, "start_checker", lambda path: None)
    here = cli(*submit)
    assert in_process and here.err == beside.err
    assert not Submission.objects.exists()
