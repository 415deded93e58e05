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

from tests import hostile, hostile_damage
from tests.hostile import Case, Hostile, case
from tests.hostile_damage import hostile_files
from tests.verdicts import both_verdicts, check_messages, clean_file, client_verdict, server_verdict

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
@given(hostile_files([hostile_damage.bad_cells]))
def test_bad_values_nan_infinity_and_huge_numbers(file):
    check(file)


@hostile_settings(400)
@given(hostile_files([hostile_damage.id_problems]))
def test_repeated_missing_extra_and_respelled_ids(file):
    check(file)


@hostile_settings(400)
@given(hostile_files([hostile_damage.column_problems]))
def test_missing_extra_repeated_and_unnamed_columns(file):
    check(file)


@hostile_settings(250)
@given(hostile_files([hostile_damage.blank_lines]))
def test_blank_lines(file):
    check(file)


@hostile_settings(400)
@given(hostile_files([hostile_damage.binary_garbage]))
def test_binary_garbage(file):
    check(file)


@hostile_settings(12)
@given(hostile_files([hostile_damage.enormous_lines]))
def test_enormous_lines(file):
    check(file)


@hostile_settings(800)
@given(hostile_files([hostile_damage.combinations]))
def test_combinations_of_damage(file):
    check(file)


# --- the bugs these properties found, one example each ------------------------------------


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
