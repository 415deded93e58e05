"""Kind local checks (pure, no server): problems grouped by kind with counts, and hints for
the usual mistakes (Excel workbooks, float labels and ids, header case)."""

import pytest
from vsegrader_client import checks, hints

SPEC = checks.Spec("id", (checks.Target("y", "float"),), 4)
LABELS = checks.Spec("id", (checks.Target("label", "label", ("0", "1")),), 2)
IDS = ["1", "2", "3", "4"]


def refused(data: bytes, spec=SPEC, ids=IDS) -> checks.FileRefused:
    with pytest.raises(checks.FileRefused) as caught:
        checks.check_submission(data, spec, ids)
    return caught.value


def test_problems_are_grouped_by_kind_with_row_counts():
    rows = "\n".join(f"{i},0.5" for i in range(2000, 2014))
    problem = refused(b"id,y\n" + rows.encode())
    assert problem.kinds["unknown id"] == 14
    summary = hints.grouped(problem.kinds)
    assert summary.startswith("Submission must have 4 rows (found 14); 14 rows: unknown id")
    assert "Missing ids: 4 ids" in summary


def test_ids_written_as_floats_get_a_hint():
    problem = refused(b"id,y\n1.0,0.5\n2.0,0.5\n3.0,0.5\n4.0,0.5\n")
    advice = hints.hints(b"", SPEC, problem.errors)
    assert advice == [
        "hint: ids are written as numbers with a decimal point (1.0): write them "
        "as integers, e.g. df['id'] = df['id'].astype(int)"
    ]


def test_integer_labels_written_as_floats_get_a_hint():
    problem = refused(b"id,label\n1,0.0\n2,1.0\n", LABELS, ["1", "2"])
    assert problem.kinds == {"column 'label': not an allowed label": 2}
    advice = hints.hints(b"", LABELS, problem.errors)
    assert advice[0].startswith("hint: the labels of 'label' are integers: write 0, not 0.0")


def test_probabilities_for_0_1_labels_get_a_hint_and_0_0_does_not():
    problem = refused(b"id,label\n1,0.73\n2,.2\n", LABELS, ["1", "2"])
    advice = hints.hints(b"", LABELS, problem.errors)
    assert advice == [
        "hint: the values of 'label' look like probabilities (0.73): write the predicted "
        "label, 0 or 1 (e.g. df['label'] = (df['label'] >= 0.5).astype(int))"
    ]
    as_floats = refused(b"id,label\n1,0.0\n2,1.0\n", LABELS, ["1", "2"])
    assert not any("probabilities" in h for h in hints.hints(b"", LABELS, as_floats.errors))


def test_a_header_in_the_wrong_case_gets_did_you_mean():
    data = b"Id,y\n1,0.5\n2,0.5\n3,0.5\n4,0.5\n"
    problem = refused(data)
    advice = hints.hints(data, SPEC, problem.errors, hints.header_of(data))
    assert advice == [
        "hint: did you mean 'id'? The header has 'Id'; column names are case-sensitive"
    ]


def test_an_excel_workbook_is_named_as_one():
    data = b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml" + b"\x00" * 100
    problem = refused(data)
    assert problem.errors == ["The file is not a CSV text file (it contains binary data)"]
    assert hints.hints(data, SPEC, problem.errors)[0].startswith(
        "hint: this is an Excel workbook (.xlsx), not a CSV file"
    )


def test_a_clean_file_gets_no_hints():
    assert hints.hints(b"id,y\n1,0.5\n", SPEC, []) == []
