"""The Python API for notebooks (`from vsegrader_client import Client`) against a live test
server: the command line's settings, its checks and hints, submissions and boards as
dataclasses (or DataFrames with pandas), the status."""

import subprocess
import sys
from datetime import datetime

import pandas
import pytest
from vsegrader_client import ApiError, Client, CliError, RefusedFile, errors

from challenges.boards.pseudonyms import team_number_for
from challenges.bundles.importing import challenge_import
from challenges.bundles.reader import read_bundle
from challenges.models import Submission
from tests.bundles import TINY_SOLUTION, constant_submission
from tests.cli_helpers import (  # noqa: F401 - the *_fixture imports register fixtures
    cli_home_fixture,
    fresh_throttle_counts_fixture,
    save_login,
    token_for,
)
from tests.factories import scored_submission

pytestmark = pytest.mark.django_db(transaction=True)

IDS = list(TINY_SOLUTION)
NOT_SUBMITTED = "Not submitted (no submission used): "


@pytest.fixture
def notebook(live_server, challenge, student, cli_home):
    save_login(cli_home, live_server.url, token_for(student))
    return Client()


def rows(line: str) -> bytes:
    """A tiny-1d file: `line` formatted with each id as {i}."""
    return "".join(line.format(i=i) for i in IDS).encode()


def refusal(call, *args) -> CliError:
    with pytest.raises(CliError) as refused:
        call(*args)
    assert refused.value.exit_code == errors.INVALID_FILE
    return refused.value


def test_a_client_uses_the_saved_login_and_reads_boards_as_rows(notebook, challenge, student):
    scored_submission(challenge, student, 0.25, 0.5, description="first")
    rows_ = notebook.submissions("TINY-1D", frame=False)
    assert [(r.status, r.public_score, r.description) for r in rows_] == [("scored", 0.25, "first")]
    board = notebook.leaderboard("tiny-1d", frame=False)
    assert [(r.rank, r.score) for r in board] == [(1, 0.25)]


def test_check_refuses_a_bad_file_with_the_servers_message(notebook):
    refused = refusal(notebook.check, "tiny-1d", b"id,y\n1,abc\n")
    assert refused.message == "Column 'y' line 2: 'abc' is not a number"


def test_check_gives_the_command_lines_summary_problem_lines_and_hints(notebook):
    refused = refusal(notebook.check, "tiny-1d", b"Id,y\n" + rows("{i},0.5\n"))
    assert refused.message == "Required column 'id' could not be found; Unexpected column 'Id'"
    hint = "hint: did you mean 'id'? The header has 'Id'; column names are case-sensitive"
    assert refused.details == [
        "Required column 'id' could not be found",
        "Unexpected column 'Id'",
        hint,
    ]
    assert isinstance(refused, RefusedFile) and str(refused).endswith(f"\n  {hint}")


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"PK\x03\x04" + b"\0" * 26 + b"[Content_Types].xml" + b"\0" * 100, "an Excel workbook"),
        (b",id,y\n" + rows("0,{i},0.5\n"), "was a pandas index saved? Use to_csv(index=False)"),
        (b"id,y\n" + rows("{i}.0,0.5\n"), "hint: ids are written as numbers with a decimal"),
    ],
    ids=["excel", "pandas-index", "float-ids"],
)
def test_check_names_the_usual_mistakes(notebook, data, said):
    assert said in str(refusal(notebook.check, "tiny-1d", data))


DIGITS_TOML = """slug = "digits"
title = "Digits"
metric = "accuracy"
deadline = "2030-03-15T17:00:00+01:00"
id_column = "id"

[[targets]]
name = "label"
type = "label"
labels = ["0", "1"]
"""


@pytest.fixture
def digits(tmp_path, challenge):
    bundle = tmp_path / "digits"
    (bundle / "public").mkdir(parents=True)
    (bundle / "challenge.toml").write_text(DIGITS_TOML)
    (bundle / "description.md").write_text("# Digits\n")
    (bundle / "public" / "test.csv").write_text("id\n1\n2\n3\n4\n")
    (bundle / "public" / "sample_submission.csv").write_text("id,label\n1,0\n2,0\n3,0\n4,0\n")
    usage = ["Public", "Public", "Private", "Private"]
    solution = "".join(f"{i},{i % 2},{u}\n" for i, u in enumerate(usage, start=1))
    (bundle / "solution.csv").write_text("id,label,Usage\n" + solution)
    return challenge_import(bundle=read_bundle(bundle)).challenge


def test_integer_labels_written_as_floats_get_the_command_lines_hint(notebook, digits):
    frame = pandas.DataFrame({"id": [1, 2, 3, 4], "label": [0.0, 1.0, 0.0, 1.0]})
    refused = refusal(notebook.check, "digits", frame)
    assert refused.message.startswith("4 rows: column 'label': not an allowed label")
    assert refused.details[-1] == (
        "hint: the labels of 'label' are integers: write 0, not 0.0 "
        "(e.g. df['label'] = df['label'].astype(int))"
    )


