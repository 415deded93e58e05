"""The client's check before upload gives, for the same file, exactly the messages the
server's scorer gives (challenges.scoring): the client reimplements them without importing
the server, and these tests hold the two together."""

import subprocess
import sys

import pytest
from vsegrader_client import checker, checks, plain, warmup
from vsegrader_client.errors import CliError
from vsegrader_client.format.check import id_index
from vsegrader_client.submitting import check_before_upload

from challenges.scoring import (
    SubmissionInvalid,
    SubmissionSpec,
    Target,
    load_solution,
    validate_submission,
)
from tests.bundles import TINY_SOLUTION, perfect_submission
from tests.conftest import csv_upload

IDS = [str(i) for i in range(1, 21)]
CHALLENGES = {
    # kind: (targets, metric, header, a good value for the target columns)
    "numbers": ((("y", "float"), ("p", "probability")), "mse", "id,y,p", "0.5,1"),
    "labels": ((("c", "label", ("cat", "dog")),), "accuracy", "id,c", "cat"),
}


def server_and_client_spec(kind: str):
    targets, metric, header, good = CHALLENGES[kind]
    spec = SubmissionSpec("id", tuple(Target(*t) for t in targets), metric, len(IDS))
    usage = ["Public" if int(i) <= 6 else "Private" for i in IDS]
    rows = "".join(f"{i},{good},{u}\n" for i, u in zip(IDS, usage, strict=True))
    solution_csv = header + ",Usage\n" + rows
    solution = load_solution(solution_csv.encode(), spec)
    client_spec = checks.Spec.from_api(
        {
            "id_column": "id",
            "row_count": len(IDS),
            "targets": [
                {"name": t[0], "kind": t[1], "labels": list(t[2]) if len(t) > 2 else []}
                for t in targets
            ],
        }
    )
    return spec, solution, client_spec


def bad_files(header: str, good: str) -> dict[str, bytes]:
    """Files with every kind of problem the scorer names, for one challenge."""
    width = header.count(",") + 1
    filler = ",1" * (width - 2)
    rows = [f"{i},{good}" for i in IDS]

    def body(lines, head=header) -> bytes:
        return (head + "\n" + "\n".join(lines) + "\n").encode()

    def changed(changes: dict) -> bytes:
        lines = [changes.get(row, line) for row, line in enumerate(rows)]
        return body([line for line in lines if line is not None])

    return {
        "good": body(rows),
        "shuffled rows": body(rows[::-1]),
        "columns in another order": body(
            [",".join(r.split(",")[::-1]) for r in rows], ",".join(header.split(",")[::-1])
        ),
        "whitespace only": b"  \n\n",
        "utf-16": body(rows).decode().encode("utf-16"),
        "utf-32": body(rows).decode().encode("utf-32"),
        "a byte-order mark": b"\xef\xbb\xbf" + body(rows),
        "binary": b"id,y\x00\n",
        "semicolons": body([r.replace(",", ";") for r in rows], header.replace(",", ";")),
        "a missing column": body([r.rsplit(",", 1)[0] for r in rows], header.rsplit(",", 1)[0]),
        "a pandas index column": body([r + ",1" for r in rows], header + ",Unnamed: 0"),
        "an unnamed first column": body([r + ",1" for r in rows], "," + header),
        "a repeated column": body([r + ",1" for r in rows], header + ",id"),
        "a header only": (header + "\n").encode(),
        "a blank header": b"\n\nid,y\n",
        "latin-1 bytes": changed({3: f"4,c\xe9t{filler}"}).decode().encode("latin-1"),
        "bad numbers": changed({0: f"1,abc{filler}", 5: f"6,{filler}", 7: f"8, {filler}"}),
        "many bad values": body([f"{i},a{i}{filler}" for i in IDS]),
        "wrong column counts": changed({2: "3", 4: f"5,{good},9"}),
        "a value over two lines": changed({2: f'3,"{good}\n"{filler}'}),
        "nan, infinities, out of range": changed(
            {
                0: f"1,nan{filler}",
                1: f"2,-inf{filler}",
                2: f"3,1.5{filler}",
                3: f"4,-0.1{filler}",
                4: f"5,Infinity{filler}",
            }
        ),
        "unknown and empty labels": changed(
            {0: f"1,bird{filler}", 1: f"2, dog {filler}", 2: f"3,{filler}", 3: f'4,"  "{filler}'}
        ),
        "a missing row": changed({5: None}),
        "unknown ids": body(rows + [f"21,{good}", f"abc,{good}"]),
        "duplicates": changed({1: f"1,{good}", 2: f"1,{good}", 10: f"x,{good}", 11: f"x,{good}"}),
        "many duplicates": body([f"{1 + i % 13},{good}" for i in range(40)]),
        "empty ids": changed({0: f",{good}", 1: f" ,{good}"}),
        "padded ids": body([" " + r for r in rows]),
        "a leading zero": changed({0: f"01,{good}"}),
        "CRLF line ends": body(rows).replace(b"\n", b"\r\n"),
        "CR line ends": body(rows).replace(b"\n", b"\r"),
        "blank lines": body(rows[:5] + ["", "  "] + rows[5:]),
        "quoted values": body([",".join(f'"{x}"' for x in r.split(",")) for r in rows]),
        "a long id": changed({0: "x" * 60 + f",{good}"}),
        "trailing blanks": body(rows)[:-1] + b"   \n\n  ",
        "thirty problems": body([f"{i + 100},zebra{filler}" for i in range(30)]),
    }


