"""The check of a large file in a second process, so that it runs beside the command line
instead of after it: importing pyarrow and numpy (0.2-0.3 s) holds the interpreter lock,
so in a thread it would only take turns with the command's own start-up and requests.

vsegrader_client.warmup starts this process as soon as `c submit` names a large file. It
imports the check (vsegrader_client/format, the server's own), reads the file, and reads
it as CSV the way most submission files are laid out (`read_ahead`, on pyarrow's threads
while the rest of the check imports), while the command line asks the server for the
challenge. Then it waits on stdin for the format and the
sample file's bytes, and answers one line of JSON on stdout: {"verdict": "ok"},
{"verdict": "refused", ...} with the messages as the check raised them, or
{"verdict": "unknown"} when it could not check (the command line then checks in its own
process, so a failure here never changes what the student sees).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import IO

# --- the command line's side -------------------------------------------------------------


def verdict(process, spec, sample: bytes | None) -> bool:
    """True if the checking process found the file good; raises FileRefused with its
    messages if it found it bad; False if it could not tell (check it here)."""
    request = {
        "id_column": spec.id_column,
        "targets": [[t.name, t.kind, list(t.labels)] for t in spec.targets],
        "row_count": spec.row_count,
        "sample_size": None if sample is None else len(sample),
    }
    body = json.dumps(request).encode("utf-8") + b"\n" + (sample or b"")
    try:
        with process.stdin, process.stdout:
            process.stdin.write(body)
            process.stdin.close()
            answer = json.loads(process.stdout.readline().decode("utf-8"))
    except (OSError, ValueError):
        return False
    if answer.get("verdict") == "refused":
        from vsegrader_client.format.errors import SubmissionInvalid

        raise SubmissionInvalid(answer["errors"], answer["more"], answer["kinds"])
    return answer.get("verdict") == "ok"


# --- the checking process ----------------------------------------------------------------


def main(path: str) -> None:
    """Checks `path` once the format arrives on stdin; nothing on stdin (the command line
    ended before the check): ends quietly."""
    from vsegrader_client.warmup import import_fast_check

    reader = FileReader(path)  # beside the imports: reading does not hold the interpreter lock
    import pyarrow.csv  # noqa: F401 - what the CSV reader needs, then the rest beside it

    ahead = ReadAhead(reader)
    import_fast_check()
    data, guess = ahead.result()
    line = sys.stdin.buffer.readline()
    if not line:
        return
    answer = check(data, json.loads(line), sys.stdin.buffer, guess)
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
    os._exit(0)  # at once: tearing down pyarrow and the file's memory takes a while


class FileReader(threading.Thread):
    def __init__(self, path: str):
        super().__init__(daemon=True)
        self.path = path
        self.bytes = b""
        self.start()

    def run(self) -> None:
        with open(self.path, "rb") as handle:
            self.bytes = handle.read()

    def data(self) -> bytes:
        self.join()
        return self.bytes


class ReadAhead(threading.Thread):
    """`read_ahead` of the file, while the check's other modules import: pyarrow parses CSV
    without the interpreter lock, on its own threads."""

    def __init__(self, reader: FileReader):
        super().__init__(daemon=True)
        from vsegrader_client.format import csvfile  # noqa: F401 - here, not in two threads

        self.reader = reader
        self.data = b""
        self.guess = None
        self.start()

    def run(self) -> None:
        self.data = self.reader.data()
        self.guess = read_ahead(self.data)

    def result(self) -> tuple[bytes, object]:
        self.join()
        return self.data, self.guess


def read_ahead(data: bytes):
    """(column types, the file read with them) as most submission files are laid out (the
    id first, as text, then number columns), read while the format is on its way: the
    check uses it if the format is that. None if the file is not laid out so."""
    import pyarrow as pa

    from vsegrader_client.format.csvfile import read_csv
    from vsegrader_client.format.text import read_header, text_start

    try:
        names, _ = read_header(data, text_start(data))
        if len(names) < 2 or "" in names or len(set(names)) != len(names):
            return None
        types = {names[0]: pa.string(), **{name: pa.float64() for name in names[1:]}}
        return types, read_csv(data, types)
    except Exception:  # noqa: BLE001 - whatever it is, the check meets it again and says it
        return None


def check(data: bytes, request: dict, stream: IO[bytes], guess=None) -> dict:
    """The verdict on `data` for the format in `request` (the sample file's bytes follow
    it on `stream`); `guess`: what read_ahead read."""
    from vsegrader_client.checks import Spec, Target, sample_ids
    from vsegrader_client.format.check import check_file, column_types, id_index
    from vsegrader_client.format.errors import SubmissionInvalid

    spec = Spec(
        request["id_column"],
        tuple(Target(name, kind, tuple(labels)) for name, kind, labels in request["targets"]),
        int(request["row_count"]),
    )
    size = request["sample_size"]
    sample = None if size is None else stream.read(size)
    types = column_types(spec.id_column, spec.targets)
    read = guess[1] if guess and list(guess[0].items()) == list(types.items()) else None
    try:
        if not data:
            return {"verdict": "unknown"}  # the command line says so, in its own words
        index = id_index(None if sample is None else sample_ids(sample, spec))
        check_file(data, spec.id_column, spec.targets, spec.row_count, index, read=read)
    except SubmissionInvalid as refused:
        errors, more, kinds = refused._arguments
        return {"verdict": "refused", "errors": errors, "more": more, "kinds": kinds}
    except Exception:  # noqa: BLE001 - the command line checks it itself
        return {"verdict": "unknown"}
    return {"verdict": "ok"}


if __name__ == "__main__":
    main(sys.argv[1])
