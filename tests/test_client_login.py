"""The `vsegrader` command line's login and configuration against a live test server:
login asks for the address and checks it before the password, says when a server is not a
vsegrader site, replaces this machine's previous token; logout revokes only its own;
config and a default competition; global options before or after the subcommand."""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.cli_helpers import (  # noqa: F401 - the *_fixture imports register fixtures
    cli_fixture,
    cli_home_fixture,
    closed_port_url,
    config_file,
    fresh_throttle_counts_fixture,
    logged_in_fixture,
    save_login,
    site_fixture,
    token_for,
)

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-for-tests-1"


@pytest.fixture
def other_site():
    """A web server that is not a vsegrader site (it answers every request with HTML)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>hello</html>")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_default_competition_is_used_when_no_slug_is_given(cli, logged_in, cli_home):
    assert cli("config", "set", "competition", "Tiny-1D").code == 0
    assert json.loads(config_file(cli_home).read_text())["competition"] == "tiny-1d"
    assert cli("c", "files", "--json").code == 0
    view = cli("config", "view").out
    assert "competition: tiny-1d" in view and f"url: {logged_in} (file)" in view
    assert cli("config", "unset", "competition").code == 0
    missing = cli("c", "files")
    assert missing.code == 2 and "config set competition" in missing.err


def test_a_default_competition_the_site_does_not_know_is_refused_before_it_is_saved(
    cli, logged_in, cli_home
):
    refused = cli("config", "set", "competition", "tiny-1")
    assert refused.code == 1 and "No challenge 'tiny-1'" in refused.err
    assert "did you mean tiny-1d?" in refused.err
    assert "competition" not in json.loads(config_file(cli_home).read_text())
    config_file(cli_home).unlink()  # not logged in: saved, and said to be unchecked
    saved = cli("config", "set", "competition", "tiny-1")
    assert saved.code == 0 and "; not checked: " in saved.out


def test_global_options_come_before_or_after_the_subcommand(cli, site, cli_home, student):
    save_login(cli_home, closed_port_url(), token_for(student))
    assert cli("c", "list", "--url", site).code == 0
    assert cli("--url", site, "c", "list").code == 0
    assert cli("c", "--url", site, "list").code == 0


def test_login_asks_for_the_address_and_checks_it_before_the_password(cli, cli_home, monkeypatch):
    answers = io.StringIO(f"{closed_port_url()}\nalice\n{PASSWORD}\n")
    monkeypatch.setattr("sys.stdin", answers)
    result = cli("login")
    assert result.code == 4 and result.err.startswith("vsegrader: Could not reach the server")
    assert answers.read() == f"alice\n{PASSWORD}\n"  # the password was never asked for


def test_login_says_when_the_server_is_not_a_vsegrader_site(cli, cli_home, other_site, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(f"alice\n{PASSWORD}\n"))
    result = cli("login", "--url", other_site)
    assert result.code == 1 and "is not a vsegrader site" in result.err


def test_login_with_an_address_copied_from_a_page_uses_the_sites_root(
    cli, site, cli_home, monkeypatch
):
    monkeypatch.setattr("sys.stdin", io.StringIO(f"alice\n{PASSWORD}\n"))
    result = cli("login", "--url", f"{site}/challenges/tiny-1d/")
    assert result.code == 0, result.err
    assert json.loads(config_file(cli_home).read_text())["url"] == site


def test_logout_on_one_machine_leaves_the_other_logins_working(
    cli, site, cli_home, student, monkeypatch
):
    script_token = token_for(student)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"alice\n{PASSWORD}\n"))
    assert cli("login", "--url", site, "--name", "laptop").code == 0
    assert [t.label.name for t in student.auth_token_set.all()] == ["test", "laptop"]
    assert cli("logout").code == 0
    assert [t.label.name for t in student.auth_token_set.all()] == ["test"]
    save_login(cli_home, site, script_token)
    assert cli("whoami").code == 0


def test_logging_in_again_on_one_machine_revokes_its_previous_token(
    cli, site, cli_home, student, monkeypatch
):
    script_token = token_for(student)  # another machine's: it keeps working
    for name in ("laptop", "laptop again"):
        monkeypatch.setattr("sys.stdin", io.StringIO(f"alice\n{PASSWORD}\n"))
        result = cli("login", "--url", site, "--name", name)
        assert result.code == 0, result.err
    assert "previous token is revoked" in result.out
    assert [t.label.name for t in student.auth_token_set.all()] == ["test", "laptop again"]
    save_login(cli_home, site, script_token)
    assert cli("whoami").code == 0


def test_a_pasted_token_the_server_refuses_is_said_in_login_s_words(
    cli, site, cli_home, monkeypatch
):
    monkeypatch.setattr("sys.stdin", io.StringIO("not-a-token\n"))
    result = cli("login", "--url", site, "--with-token")
    assert result.code == 3
    assert "copy it again from the site's API token page" in result.err
    assert "run `vsegrader login`" not in result.err


def test_config_view_says_when_no_address_is_saved(cli, cli_home, site):
    assert (
        cli("config", "view").out.splitlines()[0].startswith("url: none saved (`vsegrader login`")
    )
    assert cli("config", "set", "url", site).code == 0
    assert cli("config", "view").out.splitlines()[0] == f"url: {site} (file)"