CASES = [
    (kind, name)
    for kind, (_, _, header, good) in CHALLENGES.items()
    for name in bad_files(header, good)
]


def server_message(data: bytes, spec, solution) -> str | None:
    try:
        validate_submission(data, spec, solution)
    except SubmissionInvalid as invalid:
        return "\n".join(invalid.errors)
    return None


def client_message(data: bytes, spec, ids=IDS, fast=None) -> str | None:
    try:
        checks.check_submission(data, spec, ids, fast=fast)
    except checks.FileRefused as refused:
        return "\n".join(refused.errors)
    return None


@pytest.mark.parametrize("fast", [False, True], ids=["plain Python", "pyarrow"])
@pytest.mark.parametrize(("kind", "case"), CASES, ids=[f"{k}: {c}" for k, c in CASES])
def test_the_client_refuses_a_file_with_the_servers_exact_messages(kind, case, fast):
    spec, solution, client_spec = server_and_client_spec(kind)
    _, _, header, good = CHALLENGES[kind]
    data = bad_files(header, good)[case]
    assert client_message(data, client_spec, fast=fast) == server_message(data, spec, solution)


def client_refusal(data: bytes, spec, fast: bool) -> tuple[list[str], dict] | None:
    try:
        checks.check_submission(data, spec, IDS, fast=fast)
    except checks.FileRefused as refused:
        return refused.errors, refused.kinds
    return None


@pytest.mark.parametrize(("kind", "case"), CASES, ids=[f"{k}: {c}" for k, c in CASES])
def test_read_in_blocks_of_a_few_rows_plain_python_gives_the_same_messages_and_counts(
    kind, case, monkeypatch
):
    """plain.py reads a large file block by block: problems found in several blocks are
    numbered, capped and counted as the server does on the whole file."""
    monkeypatch.setattr(plain, "BLOCK_ROWS", 3)
    monkeypatch.setattr(plain, "BLOCK_CHARS", 16)
    _, _, client_spec = server_and_client_spec(kind)
    _, _, header, good = CHALLENGES[kind]
    data = bad_files(header, good)[case]
    assert client_refusal(data, client_spec, fast=False) == client_refusal(
        data, client_spec, fast=True
    )


def test_the_cases_cover_both_good_and_bad_files():
    spec, solution, _ = server_and_client_spec("numbers")
    files = bad_files("id,y,p", "0.5,1").values()
    results = [server_message(data, spec, solution) for data in files]
    assert results.count(None) >= 5 and sum(r is not None for r in results) >= 25