def test_submit_refuses_as_the_command_line_does_and_uses_no_submission(notebook):
    refused = refusal(notebook.submit, "tiny-1d", b"Id,y\n" + rows("{i},0.5\n"), "m")
    assert refused.message.startswith(NOT_SUBMITTED + "Required column 'id'")
    assert refused.details[-1].startswith("hint: did you mean 'id'?")
    assert not Submission.objects.exists()


def test_submit_takes_bytes_or_a_path_and_returns_the_submission(notebook, cli_home):
    path = cli_home / "s.csv"
    path.write_bytes(constant_submission(0.5))
    sent = notebook.submit("tiny-1d", path, message="from a notebook")
    assert sent.status in ("queued", "scoring", "scored") and sent.description == "from a notebook"
    assert Submission.objects.get().file_name == "s.csv"


def test_a_frame_indexed_by_id_keeps_its_ids_and_a_range_index_is_left_out(notebook):
    frame = pandas.DataFrame({"id": IDS, "y": [0.5] * len(IDS)})
    notebook.check("tiny-1d", frame.set_index("id"))
    notebook.submit("tiny-1d", frame.set_index("id"), message="indexed")
    notebook.submit("tiny-1d", frame, message="plain")
    sent = {s.description: s.file.read() for s in Submission.objects.all()}
    assert sent["indexed"] == sent["plain"] == constant_submission(0.5)


def test_csv_text_is_a_file_and_a_missing_path_is_named(notebook, cli_home):
    text = constant_submission(0.5).decode()
    notebook.check("tiny-1d", text)
    assert notebook.submit("tiny-1d", text, message="as text").description == "as text"
    assert Submission.objects.get().file.read() == constant_submission(0.5)
    with pytest.raises(CliError) as missing:
        notebook.check("tiny-1d", "predictions.csv")
    assert missing.value.message == "Cannot read predictions.csv: No such file or directory"
    with pytest.raises(CliError, match=r"^\S+ is a folder, not a file\.$"):
        notebook.check("tiny-1d", cli_home)


def test_download_writes_the_data_files(notebook, cli_home, tiny_bundle):
    paths = notebook.download("tiny-1d", cli_home / "data")
    assert sorted(p.name for p in paths) == [
        "extra.zip",
        "sample_submission.csv",
        "test.csv",
        "train.csv",
    ]
    assert (cli_home / "data" / "test.csv").read_bytes() == (
        tiny_bundle / "public" / "test.csv"
    ).read_bytes()


# --- DataFrames and the status -------------------------------------------------------------


def test_frames_have_their_columns_without_rows_and_times_as_datetimes(
    notebook, challenge, student
):
    empty = notebook.submissions("tiny-1d")
    assert empty.empty and empty["public_score"].tolist() == []
    assert list(notebook.leaderboard("tiny-1d").columns) == [
        "rank",
        "team_id",
        "team_name",
        "score",
        "last_submission",
    ]
    scored_submission(challenge, student, 0.25, 0.5)
    frame = notebook.submissions("tiny-1d")
    assert isinstance(frame["created_at"].dtype, pandas.DatetimeTZDtype)
    board = notebook.leaderboard("tiny-1d")
    assert isinstance(board["last_submission"].dtype, pandas.DatetimeTZDtype)
    assert board["last_submission"][0] == frame["created_at"][0]


def test_board_team_ids_are_the_command_lines(notebook, challenge, student, instructor):
    scored_submission(challenge, student, 0.25, 0.5)
    baseline = scored_submission(challenge, instructor, 0.75, 0.5, is_baseline=True)
    ids = {row.score: row.team_id for row in notebook.leaderboard("tiny-1d", frame=False)}
    assert ids == {0.25: team_number_for(student.id), 0.75: f"b{baseline.id}"}


def test_status_says_what_is_left_today_and_where_you_stand(notebook, challenge, student):
    scored_submission(challenge, student, 0.25, 0.5, is_final=True)
    status = notebook.status("TINY-1D")
    assert (status.remaining_today, status.daily_limit) == (4, 5)
    assert (status.failed_remaining_today, status.failed_daily_limit) == (20, 20)
    assert status.resets_at.utcoffset() is not None and status.time_zone == "Europe/Prague"
    assert status.deadline == datetime.fromisoformat("2030-03-15T17:00:00+01:00")
    assert (status.best_public_score, status.rank, status.participants) == (0.25, 1, 1)
    assert (status.finals, status.final_selections) == ([Submission.objects.get().id], 2)
    assert (status.is_open, status.metric, status.higher_is_better) == (True, "mse", False)


def test_the_package_exports_its_errors_on_use():
    code = (
        "import sys, vsegrader_client as v; assert 'vsegrader_client.api' not in sys.modules;"
        "from vsegrader_client import CliError, ApiError; print(ApiError.__mro__[1].__name__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "CliError", done.stderr
    assert issubclass(ApiError, CliError) and CliError is errors.CliError
