"""Checking a submission file before it is uploaded, with the server's own messages.

With pyarrow installed (`pip install vsegrader-client[fast]`) the check of a large file IS
the server's: vsegrader_client/format, which challenges/scoring imports, so the messages
cannot drift. Without pyarrow, and for files under FAST_FROM_BYTES (importing pyarrow takes
longer than checking them), vsegrader_client/plain.py repeats it in plain Python, held to
the same messages by tests/test_cli_checks.py and tests/test_hostile_files.py.

What the client cannot see it leaves to the server: without the list of the test set's ids
(see `sample_ids`) only the row count is checked, not which ids are there.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from vsegrader_client.format.spec import Target
from vsegrader_client.problems import CannotTell, FileRefused
from vsegrader_client.warmup import FAST_FROM_BYTES, has_pyarrow

__all__ = ["CannotTell", "FileRefused", "Spec", "Target", "check_submission", "sample_ids"]


@dataclass(frozen=True)
class Spec:
    id_column: str
    targets: tuple
    row_count: int

    @classmethod
    def from_api(cls, spec: dict) -> Spec:
        targets = tuple(
            Target(t["name"], t.get("kind", "float"), tuple(t.get("labels") or ()))
            for t in spec["targets"]
        )
        return cls(spec["id_column"], targets, int(spec.get("row_count") or 0))

    @property
    def columns(self) -> list[str]:
        return [self.id_column, *(target.name for target in self.targets)]


def check_submission(
    data: bytes, spec: Spec, expected_ids: Sequence[str] | None = None, *, fast: bool | None = None
) -> None:
    """Raise FileRefused with the messages the server would give for this file.

    `expected_ids`: the test set's ids in the solution's order, when known (a list, or the
    pyarrow array `sample_ids` gives). `fast`: use the server's own check (pyarrow); None
    (the default): for a file of FAST_FROM_BYTES or more, if pyarrow is installed.
    """
    if not data:
        raise FileRefused(["The file is empty."])  # as the server's upload check says
    if use_pyarrow(len(data)) if fast is None else fast:
        from vsegrader_client.format.check import check_file, id_index

        check_file(data, spec.id_column, spec.targets, spec.row_count, id_index(expected_ids))
        return
    from vsegrader_client.plain import check_plain  # here: vsegrader_client.checker needs none

    check_plain(data, spec, None if expected_ids is None else as_list(expected_ids))


def use_pyarrow(size: int) -> bool:
    return size >= FAST_FROM_BYTES and has_pyarrow() and fast_check_imports()


def fast_check_imports() -> bool:
    """Whether the check with pyarrow can be imported. An installed pyarrow may refuse the
    installed numpy (pyarrow 26 needs NumPy 2); the check is then done in plain Python, and
    the student is told once why it is slower."""
    if FAST_CHECK_REFUSED:
        return False
    try:
        import vsegrader_client.format.check  # noqa: F401
    except ImportError as error:
        FAST_CHECK_REFUSED.append(str(error))
        print(
            f"vsegrader: note: pyarrow cannot be used ({error}); the file is checked in "
            "plain Python, which takes longer.",
            file=sys.stderr,
        )
        return False
    return True


FAST_CHECK_REFUSED: list[str] = []  # why, once told


def as_list(ids) -> list[str]:
    return ids.to_pylist() if hasattr(ids, "to_pylist") else list(ids)


# --- the test set's ids ------------------------------------------------------------------


def sample_ids(data: bytes, spec: Spec, *, fast: bool | None = None) -> Sequence[str] | None:
    """The test set's ids from the sample submission, None if unusable: a pyarrow array if
    `fast` (the fast check takes it as it is), a list otherwise. `fast` None: as
    `check_submission` chooses for a file of the sample's size."""
    if not (use_pyarrow(len(data)) if fast is None else fast):
        return ids_from_sample(data, spec)
    from vsegrader_client.format.check import sample_ids as read_sample_ids

    return read_sample_ids(data, spec.id_column, spec.row_count)


def ids_from_sample(data: bytes, spec: Spec) -> list[str] | None:
    """The ids of a sample submission, if it lists `spec.row_count` distinct ids: on vsegrader
    every sample submission lists each test id once (the bundle reader checks it)."""
    try:
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        index = [name.strip() for name in rows[0]].index(spec.id_column)
        ids = [row[index].strip() for row in rows[1:] if row]
    except (UnicodeDecodeError, csv.Error, IndexError, ValueError):
        return None
    if len(ids) != spec.row_count or len(set(ids)) != len(ids):
        return None
    return ids
