"""The two verdicts on one submission file, the server's scorer and the client's check, and
what every refusal message must look like: shared by the hostile-file properties
(tests/test_hostile_files.py, test_hostile_uploads.py) and the tests that compare the
server's and the client's messages."""

from __future__ import annotations

import re

from vsegrader_client import checks

from challenges.scoring import SubmissionInvalid, score_submission, validate_submission
from tests.hostile import Case, case

MAX_MESSAGE = 240
SPECIFIC = [
    re.compile(pattern)
    for pattern in (
        r"The file must be UTF-8 encoded "
        r"\((found UTF-(16|32)|line \d+ has bytes that are not UTF-8)\)",
        r"The file is empty",
        r"The file is not a CSV text file \(it contains binary data\)",
        r"The first line \(the header\) is too long to be a header",
        r"The first line must be a header naming the columns",
        r"Columns must be separated by commas; this file seems to use (';'|tabs|'\|')",
        r"Required column '[^']+' could not be found",
        r"Column \d+ of the header has no name( \(was a pandas index saved\? .*\))?",
        r"Column .+ appears more than once",
        r"Unexpected column .+",
        r"A quoted value spans several lines; each row must be on one line",
        r"Line \d+ is too long \([\d,]+ bytes; a row should be short\)",
        r"Line \d+ has \d+ columns?; expected \d+",
        r"Column '[^']+' line \d+: (missing value|NaN is not allowed|infinity is not allowed"
        r"|.+ is not a number|.+ is not one of the allowed labels .+"
        r"|.+ is not a probability between 0 and 1|.+ is too large .+)",
        r"Submission must have \d+ rows \(found \d+\)",
        r"Unknown id .+ on line \d+",
        r"Duplicate id .+ on lines? \d+((, \d+)*( and \d+)?( and \d+ more lines)?)",
        r"Missing ids: (1 id of the test set is absent: .+"
        r"|\d+ ids of the test set are absent, e\.g\. .+)",
        r"and \d+ more problems?",
    )
]
LINE_NUMBERS = re.compile(r"[Ll]ines? (\d+(?:(?:, | and )\d+)*)")


def server_verdict(data: bytes, c: Case, *, shadow: bool = False):
    """The scores, or the messages of the refusal; any other exception fails the test."""
    try:
        if shadow:
            return validate_submission(data, c.spec, c.shadow)
        return score_submission(data, c.spec, c.solution)
    except SubmissionInvalid as invalid:
        return invalid.errors


def client_verdict(data: bytes, c: Case, *, fast: bool = False) -> list[str] | None:
    """The plain-Python check (no pyarrow) unless `fast`: the shared pyarrow check."""
    spec = checks.Spec.from_api(
        {
            "id_column": c.spec.id_column,
            "row_count": c.spec.row_count,
            "targets": [
                {"name": t.name, "kind": t.kind, "labels": list(t.labels)} for t in c.spec.targets
            ],
        }
    )
    try:
        checks.check_submission(data, spec, list(c.ids), fast=fast)
    except checks.FileRefused as refused:
        return refused.errors
    return None


def line_count(data: bytes) -> int:
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n") + 1


def check_messages(messages: list[str], data: bytes, c: Case) -> None:
    assert 1 <= len(messages) <= 11, messages
    for message in messages:
        assert isinstance(message, str) and message.strip(), messages
        assert len(message) <= MAX_MESSAGE, f"too long to show ({len(message)}): {message[:300]}"
        assert any(p.fullmatch(message) for p in SPECIFIC), f"not specific: {message!r}"
        for numbers in LINE_NUMBERS.findall(message):
            for number in map(int, re.findall(r"\d+", numbers)):
                assert 1 <= number <= line_count(data), message
        assert not [value for value in c.hidden if value in message], message


def both_verdicts(data: bytes, slug: str = "fitting-1d"):
    c = case(slug)
    return server_verdict(data, c), client_verdict(data, c)


def clean_file(slug: str = "fitting-1d", value: str = "0.5") -> list[str]:
    c = case(slug)
    return [",".join(c.header), *(f"{i},{value}" for i in c.ids)]
