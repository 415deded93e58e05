"""The Python API for notebooks (`from vsegrader_client import Client`) against a live test
server: the command line's settings, its checks, submissions and boards as dataclasses (or
DataFrames with pandas)."""

import pytest
from vsegrader_client import Client
from vsegrader_client.errors import CliError

from challenges.models import Submission
from tests.bundles import constant_submission
from tests.cli_helpers import (  # noqa: F401 - the *_fixture imports register fixtures
    cli_home_fixture,
    fresh_throttle_counts_fixture,
    save_login,
    token_for,
)
from tests.factories import scored_submission

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def notebook(live_server, challenge, student, cli_home):
    save_login(cli_home, live_server.url, token_for(student))
    return Client()


def test_a_client_uses_the_saved_login_and_reads_boards_as_rows(notebook, challenge, student):
    scored_submission(challenge, student, 0.25, 0.5, description="first")
    rows = notebook.submissions("TINY-1D", frame=False)
    assert [(r.status, r.public_score, r.description) for r in rows] == [("scored", 0.25, "first")]
    board = notebook.leaderboard("tiny-1d", frame=False)
    assert [(r.rank, r.score) for r in board] == [(1, 0.25)]


def test_check_refuses_a_bad_file_with_the_servers_message(notebook):
    with pytest.raises(CliError) as refused:
        notebook.check("tiny-1d", b"id,y\n1,abc\n")
    assert refused.value.exit_code == 5 and refused.value.message == (
        "Column 'y' line 2: 'abc' is not a number"
    )


def test_submit_takes_bytes_or_a_path_and_returns_the_submission(notebook, cli_home):
    path = cli_home / "s.csv"
    path.write_bytes(constant_submission(0.5))
    sent = notebook.submit("tiny-1d", path, message="from a notebook")
    assert sent.status in ("queued", "scoring", "scored") and sent.description == "from a notebook"
    assert Submission.objects.get().file_name == "s.csv"


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
