"""Running the `vsegrader` command line in tests: in-process through `main(argv)` (output from
capsys) or as the installed console script, with HOME in a temporary folder.

A test module imports the `*_fixture` functions to get the fixtures `cli`, `cli_home` and
(autouse) `fresh_throttle_counts`."""

import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

CLI_VARIABLES = ("VSEGRADER_URL", "VSEGRADER_TOKEN", "VSEGRADER_CONFIG_DIR")


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


@pytest.fixture(name="fresh_throttle_counts", autouse=True)
def fresh_throttle_counts_fixture():
    """Request counts live in the cache; each test starts from none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(name="cli_home")
def cli_home_fixture(tmp_path, monkeypatch) -> Path:
    """HOME in a temporary folder, no VSEGRADER_* variables, the working folder inside it."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in CLI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(home)
    return home


@pytest.fixture(name="cli")
def cli_fixture(capsys, cli_home):
    """cli("competitions", "list") runs `vsegrader competitions list` in this process."""
    from vsegrader_client.cli import main

    def run(*argv: str) -> Result:
        capsys.readouterr()
        code = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture(name="site")
def site_fixture(live_server, challenge, student):
    """A live site with one challenge and one student."""
    return live_server.url


@pytest.fixture(name="logged_in")
def logged_in_fixture(site, cli_home, student):
    """The live site, with the student's login saved where the client looks for it."""
    save_login(cli_home, site, token_for(student))
    return site


def config_file(home: Path) -> Path:
    return home / ".vsegrader" / "config.json"


def token_for(user) -> str:
    """A new named API token of `user` (knox: one user may have several)."""
    from vsegrader.accounts import tokens

    return tokens.token_create(user=user, name="test")[1]


def save_login(home: Path, url: str, token: str) -> Path:
    from vsegrader_client import config

    return config.save({"url": url, "token": token}, config_file(home))


def closed_port_url() -> str:
    """The address of a port on this machine that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def console_script() -> str:
    found = shutil.which("vsegrader", path=str(Path(sys.executable).parent))
    assert found, "the vsegrader console script is not installed: pip install -e ./client"
    return found


def run_console_script(*argv: str, home: Path, env: dict | None = None) -> Result:
    environment = {k: v for k, v in os.environ.items() if k not in CLI_VARIABLES}
    environment.update({"HOME": str(home), **(env or {})})
    process = subprocess.run(
        [console_script(), *argv],
        env=environment,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    return Result(process.returncode, process.stdout, process.stderr)
