"""The client's source distribution, served from the site so that a student can run
`pip install https://SITE/client/vsegrader-client.tar.gz`.

The archive is built in memory from the `client/` folder of this repository when it is
first asked for (and again when a file there changes): nothing is written anywhere, so a
read-only checkout serves it as well. pip builds it with the client's own build backend.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import threading
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse

CLIENT_DIR = Path(settings.BASE_DIR) / "client"
SKIPPED_PARTS = {"__pycache__", "build", "dist", ".pytest_cache"}
FIXED_MTIME = 1577836800  # 2020-01-01: wheels (zip) cannot hold times before 1980
_cache: dict[tuple, bytes] = {}
_lock = threading.Lock()


def source_files(root: Path = CLIENT_DIR) -> list[Path]:
    files = [root / "pyproject.toml", root / "README.md"]
    files += sorted((root / "vsegrader_client").rglob("*.py"))
    return [
        path
        for path in files
        if path.is_file() and not SKIPPED_PARTS & set(path.relative_to(root).parts)
    ]


def version(root: Path = CLIENT_DIR) -> str:
    for line in (root / "pyproject.toml").read_text(encoding="utf-8").splitlines():
        if line.startswith("version"):
            return line.split("=", 1)[1].strip().strip('"')
    return "0"


def build_sdist(root: Path = CLIENT_DIR) -> bytes:
    """A reproducible .tar.gz: fixed times and owners, files in a fixed order."""
    top = f"vsegrader_client-{version(root)}"
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as zipped,
        tarfile.open(fileobj=zipped, mode="w") as archive,
    ):
        for path in source_files(root):
            data = path.read_bytes()
            info = tarfile.TarInfo(f"{top}/{path.relative_to(root).as_posix()}")
            info.size, info.mode, info.mtime = len(data), 0o644, FIXED_MTIME
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def cached_sdist() -> bytes:
    files = source_files()
    key = tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in files)
    with _lock:
        if key not in _cache:
            _cache.clear()
            _cache[key] = build_sdist()
        return _cache[key]


def client_sdist(request):
    if not (CLIENT_DIR / "pyproject.toml").is_file():
        raise Http404("The client's sources are not part of this installation.")
    response = HttpResponse(cached_sdist(), content_type="application/gzip")
    response["Content-Disposition"] = 'attachment; filename="vsegrader-client.tar.gz"'
    return response
