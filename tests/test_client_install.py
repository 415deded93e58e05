"""Installing the client: `pip install ./client` writes nothing into the source tree (it is
built by flit_core, straight from the sources), and the site serves an sdist of it that pip
installs (`pip install http://SITE/client/vsegrader-client.tar.gz`)."""

import os
import shutil
import stat
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parent.parent / "client"
IGNORED = shutil.ignore_patterns("*.egg-info", "__pycache__", "build", "dist")


def pip_install(source: str, target: Path) -> subprocess.CompletedProcess:
    """Offline: the build backend (flit_core) comes from this environment."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-build-isolation",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            source,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def tree(root: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(root)), p.stat().st_size) for p in root.rglob("*"))


def read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def test_installing_from_a_read_only_copy_writes_nothing_into_it(tmp_path):
    source = tmp_path / "client"
    shutil.copytree(CLIENT, source, ignore=IGNORED)
    before = tree(source)
    read_only(source)  # refuses writes for ordinary users; root is checked by the listing
    result = pip_install(str(source), tmp_path / "target")
    assert result.returncode == 0, result.stderr
    assert tree(source) == before
    assert (tmp_path / "target" / "vsegrader_client" / "cli.py").is_file()


@pytest.mark.django_db
def test_the_site_serves_an_sdist_that_pip_installs(client, tmp_path):
    response = client.get("/client/vsegrader-client.tar.gz")
    assert response.status_code == 200 and response["Content-Type"] == "application/gzip"
    with tarfile.open(fileobj=BytesIO(response.content)) as archive:
        names = archive.getnames()
    assert "vsegrader_client-0.1.0/pyproject.toml" in names
    assert "vsegrader_client-0.1.0/vsegrader_client/cli.py" in names
    assert not any("__pycache__" in name or "egg-info" in name for name in names)
    assert client.get("/client/vsegrader-client.tar.gz").content == response.content
    archive_path = tmp_path / "vsegrader-client.tar.gz"
    archive_path.write_bytes(response.content)
    result = pip_install(str(archive_path), tmp_path / "target")
    assert result.returncode == 0, result.stderr
    script = tmp_path / "target" / "bin" / "vsegrader"
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "target")}
    version = subprocess.run(
        [sys.executable, "-m", "vsegrader_client", "--version"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert script.is_file() and version.stdout.strip() == "vsegrader 0.1.0"
