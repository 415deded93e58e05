"""The process that checks a large file beside the command line (vsegrader_client/checker.py):
when it is started, and what it imports. Every module is time spent before a refused 30 MB
file gets its answer, so the check imports what it needs and no more; each of those cases
runs in a fresh interpreter. No Django needed: pytest -p no:django tests/test_checker_process.py"""

import subprocess
import sys

import pytest
from vsegrader_client import warmup

READ_A_GOOD_FILE_THEN_A_BAD_ONE = """
import sys
import pyarrow as pa
from vsegrader_client.format.csvfile import read_csv
from vsegrader_client.format.errors import SubmissionInvalid
read = read_csv(b"id,y\\n1,0.5\\n2,1e3\\n", {"id": pa.string(), "y": pa.float64()})
print(read.table.num_rows, "pyarrow.compute" in sys.modules)
try:
    read_csv(b"id,y\\n1,0.5\\n2,abc\\n", {"id": pa.string(), "y": pa.float64()})
except SubmissionInvalid as refused:
    print(refused.errors[0], "pyarrow.compute" in sys.modules)
"""

CHECK_A_FILE_OF_UNKNOWN_IDS = """
import sys
from vsegrader_client.warmup import import_fast_check
import_fast_check()
from vsegrader_client.format.check import check_file, id_index
from vsegrader_client.format.errors import SubmissionInvalid
from vsegrader_client.format.spec import Target
data = b"id,y\\n" + b"".join(b"%d,0.5\\n" % i for i in range(100, 105))
try:
    check_file(data, "id", [Target("y", "float")], 3, id_index(["1", "2", "3"]))
except SubmissionInvalid as refused:
    print(refused.errors[1], "|", refused.errors[-1])
print(*(name in sys.modules for name in ("numpy.ma", "pandas")))
"""


def run(code: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_a_readable_file_is_read_without_importing_pyarrow_compute():
    """pyarrow.compute takes 0.05 s to import, which the checking process spends while
    pyarrow parses the file (checker.ReadAhead): reading imports it only to explain a file
    pyarrow refused (format/diagnosis.py)."""
    assert run(READ_A_GOOD_FILE_THEN_A_BAD_ONE) == [
        "2 False",
        "Column 'y' line 3: 'abc' is not a number True",
    ]


def test_quoting_the_rows_of_a_refused_file_imports_neither_numpy_ma_nor_pandas():
    """pyarrow imports numpy.ma (0.01 s) when given a NumPy array, and pandas (0.2-0.6 s)
    on its first array unless the command line keeps it out (warmup.import_fast_check)."""
    assert run(CHECK_A_FILE_OF_UNKNOWN_IDS) == [
        "Unknown id '100' on line 2 | Missing ids: 3 ids of the test set are absent, e.g. "
        "'1', '2', '3'",
        "False False",
    ]


def test_the_threads_running_now_are_read_from_the_kernel(tmp_path):
    loadavg = tmp_path / "loadavg"
    loadavg.write_text("1.56 0.91 0.59 3/188 18781\n")
    assert warmup.running_now(str(loadavg)) == 3
    loadavg.write_text("garbage")
    assert warmup.running_now(str(loadavg)) is None
    assert warmup.running_now(str(tmp_path / "absent")) is None


@pytest.mark.parametrize(
    ("running", "load", "expected"),
    [
        (1, 1.56, True),  # idle now, whatever the last minute was
        (2, 0.2, False),  # another thread runs: the second processor is taken
        (None, 0.9, True),  # no count of running threads: the load average decides
        (None, 1.2, False),
    ],
)
def test_a_processor_is_spare_when_fewer_threads_run_than_there_are_processors(
    monkeypatch, running, load, expected
):
    monkeypatch.setattr(warmup.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(warmup.os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(warmup, "running_now", lambda: running)
    assert warmup.spare_processor() is expected
