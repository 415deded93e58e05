"""Thousands of generated hostile submission files against the pure scorer and the client's
local checker (strategies: tests/hostile.py). No Django needed:

    pytest -p no:django tests/test_hostile_files.py

Every file either scores (only if it is valid, and then exactly as the clean file it was
made from) or is refused with short, specific messages that name what to fix and never
depend on the hidden answers. The client's checker never crashes and never refuses what the
server accepts. The number of files tried is printed at the end of the module.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from vsegrader_client import checks

from challenges.scoring import SubmissionInvalid, score_submission, validate_submission
from tests import hostile
from tests.hostile import Case, Hostile, case, hostile_files

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

TRIED: Counter[str] = Counter()


def hostile_settings(examples: int):
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


@pytest.fixture(scope="module", autouse=True)
def report_count(request):
    yield
    counts = ", ".join(f"{family} {count}" for family, count in sorted(TRIED.items()))
    line = f"hostile files tried: {sum(TRIED.values())} ({counts})"
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():  # shown without -s
        print(f"\n{line}")


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


def check(file: Hostile) -> None:
    TRIED[file.family] += 1
    c = case(file.slug)
    verdict = server_verdict(file.data, c)
    if isinstance(verdict, list):
        assert file.valid is not True, f"a valid file was refused: {verdict}"
        check_messages(verdict, file.data, c)
        if file.exact is not None:
            assert verdict == list(file.exact)
        if file.line is not None:
            assert any(re.search(rf"\b[Ll]ines? (\d+, )*{file.line}\b", m) for m in verdict)
        assert server_verdict(file.data, c, shadow=True) == verdict, "depends on hidden values"
    else:
        assert file.valid is not False, f"a broken file scored: {verdict}"
        assert math.isfinite(verdict.public) and math.isfinite(verdict.private), verdict
        assert not isinstance(server_verdict(file.data, c, shadow=True), list)
        if file.clean is not None:
            assert verdict == server_verdict(file.clean, c)
    check_client(file, c, verdict)


def check_client(file: Hostile, c: Case, verdict) -> None:
    """The client's plain-Python checker gives the server's messages, or leaves the file to
    the server; with pyarrow, the client gives exactly the server's verdict."""
    refused = client_verdict(file.data, c)
    fast = client_verdict(file.data, c, fast=True)
    if file.data == b"":  # the upload refuses it before scoring, and the client says so
        assert refused == fast == ["The file is empty."]
    elif not isinstance(verdict, list):
        assert refused is None, f"the client refuses a file the server scores: {refused}"
        assert fast is None, f"the fast check refuses a file the server scores: {fast}"
    else:
        assert fast == verdict
        if refused is not None:
            assert refused == verdict


# --- one property per family of hostile files (about 4,000 files in all) ------------------


@hostile_settings(400)
@given(hostile_files([hostile.harmless]))
def test_harmless_variants_score_exactly_as_the_clean_file(file):
    check(file)


@hostile_settings(250)
@given(hostile_files([hostile.encodings]))
def test_wrong_encodings_and_byte_order_marks(file):
    check(file)


@hostile_settings(150)
@given(hostile_files([hostile.separators]))
def test_other_separators(file):
    check(file)


@hostile_settings(300)
@given(hostile_files([hostile.quoting]))
def test_quoted_and_multi_line_values(file):
    check(file)


@hostile_settings(700)
@given(hostile_files([hostile.bad_cells]))
def test_bad_values_nan_infinity_and_huge_numbers(file):
    check(file)


@hostile_settings(400)
@given(hostile_files([hostile.id_problems]))
def test_repeated_missing_extra_and_respelled_ids(file):
    check(file)


@hostile_settings(400)
@given(hostile_files([hostile.column_problems]))
def test_missing_extra_repeated_and_unnamed_columns(file):
    check(file)


@hostile_settings(250)
@given(hostile_files([hostile.blank_lines]))
def test_blank_lines(file):
    check(file)


@hostile_settings(400)
@given(hostile_files([hostile.binary_garbage]))
def test_binary_garbage(file):
    check(file)


@hostile_settings(12)
@given(hostile_files([hostile.enormous_lines]))
def test_enormous_lines(file):
    check(file)


@hostile_settings(800)
@given(hostile_files([hostile.combinations]))
def test_combinations_of_damage(file):
    check(file)


# --- the bugs these properties found, one example each ------------------------------------


def both_verdicts(data: bytes, slug: str = "fitting-1d"):
    c = case(slug)
    return server_verdict(data, c), client_verdict(data, c)


def clean_file(slug: str = "fitting-1d", value: str = "0.5") -> list[str]:
    c = case(slug)
    return [",".join(c.header), *(f"{i},{value}" for i in c.ids)]


def test_a_repeated_long_column_name_is_quoted_short():
    name = "x" * 5000
    data = "\n".join(clean_file()).replace("id,y", f"id,y,{name},{name}", 1).encode()
    server, client = both_verdicts(data)
    assert (
        server
        == client
        == [f"Unexpected column '{'x' * 40}'…", f"Column '{'x' * 40}'… appears more than once"]
    )


def test_numbers_too_large_to_score_are_refused_not_scored_infinite():
    lines = clean_file()
    lines[3] = lines[3].split(",")[0] + ",1e200"
    server, client = both_verdicts("\n".join(lines).encode())
    limit = "(numbers must lie between -1e100 and 1e100)"
    assert server == client == [f"Column 'y' line 4: 1e+200 is too large to score {limit}"]
    lines[3] = lines[3].split(",")[0] + ",-1e100"  # the limit itself still scores
    assert math.isfinite(both_verdicts("\n".join(lines).encode())[0].private)


def test_a_header_of_thousands_of_names_is_refused_name_by_name():
    # Its speed (a dict, not names.index: 1.7 s -> 0.02 s) is no test's to time: CI is shared.
    data = ("id,y," + ",".join(map(str, range(12_000))) + "\n40,1\n").encode()
    server, client = both_verdicts(data)
    assert server == client and server[:2] == ["Unexpected column '0'", "Unexpected column '1'"]


def test_rows_after_a_value_spanning_lines_are_not_misnumbered():
    lines = clean_file("glasses", "0")
    lines[1], lines[2] = '"80', '",0'  # one row over lines 2-3; then an unclosed quote
    lines[3] = '"' + lines[3]
    server, client = both_verdicts("\n".join(lines).encode(), "glasses")
    assert server == client == ["A quoted value spans several lines; each row must be on one line"]


def test_the_client_skips_a_byte_order_mark_where_the_rows_begin_as_the_server_does():
    lines = clean_file()
    lines[1] = "\ufeff" + lines[1]
    server, client = both_verdicts("\n".join(lines).encode())
    assert not isinstance(server, list) and client is None


def test_the_client_leaves_a_line_too_long_for_the_server_s_reader_to_the_server():
    lines = clean_file()
    lines[1] = "," * (1 << 19)
    server, client = both_verdicts("\n".join(lines).encode())
    assert server == ["Line 2 is too long (524,288 bytes; a row should be short)"]
    assert client is None
