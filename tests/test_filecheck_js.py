"""The browser's file check (challenges/static/js/filecheck.js) gives the command-line
client's verdict, message for message, hint for hint, on the same files: a deterministic
sample of the generated hostile files (tests/hostile.py, hostile_damage.py) across every
challenge shape, and the usual mistakes by name. One Node process checks all the files of a
test (tests/filecheck_node.js). Then the JSON view the browser reads its spec from.

The pure tests need no Django: pytest -p no:django tests/test_filecheck_js.py -k "not view"
"""

from __future__ import annotations

import base64
import json
import math
import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from vsegrader_client import checks, hints

from challenges.submissions.browser_spec import spec_json
from tests.hostile import SLUGS, case
from tests.hostile_damage import hostile_files
from tests.verdicts import server_verdict

NODE = shutil.which("node")
RUNNER = Path(__file__).resolve().parent / "filecheck_node.js"
needs_node = pytest.mark.skipif(
    NODE is None, reason="Node.js (`node`) is not installed: the browser's file check cannot run"
)
SAMPLED_FILES = 400


def spec_of(slug: str, *, ids: bool = True) -> dict:
    """The spec as challenges/submissions/browser_spec.py serves it."""
    c = case(slug)
    return spec_json(c.spec, list(c.ids) if ids else None, 50 * 1024 * 1024)


def run_node(items: list[dict]) -> list:
    done = subprocess.run(
        [NODE, str(RUNNER)], input=json.dumps(items).encode(), capture_output=True, check=True
    )
    return json.loads(done.stdout)


def browser_verdicts(files: list[tuple[bytes, dict]]) -> list[dict]:
    """filecheck.js's checkText on each (data, spec), in one Node process."""
    return run_node(
        [{"spec": spec, "data": base64.b64encode(data).decode()} for data, spec in files]
    )


def python_result(data: bytes, spec: dict, *, fast: bool = True) -> dict:
    """What the command line prints before an upload (check_before_upload): the messages of
    the shared check, the server's own code when `fast`, and the hints under them."""
    client_spec = checks.Spec.from_api(spec)
    try:
        checks.check_submission(data, client_spec, spec["ids"], fast=fast)
    except checks.FileRefused as refused:
        advice = hints.hints(data, client_spec, refused.errors, hints.header_of(data))
        return {"problems": refused.errors, "hints": advice}
    return {"problems": [], "hints": []}


def differs(data: bytes, spec: dict, found: dict) -> dict | None:
    """None if the browser's verdict is the Python one. Where the browser refuses nothing and
    Python does, the file must be one the plain-Python client also leaves to the server's
    reader (a line over 512 KiB, say)."""
    wanted = python_result(data, spec)
    if found == wanted:
        return None
    if found == {"problems": [], "hints": []} and python_result(data, spec, fast=False) == found:
        return None
    return wanted


def assert_same_as_python(files: list[tuple[bytes, dict]]) -> list[dict]:
    found = browser_verdicts(files)
    wrong = [
        (data[:200], wanted, got)
        for (data, spec), got in zip(files, found, strict=True)
        if (wanted := differs(data, spec, got)) is not None
    ]
    assert not wrong, f"{len(wrong)} of {len(files)} differ, e.g. {wrong[:3]}"
    return found


def drawn_files(count: int):
    """`count` hostile files, the same ones on every run."""
    files = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(hostile_files())
    def draw(file):
        files.append(file)

    draw()
    return files


# --- the generated hostile files ----------------------------------------------------------


@needs_node
def test_hostile_files_get_the_client_s_messages_and_hints_and_the_server_s_verdict():
    sample = drawn_files(SAMPLED_FILES)
    assert {file.slug for file in sample} == set(SLUGS)
    found = assert_same_as_python([(file.data, spec_of(file.slug)) for file in sample])
    refused = [(file, got) for file, got in zip(sample, found, strict=True) if got["problems"]]
    assert len(refused) > SAMPLED_FILES // 2  # the sample is mostly damaged files
    for file, got in refused:  # the fast check given the solution's ids is the server's own
        assert file.data == b"" or got["problems"] == server_verdict(file.data, case(file.slug))


