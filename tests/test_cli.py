"""The `vsegrader` command line against a live test server (and, for scores, a real Celery
worker): no mocks between the client and the API."""

import csv
import io
import json
import os
import re
import stat
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from challenges.models import Submission
from tests.bundles import constant_submission, perfect_submission
from tests.cli_helpers import (  # noqa: F401 - the *_fixture imports register fixtures
    cli_fixture,
    cli_home_fixture,
    closed_port_url,
    config_file,
    fresh_throttle_counts_fixture,
    logged_in_fixture,
    run_console_script,
    save_login,
    site_fixture,
    token_for,
)
from tests.factories import scored_submission

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-for-tests-1"


@pytest.fixture
def submission_file(cli_home):
    def write(content: bytes, name: str = "submission.csv"):
        path = cli_home / name
        path.write_bytes(content)
        return path

    return write


# --- logging in ----------------------------------------------------------------------------


def test_login_asks_for_the_password_and_saves_the_token_for_the_owner_only(
    cli, site, cli_home, student, monkeypatch
):
    monkeypatch.setattr("sys.stdin", io.StringIO(f"alice\n{PASSWORD}\n"))
    result = cli("login", "--url", site)
    assert result.code == 0, result.err
    assert result.out.startswith(f"Logged in to {site} as alice")
    saved = config_file(cli_home)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    assert json.loads(saved.read_text())["token"]
    assert student.auth_token_set.get().label.name.startswith("vsegrader")
    assert cli("competitions", "list").code == 0  # the saved URL and token are used


def test_login_with_a_wrong_password_exits_3_and_saves_nothing(cli, site, cli_home, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("alice\nwrong\n"))
    result = cli("--url", site, "login")
    assert (result.code, result.err) == (3, "vsegrader: Wrong username or password.\n")
    assert not config_file(cli_home).exists()


def test_login_with_a_pasted_token_checks_it_first(cli, site, student, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(token_for(student) + "\n"))
    assert cli("login", "--url", site, "--with-token").code == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("not-a-token\n"))
    refused = cli("login", "--url", site, "--with-token")
    assert refused.code == 3 and "Invalid token." in refused.err


def test_whoami_names_the_account(cli, logged_in):
    result = cli("whoami")
    assert result.code == 0 and result.out.startswith("alice (")


def test_without_a_login_a_command_exits_3_with_what_to_do(cli, site):
    result = cli("--url", site, "competitions", "list")
    assert result.code == 3
    assert result.err == (
        "vsegrader: Not logged in: run `vsegrader login` (or set VSEGRADER_TOKEN).\n"
    )


def test_a_revoked_token_is_refused_with_exit_3(cli, logged_in, client, student):
    client.force_login(student)
    assert client.post("/accounts/token/", {"action": "revoke_all"}).status_code == 302
    result = cli("competitions", "list")
    assert result.code == 3
    assert result.err.count("\n") == 1 and "Invalid token." in result.err
    assert "vsegrader login" in result.err


def test_logout_revokes_the_token_on_the_server_and_forgets_it(cli, logged_in, cli_home, student):
    result = cli("logout")
    assert result.code == 0, result.err
    assert not student.auth_token_set.exists()
    assert "token" not in config_file(cli_home).read_text()


# --- configuration ------------------------------------------------------------------------


def test_a_config_file_readable_by_others_is_warned_about(cli, logged_in, cli_home):
    os.chmod(config_file(cli_home), 0o644)
    result = cli("competitions", "list")
    assert result.code == 0
    assert "is readable by other users" in result.err and "chmod 600" in result.err


def test_the_environment_overrides_the_config_file(cli, site, cli_home, student, monkeypatch):
    save_login(cli_home, closed_port_url(), "stale-token")
    monkeypatch.setenv("VSEGRADER_URL", site)
    monkeypatch.setenv("VSEGRADER_TOKEN", token_for(student))
    assert cli("competitions", "list").code == 0
    config_file(cli_home).unlink()
    assert cli("competitions", "list").code == 0  # the environment alone is enough


def test_an_unreachable_server_exits_4_with_a_one_line_reason(cli, cli_home, monkeypatch):
    url = closed_port_url()
    monkeypatch.setenv("VSEGRADER_URL", url)
    monkeypatch.setenv("VSEGRADER_TOKEN", "any")
    result = cli("competitions", "list")
    assert result.code == 4
    assert result.err.startswith(f"vsegrader: Could not reach the server at {url}: ")
    assert result.err.count("\n") == 1


