"""A property of the `vsegrader` command line, against a live test server: whatever the
arguments, paths, files and answers on stdin, it never prints a traceback and ends with a
documented exit code; a failure is one `vsegrader: ...` line (a refused file may add
indented detail lines)."""

import contextlib
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bundles import constant_submission
from tests.cli_helpers import (  # noqa: F401 - the *_fixture imports register fixtures
    cli_home_fixture,
    fresh_throttle_counts_fixture,
    save_login,
    token_for,
)

pytestmark = pytest.mark.django_db(transaction=True)
DOCUMENTED = {0, 1, 2, 3, 4, 5, 6, 7, 130}
COMMANDS = [
    ["c", "list"],
    ["c", "files"],
    ["c", "download"],
    ["c", "submissions"],
    ["c", "submission"],
    ["c", "status"],
    ["c", "final"],
    ["c", "unfinal"],
    ["c", "leaderboard"],
    ["c", "submit"],
    ["competitions", "submit", "-m", "x", "-f"],
    ["config", "view"],
    ["config", "set"],
    ["config", "unset"],
    ["whoami"],
    ["logout"],
    ["login"],
    ["completion"],
    [],
]
WORDS = [
    "tiny-1d",
    "TINY-1D",
    "tiny-1x",
    "nope",
    "-c",
    "-f",
    "-p",
    "-m",
    "-s",
    "-d",
    "-o",
    "-q",
    "-v",
    "--csv",
    "--json",
    "--unzip",
    "--url",
    "--private",
    "--skip-check",
    "--search",
    "--sort-by",
    "url",
    "competition",
    "bash",
    "zsh",
    "1",
    "0",
    "-1",
    "99999999999999999999",
    "sub.csv",
    "data",
    "data/sub.csv",
    "sub.csv/x",
    "missing.csv",
    "/",
    "..",
    "http://",
    "127.0.0.1:1",
    "localhost:0",
    "ftp://x",
    "--with-token",
    "-u",
    "--name",
    "teamCount",
]
ARGUMENT = st.one_of(
    st.sampled_from(WORDS), st.text(st.characters(blacklist_categories=["Cs"]), max_size=10)
)
FILES = st.one_of(
    st.just(constant_submission(0.5)),
    st.binary(max_size=200),
    st.builds(lambda rows: b"id,y\n" + rows.encode(), st.text(max_size=200)),
    st.sampled_from([b"Id,Label\n1,0.0\n", b"PK\x03\x04" + b"\0" * 50, b"\xef\xbb\xbfid,y\r\n"]),
)


@pytest.fixture
def home(live_server, challenge, student, cli_home):
    (cli_home / "data").mkdir()
    return cli_home, live_server.url, student


def run(argv: list[str], stdin: str) -> tuple[int, str]:
    from vsegrader_client.cli import main

    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr("sys.stdin", io.StringIO(stdin))
        try:
            code = main(argv)
        except SystemExit as done:  # --help and --version, as argparse ends them
            code = done.code
    return code, err.getvalue()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    command=st.sampled_from(COMMANDS),
    arguments=st.lists(ARGUMENT, max_size=6),
    content=FILES,
    stdin=st.text(max_size=40),
)
def test_no_argument_vector_ends_in_a_traceback_or_an_undocumented_code(
    home, command, arguments, content, stdin
):
    cli_home, url, student = home
    save_login(cli_home, url, token_for(student))
    (cli_home / "sub.csv").write_bytes(content)
    code, err = run([*command, *arguments], stdin)
    assert "Traceback" not in err
    assert code in DOCUMENTED, (code, err)
    if code not in (0, None):
        first, *rest = err.splitlines() or [""]
        assert first.startswith("vsegrader: "), err
        assert all(line.startswith("  ") for line in rest), err
        assert "unexpected error" not in first, err
