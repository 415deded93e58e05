"""Submission validation: one test per kind of problem, in the words a student will read."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from challenges.scoring import (
    SubmissionInvalid,
    SubmissionSpec,
    Target,
    load_solution,
    score_submission,
    validate_submission,
)

FLOAT_SPEC = SubmissionSpec("id", (Target("y"),), "mse")
LABEL_SPEC = SubmissionSpec("id", (Target("glasses", "label", ("0", "1")),), "accuracy")
PROBABILITY_SPEC = SubmissionSpec("id", (Target("p", "probability"),), "log_loss")


def solution_csv(header: str, rows: list[str]) -> bytes:
    return (header + "\n" + "\n".join(rows) + "\n").encode()


def float_solution(count: int = 5, value=lambda i: i / 2):
    usages = ["Public", "Private", "Ignored"]
    rows = [
        f"{i},{value(i)},{usages[i % 3] if i > 2 else usages[i - 1]}" for i in range(1, count + 1)
    ]
    return load_solution(solution_csv("id,y,Usage", rows), FLOAT_SPEC)


def label_solution(labels: str = "01101"):
    rows = [f"{i},{label},{'Public' if i % 2 else 'Private'}" for i, label in enumerate(labels, 1)]
    return load_solution(solution_csv("id,glasses,Usage", rows), LABEL_SPEC)


def probability_solution():
    rows = [f"{i},{i % 2},{'Public' if i <= 2 else 'Private'}" for i in range(1, 5)]
    return load_solution(solution_csv("id,p,Usage", rows), PROBABILITY_SPEC)


def errors_of(data: bytes, spec=FLOAT_SPEC, solution=None) -> list[str]:
    solution = solution or float_solution()
    with pytest.raises(SubmissionInvalid) as raised:
        validate_submission(data, spec, solution)
    return raised.value.errors


VALID = b"id,y\n1,0.5\n2,1.0\n3,1.5\n4,2.0\n5,2.5\n"


def test_it_accepts_a_valid_file():
    predictions = validate_submission(VALID, FLOAT_SPEC, float_solution())
    assert predictions.tolist() == [0.5, 1.0, 1.5, 2.0, 2.5]


def test_it_rejects_a_missing_required_column():
    assert "Required column 'y' could not be found" in errors_of(b"id,x\n1,0\n")


def test_it_rejects_an_unexpected_column():
    errors = errors_of(b"id,y,foo\n1,1,1\n")
    assert errors == ["Unexpected column 'foo'"]


def test_it_hints_at_a_saved_pandas_index():
    assert errors_of(b",id,y\n0,1,1\n") == [
        "Column 1 of the header has no name (was a pandas index saved? Use to_csv(index=False))"
    ]


def test_it_rejects_a_column_named_twice():
    assert "Column 'y' appears more than once" in errors_of(b"id,y,y\n1,1,1\n")


def test_it_rejects_a_wrong_row_count():
    errors = errors_of(b"id,y\n1,0.5\n2,1.0\n3,1.5\n4,2.0\n")
    assert errors[0] == "Submission must have 5 rows (found 4)"


def test_it_rejects_duplicate_ids_naming_their_lines():
    errors = errors_of(b"id,y\n1,0.5\n2,1.0\n3,1.5\n4,2.0\n4,2.5\n")
    assert "Duplicate id '4' on lines 5 and 6" in errors


def test_it_rejects_an_unknown_id_naming_its_line():
    errors = errors_of(b"id,y\n1,0.5\n2,1.0\n3,1.5\nabc,2.0\n5,2.5\n")
    assert "Unknown id 'abc' on line 5" in errors


def test_it_rejects_missing_ids_with_an_example():
    errors = errors_of(b"id,y\n1,0.5\n2,1.0\n")
    assert "Missing ids: 3 ids of the test set are absent, e.g. '3', '4', '5'" in errors


def test_it_rejects_a_value_that_is_not_a_number():
    errors = errors_of(b"id,y\n1,0.5\n2,1.0\n3,1.5\n4,2.0\n5,abc\n")
    assert errors == ["Column 'y' line 6: 'abc' is not a number"]


def test_it_rejects_nan():
    errors = errors_of(b"id,y\n1,0.5\n2,NaN\n3,1.5\n4,2.0\n5,2.5\n")
    assert errors == ["Column 'y' line 3: NaN is not allowed"]


def test_it_rejects_infinity():
    errors = errors_of(b"id,y\n1,0.5\n2,1\n3,-inf\n4,2.0\n5,1e999\n")
    assert errors == [
        "Column 'y' line 4: infinity is not allowed",
        "Column 'y' line 6: infinity is not allowed",
    ]


def test_it_rejects_a_missing_value():
    errors = errors_of(b"id,y\n1,0.5\n2,1\n3,1.5\n4,\n5,2.5\n")
    assert errors == ["Column 'y' line 5: missing value"]


def test_it_rejects_a_missing_id():
    errors = errors_of(b"id,y\n1,0.5\n,1\n3,1.5\n4,1\n5,2.5\n")
    assert "Column 'id' line 3: missing value" in errors


def test_it_rejects_a_label_that_is_not_allowed():
    data = b"id,glasses\n1,0\n2,2\n3,1\n4,0\n5,1\n"
    errors = errors_of(data, LABEL_SPEC, label_solution())
    assert errors == ["Column 'glasses' line 3: '2' is not one of the allowed labels 0, 1"]


def test_it_rejects_a_probability_outside_zero_and_one():
    data = b"id,p\n1,0.5\n2,1.5\n3,-0.25\n4,1\n"
    errors = errors_of(data, PROBABILITY_SPEC, probability_solution())
    assert errors == [
        "Column 'p' line 3: 1.5 is not a probability between 0 and 1",
        "Column 'p' line 4: -0.25 is not a probability between 0 and 1",
    ]


@pytest.mark.parametrize("data", [b"", b"\n\n  \r\n", b"\xef\xbb\xbf"])
def test_it_rejects_an_empty_file(data):
    assert errors_of(data) == ["The file is empty"]


def test_it_rejects_utf16_with_a_byte_order_mark():
    assert errors_of(VALID.decode().encode("utf-16")) == [
        "The file must be UTF-8 encoded (found UTF-16)"
    ]


def test_it_rejects_utf16_without_a_byte_order_mark():
    assert errors_of(VALID.decode().encode("utf-16-le")) == [
        "The file must be UTF-8 encoded (found UTF-16)"
    ]


def test_it_rejects_bytes_that_are_not_utf8_naming_the_line():
    data = "id,y\n1,0.5\n2,1.0\n3,1.5é\n4,2\n5,2.5\n".encode("latin-1")
    assert errors_of(data) == [
        "The file must be UTF-8 encoded (line 4 has bytes that are not UTF-8)"
    ]


def test_it_rejects_a_header_that_is_not_utf8():
    assert errors_of("idé,y\n1,1\n".encode("latin-1")) == [
        "The file must be UTF-8 encoded (line 1 has bytes that are not UTF-8)"
    ]


@pytest.mark.parametrize(("separator", "described"), [(";", "';'"), ("\t", "tabs")])
def test_it_rejects_a_separator_other_than_commas(separator, described):
    data = VALID.replace(b",", separator.encode())
    assert errors_of(data) == [
        f"Columns must be separated by commas; this file seems to use {described}"
    ]


def test_it_rejects_a_row_with_a_wrong_number_of_columns():
    errors = errors_of(b"id,y\n1,0.5\n2,1.0,7\n3,1.5\n4\n5,2.5\n")
    assert errors == ["Line 3 has 3 columns; expected 2", "Line 5 has 1 column; expected 2"]


def test_it_rejects_a_quoted_value_spanning_lines():
    errors = errors_of(b'id,y\n1,0.5\n"2\n",1.0\n3,1.5\n4,2\n5,2.5\n')
    assert errors == ["A quoted value spans several lines; each row must be on one line"]


def test_it_rejects_a_quoted_number_spanning_lines():
    errors = errors_of(b'id,y\n1,0.5\n2,"1.0\n"\n3,1.5\n4,2\n5,2.5\n')
    assert errors == ["A quoted value spans several lines; each row must be on one line"]


def test_it_rejects_an_enormous_header_line():
    assert errors_of(b"id,y" + b"x" * (1 << 17)) == [
        "The first line (the header) is too long to be a header"
    ]


def test_it_rejects_an_enormous_data_line():
    data = b"id,y\n1,0.5\n2," + b"9" * (2 << 20) + b"\n3,1\n"
    assert errors_of(data) == ["Line 3 is too long (2,097,154 bytes; a row should be short)"]


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
        bytes(range(256)),
    ],
)
def test_it_rejects_binary_files(data):
    errors = errors_of(data)
    assert len(errors) == 1
    assert "UTF-8" in errors[0] or "binary" in errors[0]


def test_it_accepts_a_utf8_byte_order_mark():
    assert validate_submission(b"\xef\xbb\xbf" + VALID, FLOAT_SPEC, float_solution()).size == 5


def test_it_accepts_blank_trailing_lines_and_windows_line_ends():
    data = VALID.replace(b"\n", b"\r\n") + b"\r\n\r\n  \n"
    assert validate_submission(data, FLOAT_SPEC, float_solution()).size == 5


def test_it_tolerates_spaces_around_names_and_values():
    data = b" id , y \n 1 , 0.5\n2 ,1.0\n3, 1.5 \n4,2\n5,2.5\n"
    assert validate_submission(data, FLOAT_SPEC, float_solution()).tolist()[:3] == [0.5, 1, 1.5]


def test_it_tolerates_spaces_around_quoted_names():
    data = b'" id" , "y"\n1,0.5\n2,1.0\n3,1.5\n4,2\n5,2.5\n'
    assert validate_submission(data, FLOAT_SPEC, float_solution()).size == 5


def test_it_compares_labels_as_text_after_stripping_spaces():
    data = b"id,glasses\n1, 0\n2,1 \n3,1\n4,0\n5,1\n"
    codes = validate_submission(data, LABEL_SPEC, label_solution())
    assert codes.tolist() == [0, 1, 1, 0, 1]


def test_it_accepts_reordered_columns_and_rows():
    data = b"y,id\n2.5,5\n0.5,1\n2.0,4\n1.0,2\n1.5,3\n"
    assert validate_submission(data, FLOAT_SPEC, float_solution()).tolist() == [0.5, 1, 1.5, 2, 2.5]


def test_it_accepts_a_file_with_only_a_header_as_zero_rows():
    errors = errors_of(b"id,y\r\n\r\n")
    assert errors == [
        "Submission must have 5 rows (found 0)",
        "Missing ids: 5 ids of the test set are absent, e.g. '1', '2', '3'",
    ]


def test_it_accepts_quoted_values_and_windows_line_ends():
    data = b'"id","y"\r\n"1",0.5\r\n"2","1.0"\r\n"3",1.5\r\n"4",2\r\n"5",2.5\r\n'
    assert validate_submission(data, FLOAT_SPEC, float_solution()).tolist()[1] == 1.0


def test_it_lists_many_lines_of_a_repeated_id_briefly():
    rows = "\n".join(["1,0.5"] * 8 + [f"{i},1" for i in range(2, 6)])
    errors = errors_of(f"id,y\n{rows}\n".encode())
    assert "Duplicate id '1' on lines 2, 3, 4, 5, 6 and 3 more lines" in errors


def test_it_numbers_lines_after_blank_lines_correctly():
    errors = errors_of(b"id,y\n1,0.5\n\n2,1.0\n\n3,x\n4,2\n5,2.5\n")
    assert errors == ["Column 'y' line 6: 'x' is not a number"]
    errors = errors_of(b"id,y\n1,0.5\n\n2,1.0\r\n\r\n3,nan\n4,2\n5,2.5\n")
    assert errors == ["Column 'y' line 6: NaN is not allowed"]


def test_it_treats_ids_as_text():
    errors = errors_of(b"id,y\n1,0.5\n2,1.0\n3,1.5\n04,2\n5,2.5\n")
    assert "Unknown id '04' on line 5" in errors
    assert "Missing ids: 1 id of the test set is absent: '4'" in errors


def test_it_reads_paths_and_file_objects(tmp_path):
    path = tmp_path / "submission.csv"
    path.write_bytes(VALID)
    solution = float_solution()
    for source in (path, str(path), io.BytesIO(VALID), bytearray(VALID)):
        assert validate_submission(source, FLOAT_SPEC, solution).size == 5


def test_it_caps_the_messages_and_counts_the_rest():
    solution = float_solution(count=40)
    rows = "\n".join(f"{i},x{i}" for i in range(1, 41))
    with pytest.raises(SubmissionInvalid) as raised:
        validate_submission(f"id,y\n{rows}\n".encode(), FLOAT_SPEC, solution)
    error = raised.value
    assert len(error.errors) == 11
    assert error.errors[-1] == "and 30 more problems"
    assert str(error) == "Column 'y' line 2: 'x1' is not a number (and 39 more problems)"


def test_the_error_survives_pickling():
    with pytest.raises(SubmissionInvalid) as raised:
        validate_submission(b"id,y\n1,x\n2,y\n", FLOAT_SPEC, float_solution())
    copy = pickle.loads(pickle.dumps(raised.value))
    assert (copy.errors, str(copy)) == (raised.value.errors, str(raised.value))


def test_a_single_problem_is_its_own_summary():
    with pytest.raises(SubmissionInvalid, match=r"^Unexpected column 'foo'$"):
        validate_submission(b"id,y,foo\n", FLOAT_SPEC, float_solution())


BROKEN_SUBMISSIONS = [
    b"id,y\n1,0.5\n2,1.0\n3,1.5\n4,2.0\n",
    b"id,y\n1,0.5\n2,x\n3,\n4,nan\n5,inf\n6,1\n",
    b"id,y\n1,0.5\n1,1.0\n3,1.5\n",
    b"id,y,z\n1,2,3\n",
    b"id\n1\n",
    b"id,y\n1,2,3\n",
]


@pytest.mark.parametrize("data", BROKEN_SUBMISSIONS)
def test_no_message_reveals_a_hidden_value(data):
    solution = float_solution(value=lambda i: 987654.321 + i)
    messages = errors_of(data, solution=solution)
    assert not any("987654" in message for message in messages)
    # the same file against different hidden values gets exactly the same messages
    assert messages == errors_of(data, solution=float_solution(value=lambda i: -i))


def test_no_message_reveals_a_hidden_label():
    data = b"id,glasses\n1,0\n2,yes\n3,1\n3,0\n9,1\n"
    first = errors_of(data, LABEL_SPEC, label_solution("01101"))
    assert first == errors_of(data, LABEL_SPEC, label_solution("10010"))


PIECES = [b'"', b",", b"\n", b"\r", b"\x00", b"\xff", b" ", b";", b"\t", b"\xc3", b"\xef\xbb\xbf"]
PIECES += [b"nan", b"-inf", b"1e999", b"", b"id", b"y", b"9" * 20, b"-0", b"+1"]


def valid_file_mutations():
    edit = st.tuples(st.integers(0, len(VALID)), st.integers(0, 3), st.sampled_from(PIECES))
    return st.lists(edit, min_size=1, max_size=4)


def mutate(data: bytes, edits) -> bytes:
    for position, deleted, inserted in edits:
        position = min(position, len(data))
        data = data[:position] + inserted + data[position + deleted :]
    return data


def assert_only_submission_invalid(data: bytes, spec, solution) -> None:
    try:
        scores = score_submission(data, spec, solution)
    except SubmissionInvalid as error:
        assert error.errors and all(isinstance(message, str) for message in error.errors)
        assert len(error.errors) <= 11
        assert "Traceback" not in str(error)
    else:
        assert np.isfinite([scores.public, scores.private]).all()


FUZZ = settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_submission_invalid(data):
    assert_only_submission_invalid(data, FLOAT_SPEC, float_solution())


@FUZZ
@given(valid_file_mutations())
def test_mutated_files_raise_only_submission_invalid(edits):
    assert_only_submission_invalid(mutate(VALID, edits), FLOAT_SPEC, float_solution())


@FUZZ
@given(valid_file_mutations())
def test_mutated_label_files_raise_only_submission_invalid(edits):
    data = mutate(b"id,glasses\n1,0\n2,1\n3,1\n4,0\n5,1\n", edits)
    assert_only_submission_invalid(data, LABEL_SPEC, label_solution())