@pytest.mark.parametrize("fast", [False, True], ids=["plain Python", "pyarrow"])
def test_without_the_test_ids_only_the_row_count_is_checked(fast):
    _, _, client_spec = server_and_client_spec("numbers")
    rows = [f"{i},0.5,1" for i in IDS]
    short = ("id,y,p\n" + "\n".join(rows[1:])).encode()
    assert (
        client_message(short, client_spec, None, fast) == "Submission must have 20 rows (found 19)"
    )
    unknown = ["99,0.5,1", *rows[1:]]
    assert (
        client_message(("id,y,p\n" + "\n".join(unknown)).encode(), client_spec, None, fast) is None
    )


def test_the_test_ids_are_read_from_the_sample_submission():
    spec = checks.Spec.from_api(
        {"id_column": "id", "targets": [{"name": "y", "kind": "float"}], "row_count": 20}
    )
    assert checks.ids_from_sample(perfect_submission(), spec) == [str(i) for i in TINY_SOLUTION]
    assert checks.ids_from_sample(b"id,y\n1,0\n", spec) is None  # not every id: unusable
    assert checks.ids_from_sample(b"\xff\xfe", spec) is None


def test_with_pyarrow_the_sample_s_ids_are_read_as_an_array_of_the_same_ids():
    spec = checks.Spec.from_api(
        {"id_column": "id", "targets": [{"name": "y", "kind": "float"}], "row_count": 20}
    )
    ids = checks.sample_ids(perfect_submission(), spec, fast=True)
    assert ids.to_pylist() == checks.ids_from_sample(perfect_submission(), spec)
    assert checks.sample_ids(b"id,y\n1,0\n", spec, fast=True) is None
    assert checks.sample_ids(b"\xff\xfe", spec, fast=True) is None
    repeated = checks.sample_ids(b"y,id\n0, 7\n" + b"0,7\n" * 19, spec, fast=True)
    assert id_index(repeated) is None  # not a list of the test set: the ids are left to the server


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"", b"id,y\n" + b"1,0.0000000000\n" * 80_000])
def test_an_empty_or_too_large_file_gets_the_upload_checks_message(student_api, challenge, content):
    detail = student_api.get("/api/challenges/tiny-1d/").json()  # max_file_mb is 1
    response = student_api.post(
        "/api/challenges/tiny-1d/submissions/", {"file": csv_upload(content)}, format="multipart"
    )
    with pytest.raises(CliError) as refused:
        check_before_upload(None, detail, content)  # refused before the API is needed
    prefix = "Not submitted (no submission used): "
    assert refused.value.message == prefix + response.json()["detail"]


def test_without_pyarrow_the_client_falls_back_to_plain_python_with_the_same_messages():
    code = "\n".join(
        [
            "import sys",
            "sys.modules['pyarrow'] = sys.modules['numpy'] = None  # neither can be imported",
            "from vsegrader_client import checks, cli, submitting",
            "assert not checks.has_pyarrow()",
            "spec = checks.Spec.from_api(",
            "    {'id_column': 'id', 'targets': [{'name': 'y'}], 'row_count': 2})",
            "assert checks.sample_ids(b'id,y\\n1,0\\n2,0\\n', spec) == ['1', '2']",
            "try:",
            "    checks.check_submission(sys.stdin.buffer.read(), spec, ['1', '2'])",
            "except checks.FileRefused as refused:",
            "    print('\\n'.join(refused.errors))",
        ]
    )
    data = b"id,y\n1,0.5\n2,0.5\n2,1\n"
    spec = checks.Spec.from_api({"id_column": "id", "targets": [{"name": "y"}], "row_count": 2})
    result = subprocess.run(
        [sys.executable, "-c", code], input=data, capture_output=True, check=True
    )
    assert result.stdout.decode().strip() == client_message(data, spec, ["1", "2"], fast=True)
    assert "Duplicate id '2' on lines 3 and 4" in result.stdout.decode()


# --- a large file's check in a second process ---------------------------------------------

PROCESS_CASES = [
    ("numbers", "good"),
    ("numbers", "bad numbers"),
    ("numbers", "thirty problems"),
    ("numbers", "duplicates"),
    ("numbers", "unknown ids"),
    ("numbers", "columns in another order"),
    ("numbers", "a value over two lines"),
    ("labels", "unknown and empty labels"),
    ("labels", "a missing row"),
]


def sample_of(ids) -> bytes:
    return ("id,y\n" + "".join(f"{i},0\n" for i in ids)).encode()


