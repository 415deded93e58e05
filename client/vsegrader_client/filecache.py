"""The challenge files the command line reads itself (the sample submission, whose ids the
local check needs), kept in ~/.vsegrader/cache between commands: a second `c submit` does
not download them again.

A cached copy is used only while the server lists the same version of the file: the same
`created_at` (an import stores a file anew only when its content changed) and the same
size. A newer version replaces it; a server that does not date its files is asked every
time.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from vsegrader_client import config
from vsegrader_client.api import Api, ApiError, segment


def data_file(api: Api, challenge: dict, name: str) -> bytes | None:
    """The challenge's file `name`: cached, or downloaded (and cached); None if the server
    has no such file."""
    entry = listed_file(challenge, name)
    slot = cache_slot(api.url, challenge["slug"], name)
    version = version_of(entry) if entry else None
    if version is not None:
        cached = read_cached(slot, version, entry["size"])
        if cached is not None:
            return cached
    try:
        data = api.fetch_bytes(
            f"/api/challenges/{segment(challenge['slug'])}/files/{segment(name)}"
        )
    except ApiError as error:
        if error.status == 404:
            return None
        raise
    if version is not None and len(data) == entry["size"]:
        store(slot, version, data)
    return data


def listed_file(challenge: dict, name: str) -> dict | None:
    return next((f for f in challenge.get("files") or [] if f.get("name") == name), None)


def version_of(entry: dict) -> str | None:
    """What tells one version of a file from the next; None if the server does not say."""
    created_at, size = entry.get("created_at"), entry.get("size")
    if not created_at or not isinstance(size, int):
        return None
    return digest(f"{created_at}\n{size}")


def cache_slot(url: str, slug: str, name: str) -> Path:
    """Where the versions of one file of one site's challenge are kept (at most one)."""
    return config.config_dir() / "cache" / digest(f"{url}\n{slug}\n{name}")


def digest(text: str) -> str:
    import hashlib  # here: `c list` and the others need none of it

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def read_cached(slot: Path, version: str, size: int) -> bytes | None:
    try:
        data = (slot / version).read_bytes()
    except OSError:
        return None
    return data if len(data) == size else None


def store(slot: Path, version: str, data: bytes) -> None:
    """Keeps `data` as the file's only cached version; a cache that cannot be written
    (a read-only home) is no error."""
    with contextlib.suppress(OSError):
        for folder in (slot.parent.parent, slot.parent, slot):  # the token's folder first
            folder.mkdir(mode=0o700, exist_ok=True)
        for old in slot.iterdir():
            if old.name != version:
                old.unlink()
        temporary = slot / f".{version}.{os.getpid()}.part"
        temporary.write_bytes(data)
        os.replace(temporary, slot / version)