# --- reading ------------------------------------------------------------------------------


def test_list_prints_a_table_or_csv_or_json(cli, logged_in):
    table = cli("competitions", "list")
    header, rule, row = table.out.splitlines()
    assert header.split() == [
        "ref",
        "title",
        "deadline",
        "metric",
        "isOpen",
        "dailyLimit",
        "teamCount",
        "userHasEntered",
    ]
    assert set(rule) <= {"-", " "} and row.startswith("tiny-1d  Tiny regression  2030-03-15 ")
    rows = list(csv.DictReader(io.StringIO(cli("c", "list", "--csv").out)))
    assert [(r["ref"], r["metric"], r["isOpen"]) for r in rows] == [("tiny-1d", "mse", "True")]
    listed = cli("competitions", "list", "--json").json
    assert listed[0]["ref"] == "tiny-1d" and listed[0]["dailyLimit"] == 5


def test_files_takes_the_slug_as_an_argument_or_as_dash_c(cli, logged_in, tiny_bundle):
    by_argument = cli("competitions", "files", "tiny-1d", "--json").json
    by_option = cli("competitions", "files", "-c", "tiny-1d", "--json").json
    assert by_argument == by_option
    sizes = {f["name"]: f["size"] for f in by_option}
    assert sizes["test.csv"] == (tiny_bundle / "public/test.csv").stat().st_size


def test_files_shows_when_each_file_was_stored_in_the_table_csv_and_json(cli, logged_in, challenge):
    data_file = challenge.files.get(name="test.csv")
    stored = data_file.file.storage.get_modified_time(data_file.file.name)
    iso = timezone.localtime(stored).isoformat()  # the course's zone, with its offset
    as_json = {f["name"]: f for f in cli("competitions", "files", "tiny-1d", "--json").json}
    assert as_json["test.csv"]["creationDate"] == iso
    as_csv = csv.DictReader(io.StringIO(cli("competitions", "files", "tiny-1d", "-v").out))
    assert {row["name"]: row["creationDate"] for row in as_csv}["test.csv"] == iso
    table = cli("competitions", "files", "tiny-1d").out.splitlines()
    assert table[0].split() == ["name", "size", "creationDate"]
    line = next(line for line in table if line.startswith("test.csv "))
    assert line.endswith(f"{iso[:10]} {iso[11:19]} UTC{iso[-6:]}")


def test_download_fetches_every_file_and_skips_present_ones_unless_forced(
    cli, logged_in, cli_home, tiny_bundle
):
    result = cli("competitions", "download", "tiny-1d", "-p", "data", "--unzip")
    assert result.code == 0, result.err
    folder = cli_home / "data"
    assert sorted(p.name for p in folder.iterdir()) == [
        "extra",  # extra.zip, extracted and removed
        "sample_submission.csv",
        "test.csv",
        "train.csv",
    ]
    assert (folder / "extra" / "notes.txt").read_text().startswith("an extra folder")
    one = cli("competitions", "download", "tiny-1d", "-p", "one", "-f", "extra.zip", "--unzip")
    assert one.code == 0 and "Extracted extra.zip" in one.out
    assert [p.name for p in (cli_home / "one").iterdir()] == ["extra"]
    assert (folder / "test.csv").read_bytes() == (tiny_bundle / "public/test.csv").read_bytes()
    again = cli("competitions", "download", "-c", "tiny-1d", "-p", "data", "-f", "test.csv")
    assert "already here" in again.out
    forced = cli("competitions", "download", "tiny-1d", "-p", "data", "-f", "test.csv", "-o")
    assert forced.out.startswith("Downloaded ")


def test_download_of_a_file_the_challenge_lacks_names_its_files(cli, logged_in):
    result = cli("competitions", "download", "tiny-1d", "-f", "nope.csv")
    assert result.code == 1 and "its files: extra.zip, sample_submission.csv" in result.err


