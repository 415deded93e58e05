"""The Python API, for notebooks: the command line's settings and checks, as calls.

from vsegrader_client import Client, CliError
c = Client()                                  # same config and env as the CLI
c.check("glasses", df)                        # raises CliError with the CLI's problems and hints
s = c.submit("glasses", df, message="resnet18", wait=True)
c.status("glasses")                           # left today, reset time, deadline, rank, finals
c.download("glasses", "data/")
c.submissions("glasses"); c.leaderboard("glasses")  # DataFrames when pandas is there
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from vsegrader_client import config
from vsegrader_client.api import Api
from vsegrader_client.board import team_id
from vsegrader_client.checks import Spec
from vsegrader_client.errors import USAGE, CliError, RefusedFile
from vsegrader_client.submitting import (
    check_before_upload,
    read_submission,
    refuse_if_used_up,
    used_up,
)


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
    team_id: int | str  # as the command line shows it: a student's number, 'b…' a baseline
    team_name: str
    score: float
    last_submission: str | None = None


@dataclass
class Status:
    """What `vsegrader c status` shows. The limits are None for an instructor (no quota);
    `deadline` is yours (an extension included); times carry the course's offset."""

    challenge: str
    title: str | None = None
    remaining_today: int | None = None
    daily_limit: int | None = None
    resets_at: datetime | None = None
    remaining_total: int | None = None
    total_limit: int | None = None
    failed_remaining_today: int | None = None
    failed_daily_limit: int | None = None
    deadline: datetime | None = None
    time_zone: str | None = None
    is_open: bool = True
    submissions: int = 0
    best_public_score: float | None = None
    rank: int | None = None
    participants: int | None = None
    finals: list[int] = field(default_factory=list)
    final_selections: int | None = None
    metric: str | None = None
    higher_is_better: bool = False

    @classmethod
    def from_api(cls, status: dict) -> Status:
        quota = status.get("quota") or {}
        times = {
            "deadline": parse_time(status.get("your_deadline") or status.get("deadline")),
            "resets_at": parse_time(quota.get("resets_at")),
        }
        return pick(cls, {**status, **quota, **times})


def pick(cls, data: dict):
    names = {field.name for field in fields(cls)}
    return cls(**{key: value for key, value in data.items() if key in names})


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 time as the API sends it, with its offset ('Z' too, for Python 3.9)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


# --- DataFrames ---------------------------------------------------------------------------


def as_frame(rows: list, cls, times: tuple[str, ...] = ()) -> Any:
    """A DataFrame with the dataclass's columns (no rows too), `times` as UTC datetimes;
    the rows themselves without pandas."""
    try:
        import pandas
    except ImportError:
        return rows
    columns = [f.name for f in fields(cls)]
    frame = pandas.DataFrame([row.__dict__ for row in rows], columns=columns)
    for name in times:
        frame[name] = frame_times(pandas, frame[name])
    return frame


def frame_times(pandas, values):
    try:
        return pandas.to_datetime(values, utc=True, format="ISO8601")
    except ValueError:  # pandas 1.x knows no "ISO8601" format
        return pandas.to_datetime(values, utc=True)


def board_row(row: dict) -> BoardRow:
    name = row.get("team_name") or row.get("name")
    return pick(BoardRow, {**row, "team_name": name, "team_id": team_id(row.get("team_id"))})


# --- the file to check and send -----------------------------------------------------------


def to_bytes(data, spec: Spec) -> tuple[str, bytes]:
    """(file name, CSV bytes) of a DataFrame, CSV text (a str with a newline), bytes, or a
    path (a str without a newline, or a Path)."""
    if hasattr(data, "to_csv"):
        text = data.to_csv(index=keeps_index(data, spec))
        return "submission.csv", text.encode("utf-8")
    if isinstance(data, (bytes, bytearray)):
        return "submission.csv", bytes(data)
    if isinstance(data, str) and "\n" in data:
        return "submission.csv", data.encode("utf-8")
    if not isinstance(data, (str, os.PathLike)):
        raise CliError(
            f"Cannot submit a {type(data).__name__}: give a DataFrame, CSV text, bytes or a path.",
            USAGE,
        )
    path = Path(data)
    if path.is_dir():  # said here: the command line's words name its -f
        raise CliError(f"{path} is a folder, not a file.", USAGE)
    return path.name, read_submission(path)


def keeps_index(frame, spec: Spec) -> bool:
    """Whether the index is one of the format's columns (df.set_index("id")): it is then
    written as a column. An unnamed index (a RangeIndex) is not."""
    present = set(getattr(frame, "columns", ()))
    names = [name for name in frame.index.names if name is not None]
    return any(name in spec.columns and name not in present for name in names)


def check_file(api: Api, challenge: dict, body: bytes, *, submitting: bool) -> None:
    """The command line's check: its summary, problem lines and hints, as a RefusedFile
    (`check` sends nothing, so it does not say "Not submitted")."""
    try:
        check_before_upload(api, challenge, body)
    except RefusedFile as refused:
        if submitting:
            raise
        raise RefusedFile(refused.summary, refused.details, submitting=False) from None


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
        """Raises RefusedFile (a CliError, exit_code 5) with the messages and hints the
        command line gives if the server would refuse the file."""
        challenge = self.api.challenge(slug.lower())
        _, body = to_bytes(data, Spec.from_api(challenge["submission_spec"]))
        check_file(self.api, challenge, body, submitting=False)

    def submit(
        self, slug: str, data, message: str, wait: bool = False, timeout: float = 600
    ) -> Submission:
        slug = slug.lower()
        challenge = self.api.challenge(slug)  # the quota, the deadline and the file's format
        if used_up(challenge):
            refuse_if_used_up(self.api.status(slug))  # the status names the time zone
        name, body = to_bytes(data, Spec.from_api(challenge["submission_spec"]))
        check_file(self.api, challenge, body, submitting=True)
        bar = progress(len(body), f"Uploading {name}")
        sent = self.api.submit(slug, name, body, message, bar.update if bar else None)
        if bar:
            bar.close()
        if wait:
            sent = self.api.poll(sent["id"], timeout=timeout)
        return pick(Submission, sent)

    def status(self, slug: str) -> Status:
        """Left today, the reset time, the deadline, the best public score, rank, finals."""
        return Status.from_api(self.api.status(slug.lower()))

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
        return as_frame(rows, Submission, ("created_at",)) if frame else rows

    def leaderboard(self, slug: str, split: str = "public", frame: bool = True):
        rows = [board_row(r) for r in self.api.leaderboard(slug.lower(), split)["rows"]]
        return as_frame(rows, BoardRow, ("last_submission",)) if frame else rows


__all__ = ["BoardRow", "Client", "RefusedFile", "Status", "Submission"]