@pytest.mark.parametrize(("kind", "case"), PROCESS_CASES, ids=[": ".join(c) for c in PROCESS_CASES])
def test_the_checking_process_gives_the_verdict_and_messages_of_the_check_in_process(
    kind, case, tmp_path, monkeypatch
):
    """The command line starts vsegrader_client.checker for a large file; what it answers
    is what checking in the command line's own process would have said."""
    monkeypatch.setattr(warmup, "spare_processor", lambda: True)
    _, _, client_spec = server_and_client_spec(kind)
    _, _, header, good = CHALLENGES[kind]
    data = bad_files(header, good)[case]
    path = tmp_path / "submission.csv"
    path.write_bytes(data)
    sample = sample_of(IDS)
    process = warmup.start_checker(str(path))
    try:
        found = checker.verdict(process, client_spec, sample)
        answer = None
    except checks.FileRefused as refused:
        found, answer = False, (refused.errors, refused.kinds, str(refused))
    process.wait()
    ids = checks.sample_ids(sample, client_spec)
    try:
        checks.check_submission(data, client_spec, ids, fast=True)
        expected = None
    except checks.FileRefused as refused:
        expected = (refused.errors, refused.kinds, str(refused))
    assert answer == expected
    assert found is (expected is None)  # True: checked and good


def test_a_checking_process_that_cannot_answer_leaves_the_check_to_the_command_line(tmp_path):
    spec = checks.Spec.from_api({"id_column": "id", "targets": [{"name": "y"}], "row_count": 2})
    gone = warmup.start_checker(str(tmp_path / "absent.csv"))
    assert gone is None  # no file: no process
    silent = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert checker.verdict(silent, spec, b"id,y\n1,0\n2,0\n") is False
    silent.wait()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["c", "submit", "x", "-f", "a.csv", "-m", "m"], "a.csv"),
        (["competitions", "submit", "--file", "b.csv"], "b.csv"),
        (["c", "submit", "--file=c.csv", "-m", "m"], "c.csv"),
        (["--url", "http://h", "c", "submit", "-fd.csv"], "d.csv"),
        (["c", "submit", "x", "-f", "a.csv", "--skip-check"], None),  # nothing to check
        (["c", "files", "x", "-f", "a.csv"], None),
        (["c", "submit", "x", "-f"], None),
        ([], None),
    ],
)
def test_the_file_to_check_is_found_in_the_raw_arguments(argv, expected):
    assert warmup.submitted_file(argv) == expected


def test_the_warm_up_hands_its_bytes_and_process_only_for_the_file_it_read(tmp_path, monkeypatch):
    monkeypatch.setattr(warmup, "FAST_FROM_BYTES", 10)
    monkeypatch.setattr(warmup, "spare_processor", lambda: True)
    big = tmp_path / "big.csv"
    big.write_bytes(b"id,y\n" + b"1,0.5\n" * 10)
    monkeypatch.chdir(tmp_path)
    try:
        warmup.start("big.csv")
        assert warmup.take_bytes(str(tmp_path / "other.csv")) is None
        assert warmup.take_bytes(str(big)) == big.read_bytes()  # the same file, named otherwise
        process = warmup.take_checker("big.csv")
        assert process is not None and warmup.take_checker("big.csv") is None  # given once
    finally:
        warmup.finish()
    assert process.returncode is not None  # ended and collected
    assert warmup.take_bytes("big.csv") is None


def test_without_a_spare_processor_pyarrow_is_imported_beside_the_command_instead(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(warmup, "FAST_FROM_BYTES", 10)
    monkeypatch.setattr(warmup, "spare_processor", lambda: False)
    big = tmp_path / "big.csv"
    big.write_bytes(b"id,y\n" + b"1,0.5\n" * 10)
    try:
        warmup.start(str(big))
        assert warmup.take_checker(str(big)) is None  # checked in this process
        assert warmup.take_bytes(str(big)) == big.read_bytes()
    finally:
        warmup.finish()


def test_the_checking_process_runs_numpy_on_one_thread_unless_the_student_chose(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    assert warmup.checker_environment()["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    assert warmup.checker_environment()["OPENBLAS_NUM_THREADS"] == "4"