def test_an_unknown_challenge_exits_1_with_the_servers_message(cli, logged_in):
    result = cli("competitions", "files", "no-such-thing")
    assert result.code == 1
    assert result.err.startswith("vsegrader: No challenge 'no-such-thing' on http")
    near = cli("competitions", "files", "Tiny-1x")
    assert "did you mean tiny-1d?" in near.err and near.err.count("\n") == 1
    assert cli("competitions", "files", "TINY-1D").code == 0  # slugs are case-insensitive


def test_submissions_uses_kaggles_column_names(cli, logged_in, challenge, student):
    scored_submission(challenge, student, 0.25, 0.5)
    listed = cli("competitions", "submissions", "tiny-1d", "-v").out
    rows = list(csv.DictReader(io.StringIO(listed)))
    assert list(rows[0]) == [
        "ref",
        "fileName",
        "date",
        "description",
        "status",
        "publicScore",
        "privateScore",
        "error",
    ]
    assert (rows[0]["status"], rows[0]["publicScore"], rows[0]["privateScore"]) == (
        "scored",
        "0.25",
        "",
    )


def test_leaderboard_shows_and_downloads(cli, logged_in, cli_home, challenge, student, make_user):
    scored_submission(challenge, student, 0.25, 0.5)
    scored_submission(challenge, make_user("carol"), 0.75, 0.5)
    shown = cli("competitions", "leaderboard", "tiny-1d", "-s", "--json")
    assert shown.code == 0, shown.err
    columns = ["rank", "teamId", "teamName", "submissionDate", "score"]
    assert [list(row) for row in shown.json] == [columns, columns]
    assert [row["score"] for row in shown.json] == [0.25, 0.75]
    table = cli("competitions", "leaderboard", "-c", "tiny-1d", "-s").out.splitlines()
    assert table[0].split() == columns and len(table) == 4
    downloaded = cli("competitions", "leaderboard", "tiny-1d", "-d", "-p", "boards")
    assert downloaded.code == 0, downloaded.err
    with zipfile.ZipFile(cli_home / "boards" / "tiny-1d.zip") as archive:
        saved = archive.read("tiny-1d-public-leaderboard.csv").decode()
    assert saved.startswith("Rank,TeamId,TeamName,LastSubmissionDate,Score,SubmissionCount")


def test_a_student_asking_for_the_private_leaderboard_early_is_told_why(cli, logged_in):
    result = cli("competitions", "leaderboard", "tiny-1d", "-s", "--private")
    assert (result.code, result.err) == (
        1,
        "vsegrader: The private leaderboard is not revealed yet.\n",
    )


def test_leaderboard_needs_show_or_download_and_a_slug(cli, logged_in):
    assert cli("competitions", "leaderboard", "tiny-1d").code == 2
    assert cli("competitions", "submissions").code == 2
    assert cli("competitions", "files", "tiny-1d", "-c", "other").code == 2


# --- submitting ---------------------------------------------------------------------------


def test_a_bad_file_is_refused_locally_with_the_servers_message_and_nothing_is_spent(
    cli, logged_in, submission_file
):
    path = submission_file(b"id,y\n1,0.5\n2,abc\n")
    result = cli("competitions", "submit", "tiny-1d", "-f", path, "-m", "typo")
    assert result.code == 5
    assert result.err.splitlines()[0] == (
        "vsegrader: Not submitted (no submission used): Column 'y' line 3: 'abc' is not a number"
    )
    assert not Submission.objects.exists()


def test_missing_and_unknown_ids_are_found_from_the_sample_submission(
    cli, logged_in, submission_file
):
    rows = perfect_submission().decode().splitlines()
    path = submission_file(("\n".join(rows[:-1] + ["99,1.0"]) + "\n").encode())
    result = cli("competitions", "submit", "-c", "tiny-1d", "-f", path, "-m", "x")
    assert result.code == 5
    assert result.err.splitlines()[1:] == [
        "  Unknown id '99' on line 21",
        "  Missing ids: 1 id of the test set is absent: '20'",
    ]
    assert not Submission.objects.exists()