@needs_node
def test_without_the_test_set_s_ids_only_the_row_count_is_checked():
    sample = drawn_files(60)
    assert_same_as_python([(file.data, spec_of(file.slug, ids=False)) for file in sample])


# --- the usual mistakes, by name ----------------------------------------------------------


def csv_bytes(slug: str, make_id=str, value: str = "0.5", newline: str = "\n") -> bytes:
    c = case(slug)
    lines = [",".join(c.header), *(f"{make_id(i)},{value}" for i in c.ids)]
    return (newline.join(lines) + newline).encode()


def named_cases() -> dict[str, tuple[bytes, dict]]:
    fitting, glasses = spec_of("fitting-1d"), spec_of("glasses")
    clean = csv_bytes("fitting-1d")
    lines = clean.decode().splitlines()
    xlsx = b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml" + b"\x00" * 200
    return {
        "clean": (clean, fitting),
        "bom": (b"\xef\xbb\xbf" + clean, fitting),
        "crlf": (csv_bytes("fitting-1d", newline="\r\n"), fitting),
        "bom and crlf": (b"\xef\xbb\xbf" + csv_bytes("fitting-1d", newline="\r\n"), fitting),
        "wrong header": (clean.replace(b"id,y", b"row,pred", 1), fitting),
        "Id for id": (clean.replace(b"id,", b"Id,", 1), fitting),
        "semicolons": (clean.replace(b",", b";"), fitting),
        "pandas index": (("," + "\n,".join(lines)).encode(), fitting),
        "float labels": (csv_bytes("glasses", value="1.0"), glasses),
        "ids as floats": (csv_bytes("fitting-1d", lambda i: f"{i}.0"), fitting),
        "missing rows": ("\n".join(lines[:-5]).encode(), fitting),
        "duplicate ids": ("\n".join([*lines, lines[1], lines[2]]).encode(), fitting),
        "unknown ids": (csv_bytes("fitting-1d", lambda i: str(int(i) + 1000)), fitting),
        "empty": (b"", fitting),
        "only a header": (b"id,y\n", fitting),
        "spaces": (b" \n\t\r\n", fitting),
        "binary": (bytes(range(256)) * 4, fitting),
        "utf-16": (clean.decode().encode("utf-16"), fitting),
        "latin-1": (clean.replace(b"0.5\n", "0.5é\n".encode("latin-1"), 1), fitting),
        "xlsx": (xlsx, fitting),
        "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 300, fitting),
        "nan and huge": (clean.replace(b"0.5", b"nan", 3).replace(b"0.5", b"1e300", 3), fitting),
        "bad label": (csv_bytes("glasses", value="yes"), glasses),
        "probabilities": (csv_bytes("glasses", value="0.73"), glasses),
        "quoted multi-line": (clean.replace(b",0.5\n", b',"0.5\n', 1) + b'"\n', fitting),
    }


@pytest.fixture(scope="module")
def named():
    if NODE is None:
        pytest.skip("Node.js (`node`) is not installed: the browser's file check cannot run")
    cases = named_cases()
    found = assert_same_as_python(list(cases.values()))
    return dict(zip(cases, found, strict=True))


def test_valid_files_with_a_bom_or_crlf_line_ends_pass(named):
    for name in ("clean", "bom", "crlf", "bom and crlf"):
        assert named[name] == {"problems": [], "hints": []}, name


def test_a_wrong_header_names_the_missing_and_unexpected_columns(named):
    assert named["wrong header"]["problems"] == [
        "Required column 'id' could not be found",
        "Required column 'y' could not be found",
        "Unexpected column 'row'",
        "Unexpected column 'pred'",
    ]
    assert named["semicolons"]["problems"] == [
        "Columns must be separated by commas; this file seems to use ';'"
    ]
    assert "was a pandas index saved?" in named["pandas index"]["problems"][0]


