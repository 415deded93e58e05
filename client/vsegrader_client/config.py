"""~/.vsegrader/config.json: the server's address and the API token.

The file is written with mode 0600 (the token lets anyone submit in your name); reading one
that others may read prints a warning. VSEGRADER_URL and VSEGRADER_TOKEN override it, and
VSEGRADER_CONFIG_DIR moves it.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from vsegrader_client.errors import NOT_AUTHORIZED, CliError

DEFAULT_URL = "http://127.0.0.1:8000"
FILE_NAME = "config.json"


@dataclass
class Config:
    url: str
    token: str | None
    username: str | None = None
    token_source: str = "none"  # "env", "file" or "none": where the token came from
    competition: str | None = None  # the default challenge (`config set competition SLUG`)
    url_source: str = "default"  # "option", "env", "file" or "default"

    def require_token(self) -> str:
        if not self.token:
            raise CliError(
                "Not logged in: run `vsegrader login` (or set VSEGRADER_TOKEN).", NOT_AUTHORIZED
            )
        return self.token


def config_dir() -> Path:
    return Path(os.environ.get("VSEGRADER_CONFIG_DIR") or Path.home() / ".vsegrader")


def config_path() -> Path:
    return config_dir() / FILE_NAME


def read_file(path: Path | None = None) -> dict:
    """The saved settings ({} if there are none); warns if others may read the file."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise CliError(f"Could not read {path}: {error.strerror}") from error
    warn_if_exposed(path)
    try:
        data = json.loads(text)
    except ValueError as error:
        raise CliError(f"{path} is not valid JSON ({error}); fix or delete it.") from error
    return data if isinstance(data, dict) else {}


def load(url: str | None = None) -> Config:
    """The effective settings: an explicit URL, then the environment, then the file."""
    saved = read_file()
    env_token = os.environ.get("VSEGRADER_TOKEN")
    token, source = (env_token, "env") if env_token else (saved.get("token"), "file")
    chosen_url, url_source = first_set(
        (url, "option"),
        (os.environ.get("VSEGRADER_URL"), "env"),
        (saved.get("url"), "file"),
        (DEFAULT_URL, "default"),
    )
    competition = os.environ.get("VSEGRADER_COMPETITION") or saved.get("competition")
    return Config(
        url=normalize_url(chosen_url),
        token=token or None,
        username=saved.get("username") if source == "file" else None,
        token_source=source if token else "none",
        competition=str(competition) if competition else None,
        url_source=url_source,
    )


def first_set(*choices):
    return next((value, source) for value, source in choices if value)


def normalize_url(url: str) -> str:
    """'grader.example.org/' -> 'http://grader.example.org'; a path (an address copied
    from a page, '.../challenges/x/') is cut to the site's root."""
    url = str(url).strip()
    if "://" not in url:
        url = "http://" + url
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if scheme.lower() not in ("http", "https") or not host:
        raise CliError(f"Not a web address: {url!r} (give e.g. https://grader.example.org)", 2)
    return f"{scheme.lower()}://{host}"


def set_value(name: str, value: str | None, path: Path | None = None) -> Path:
    """Saves (or with None removes) one setting, keeping the others."""
    saved = read_file(path)
    if value is None:
        saved.pop(name, None)
    else:
        saved[name] = value
    return save(saved, path)


def save(settings: dict, path: Path | None = None) -> Path:
    """Writes the settings readable by the owner only (0600, in a 0700 folder)."""
    path = path or config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(settings, handle, indent=2)
        handle.write("\n")
    os.chmod(temporary, 0o600)  # O_CREAT's mode is ignored for a file that already existed
    os.replace(temporary, path)
    return path


def forget_token(path: Path | None = None) -> Path | None:
    """Removes the token from the file, keeping the URL; returns the file if it changed."""
    path = path or config_path()
    saved = read_file(path)
    if "token" not in saved:
        return None
    saved.pop("token")
    return save(saved, path)


def warn_if_exposed(path: Path) -> None:
    if os.name == "nt":
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        print(
            f"Warning: {path} is readable by other users of this computer; run `chmod 600 {path}`.",
            file=sys.stderr,
        )