@pytest.mark.worker
def test_a_good_submission_is_uploaded_and_its_score_awaited(
    cli, logged_in, submission_file, celery_worker_process
):
    path = submission_file(perfect_submission(), "perfect.csv")
    result = cli("competitions", "submit", "tiny-1d", "-f", path, "-m", "exact", "--wait")
    assert result.code == 0, result.err
    submitted, scored, left = result.out.splitlines()  # the outcome, then what it leaves
    assert submitted.startswith("Successfully submitted to Tiny regression")
    assert scored == "Scored: public score 0 (mse, lower is better)"
    assert left == "4 of 5 left today"
    submission = Submission.objects.get()
    assert (submission.description, submission.file_name) == ("exact", "perfect.csv")


@pytest.mark.worker
def test_a_file_the_scorer_refuses_ends_the_wait_with_exit_5(
    cli, logged_in, submission_file, celery_worker_process
):
    path = submission_file(b"id,y\n1,0.5\n2,abc\n")
    result = cli("c", "submit", "tiny-1d", "-f", path, "-m", "x", "--wait", "--skip-check")
    assert result.code == 5
    assert result.err.splitlines()[-2:] == [
        "vsegrader: Scoring failed: Column 'y' line 3: 'abc' is not a number",
        "  5 of 5 left today (failed files do not count)",
    ]


@pytest.mark.parametrize("timeout", ["-1", "0", "nan", "inf", "soon"])
def test_wait_s_timeout_must_be_a_positive_number_of_seconds(cli, logged_in, timeout):
    result = cli("c", "submit", "tiny-1d", "-f", "x.csv", "-m", "x", "--wait", "--timeout", timeout)
    assert result.code == 2 and "not a positive number of seconds" in result.err
    assert not Submission.objects.exists()


def test_the_daily_limit_is_reported_with_exit_6(cli, logged_in, challenge, submission_file):
    challenge.daily_limit = 1
    challenge.save()
    path = submission_file(constant_submission(0.5))
    first = cli("competitions", "submit", "tiny-1d", "-f", path, "-m", "first")
    assert first.code == 0 and " of 1 left today" not in first.out  # no outcome yet
    second = cli("competitions", "submit", "tiny-1d", "-f", path, "-m", "second", "--skip-check")
    assert second.code == 6
    assert second.err.startswith("vsegrader: Not submitted: 1 of 1 used today; the count resets")
    assert second.err.count("\n") == 1 and Submission.objects.count() == 1


def test_a_late_submission_is_accepted_but_exits_7(cli, logged_in, challenge, submission_file):
    challenge.deadline = timezone.now() - timedelta(hours=1)
    challenge.save()
    path = submission_file(constant_submission(0.5))
    result = cli("competitions", "submit", "tiny-1d", "-f", path, "-m", "too late")
    assert result.code == 7
    assert result.out.startswith("Successfully submitted to Tiny regression")
    assert re.fullmatch(
        r"vsegrader: Submitted after the deadline \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\+0[12]:00\): "
        r"it is scored but does not count\.\n",
        result.err,
    )
    assert Submission.objects.get().is_late


def test_a_path_that_is_no_readable_file_exits_2_before_anything_is_sent(cli, logged_in, cli_home):
    result = cli("competitions", "submit", "tiny-1d", "-f", "missing.csv", "-m", "x")
    assert result.code == 2 and result.err.startswith("vsegrader: Cannot read missing.csv")
    (cli_home / "folder.csv").mkdir()
    result = cli("competitions", "submit", "tiny-1d", "-f", cli_home / "folder.csv", "-m", "x")
    assert result.code == 2 and "is a folder, not a file" in result.err
    assert not Submission.objects.exists()


# --- the installed command ----------------------------------------------------------------


def test_the_installed_console_script_runs_with_the_environments_settings(site, cli_home, student):
    env = {"VSEGRADER_URL": site, "VSEGRADER_TOKEN": token_for(student)}
    listed = run_console_script("competitions", "list", "--json", home=cli_home, env=env)
    assert listed.code == 0, listed.err
    assert [c["ref"] for c in listed.json] == ["tiny-1d"]
    down = run_console_script(
        "competitions", "list", home=cli_home, env={**env, "VSEGRADER_URL": closed_port_url()}
    )
    assert down.code == 4 and down.err.startswith("vsegrader: Could not reach the server")


def test_an_option_a_command_does_not_know_points_at_that_command_s_help(cli):
    result = cli("c", "list", "--bogus")
    assert result.code == 2
    assert result.err == (
        "vsegrader: unrecognized arguments: --bogus (see `vsegrader c list --help`)\n"
    )