def test_the_usual_mistakes_get_the_client_s_hints(named):
    assert named["Id for id"]["hints"][0].startswith("hint: did you mean 'id'? The header has 'Id'")
    assert named["float labels"]["hints"][0].startswith("hint: the labels of 'glasses' are integ")
    assert "write 1, not 1.0" in named["float labels"]["hints"][0]
    assert "numbers with a decimal point (40.0)" in named["ids as floats"]["hints"][0]
    assert "an Excel workbook (.xlsx)" in named["xlsx"]["hints"][0]
    assert "an old Excel workbook (.xls)" in named["xls"]["hints"][0]
    assert named["probabilities"]["hints"] == [
        "hint: the values of 'glasses' look like probabilities (0.73): write the predicted "
        "label, 0 or 1 (e.g. df['glasses'] = (df['glasses'] >= 0.5).astype(int))"
    ]


def test_id_problems_are_capped_at_ten_messages_and_counted(named):
    assert named["missing rows"]["problems"][0] == "Submission must have 40 rows (found 35)"
    assert named["missing rows"]["problems"][1].startswith("Missing ids: 5 ids of the test set")
    assert named["duplicate ids"]["problems"][1] == "Duplicate id '40' on lines 2 and 42"
    unknown = named["unknown ids"]["problems"]
    assert len(unknown) == 11 and unknown[0] == "Unknown id '1040' on line 2"
    assert unknown[10] == "and 31 more problems"  # 40 unknown, 1 missing-ids line


def test_unreadable_files_get_the_server_s_first_message(named):
    assert named["empty"]["problems"] == ["The file is empty."]
    assert named["spaces"]["problems"] == ["The file is empty"]
    assert named["only a header"]["problems"][0] == "Submission must have 40 rows (found 0)"
    assert named["binary"]["problems"] == [
        "The file is not a CSV text file (it contains binary data)"
    ]
    assert named["utf-16"]["problems"] == ["The file must be UTF-8 encoded (found UTF-16)"]
    assert named["latin-1"]["problems"] == [
        "The file must be UTF-8 encoded (line 2 has bytes that are not UTF-8)"
    ]
    assert named["quoted multi-line"]["problems"] == [
        "A quoted value spans several lines; each row must be on one line"
    ]


@needs_node
def test_check_file_refuses_a_file_over_the_limit_with_the_server_s_message():
    limit = 1024 * 1024
    spec = {**spec_of("fitting-1d"), "max_bytes": limit}
    clean, bad = csv_bytes("fitting-1d"), csv_bytes("fitting-1d", value="x")
    files = [b"1" * (limit + 1), b"1" * limit, clean, bad, b""]
    found = run_node([{"file": base64.b64encode(data).decode(), "spec": spec} for data in files])
    # vsegrader/uploads.py:too_large_message, what the upload check says
    assert found[0] == {"problems": ["The file is too large: the limit is 1 MB."], "hints": []}
    assert found[1]["problems"] != found[0]["problems"]  # at the limit: read and checked
    assert found[2:] == [python_result(data, spec) for data in files[2:]]
    assert found[3]["problems"][0] == "Column 'y' line 2: 'x' is not a number"


def test_text_in_messages_is_quoted_as_python_quotes_it_for_every_character():
    """Python 3.11's repr (Unicode 14) whatever Unicode the browser knows: a character
    assigned since is escaped, as the server escapes it."""
    every = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    texts = ["".join(every[i : i + 512]) for i in range(0, len(every), 512)]
    texts += ["it's", 'say "hi"', 'it\'s "both"', "back\\slash", "", "\ufeffid"]
    assert run_node([{"repr": text} for text in texts]) == [repr(text) for text in texts]


