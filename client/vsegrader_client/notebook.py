"""The Python API, for notebooks: the command line's settings and checks, as calls.

from vsegrader_client import Client
c = Client()                                  # same config and env as the CLI
c.check("glasses", df)                        # raises FileRefused with the server's words
s = c.submit("glasses", df, message="resnet18", wait=True)
c.download("glasses", "data/")
c.submissions("glasses"); c.leaderboard("glasses")  # DataFrames when pandas is there
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from vsegrader_client import config
from vsegrader_client.api import Api
from vsegrader_client.checks import Spec, check_submission
from vsegrader_client.errors import INVALID_FILE, CliError
from vsegrader_client.submitting import expected_ids, refuse_if_used_up


@dataclass
class Submission:
    id: int
    status: str
    public_score: float | None = None
    private_score: float | None = None
    error: str | None = None
    description: str | None = None
    file_name: str | None = None
    created_at: str | None = None
    is_final: bool = False
    is_late: bool = False


@dataclass
class BoardRow:
    rank: int | None
    team_id: str
    team_name: str
    score: float
    last_submission: str | None = None


def pick(cls, data: dict):
    names = {field.name for field in fields(cls)}
    return cls(**{key: value for key, value in data.items() if key in names})


def as_frame(rows: list) -> Any:
    try:
        import pandas
    except ImportError:
        return rows
    return pandas.DataFrame([row.__dict__ for row in rows])


def to_bytes(data) -> tuple[str, bytes]:
    """(file name, CSV bytes) of a DataFrame, a path, or bytes."""
    if hasattr(data, "to_csv"):
        return "submission.csv", data.to_csv(index=False).encode("utf-8")
    if isinstance(data, (bytes, bytearray)):
        return "submission.csv", bytes(data)
    path = Path(data)
    return path.name, path.read_bytes()


def progress(total: int, label: str):
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=label, unit="B", unit_scale=True)


class Client:
    def __init__(self, url: str | None = None, token: str | None = None):
        settings = config.load(url)
        self.api = Api(settings.url, token or settings.require_token())

    def check(self, slug: str, data) -> None:
        """Raises CliError (exit_code 5) with the server's messages if the file would fail."""
        from vsegrader_client.checks import FileRefused

        challenge = self.api.challenge(slug.lower())
        spec = Spec.from_api(challenge["submission_spec"])
        try:
            check_submission(to_bytes(data)[1], spec, expected_ids(self.api, challenge, spec))
        except FileRefused as refused:
            raise CliError(str(refused), INVALID_FILE, refused.errors) from None

    def submit(
        self, slug: str, data, message: str, wait: bool = False, timeout: float = 600
    ) -> Submission:
        slug = slug.lower()
        refuse_if_used_up(self.api.status(slug))
        name, body = to_bytes(data)
        self.check(slug, body)
        bar = progress(len(body), f"Uploading {name}")
        sent = self.api.submit(slug, name, body, message, bar.update if bar else None)
        if bar:
            bar.close()
        if wait:
            sent = self.api.poll(sent["id"], timeout=timeout)
        return pick(Submission, sent)

    def download(self, slug: str, folder: str | Path = ".") -> list[Path]:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for data_file in self.api.challenge(slug.lower())["files"]:
            target = folder / Path(data_file["name"]).name
            bar = progress(data_file.get("size") or 0, f"Downloading {target.name}")
            path = f"/api/challenges/{slug.lower()}/files/{data_file['name']}"
            self.api.download(path, target, on_bytes=bar.update if bar else None)
            if bar:
                bar.close()
            paths.append(target)
        return paths

    def submissions(self, slug: str, frame: bool = True):
        rows = [pick(Submission, s) for s in self.api.submissions(slug.lower())]
        return as_frame(rows) if frame else rows

    def leaderboard(self, slug: str, split: str = "public", frame: bool = True):
        board = self.api.leaderboard(slug.lower(), split)["rows"]
        rows = [pick(BoardRow, {**r, "team_name": r.get("team_name")}) for r in board]
        return as_frame(rows) if frame else rows


__all__ = ["BoardRow", "Client", "Submission"]