def test_numbers_in_messages_are_written_as_python_writes_them():
    rng = random.Random(14)
    values = [rng.uniform(1, 10) * 10.0**e for e in range(-320, 308)]
    values += [struct.unpack("<d", rng.randbytes(8))[0] for _ in range(5000)]
    values += [
        1e16,
        1e15,
        9999999999999998.0,
        1e-4,
        1e-5,
        0.1,
        2.0,
        -0.0,
        5e-324,
        1.7976931348623157e308,
    ]
    values = [v for v in values if math.isfinite(v)]
    assert run_node([{"float": value} for value in values]) == [repr(value) for value in values]


# --- the view the browser reads its spec from ---------------------------------------------

SPEC_URL = "/challenges/{}/submission-spec.json"


@pytest.fixture
def logged_in(client, student):
    client.force_login(student)
    return client


def test_view_gives_a_student_the_format_the_ids_and_the_limit(logged_in, challenge):
    response = logged_in.get(SPEC_URL.format(challenge.slug))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private, max-age=")
    spec = response.json()
    assert spec["id_column"] == "id" and spec["columns"] == ["id", "y"]
    assert spec["targets"] == [{"name": "y", "kind": "float", "labels": []}]
    assert spec["row_count"] == 20
    assert spec["ids"] == [str(i) for i in range(1, 21)]  # the sample submission's, in order
    assert spec["max_bytes"] == 1024 * 1024  # the bundle's max_file_mb = 1, below the site's


def test_view_sends_anonymous_visitors_to_the_login_page(client, challenge):
    response = client.get(SPEC_URL.format(challenge.slug))
    assert response.status_code == 302 and "login" in response["Location"]


def test_view_hides_an_unpublished_challenge(logged_in, challenge):
    challenge.is_published = False
    challenge.save()
    assert logged_in.get(SPEC_URL.format(challenge.slug)).status_code == 404
    assert logged_in.post(SPEC_URL.format(challenge.slug)).status_code in (404, 405)


def test_view_holds_no_hidden_value(db, logged_in, tmp_path):
    from tests.factories import HIDDEN_MARKER, secret_challenge

    challenge = secret_challenge(tmp_path)
    body = logged_in.get(SPEC_URL.format(challenge.slug)).content
    with challenge.solution.open("rb") as handle:
        hidden = [line.split(b",")[1] for line in handle.read().splitlines()[1:]]
    assert len(hidden) == 20 and hidden[0].startswith(HIDDEN_MARKER)
    assert HIDDEN_MARKER not in body
    assert not [value for value in hidden if value in body]


@needs_node
def test_the_view_s_spec_makes_the_browser_refuse_what_the_server_refuses(logged_in, challenge):
    from challenges.scoring import SubmissionInvalid, load_solution, score_submission

    spec = logged_in.get(SPEC_URL.format(challenge.slug)).json()
    with challenge.solution.open("rb") as handle:
        solution = load_solution(handle.read(), challenge.spec)
    lines = ["id,y", *(f"{i},0.5" for i in range(1, 21))]
    files = [
        "\n".join(lines),
        "\n".join([*lines[:3], "99,0.5", *lines[4:]]),
        "\n".join(lines).replace("0.5", "x", 2),
    ]
    found = browser_verdicts([(t.encode(), spec) for t in files])
    for text, got in zip(files, found, strict=True):
        try:
            score_submission(text.encode(), challenge.spec, solution)
            assert got["problems"] == []
        except SubmissionInvalid as invalid:
            assert got["problems"] == invalid.errors


def test_a_sample_that_repeats_an_id_gives_no_ids_so_only_the_row_count_is_checked(
    logged_in, challenge
):
    import hashlib

    from django.core.files.base import ContentFile

    sample = challenge.files.get(name="sample_submission.csv")
    repeated = b"id,y\n" + b"7,0\n" * 20  # 20 rows, as many as the test set, one id
    sample.file.save("sample_submission.csv", ContentFile(repeated), save=False)
    sample.sha256 = hashlib.sha256(repeated).hexdigest()  # a new version of the file
    sample.save()
    spec = logged_in.get(SPEC_URL.format(challenge.slug)).json()
    assert spec["ids"] is None and spec["row_count"] == 20
