"""The server's scorer and the client's check give the same messages on the files behind
the client's hints, and the client adds its hint: the hints sit on top of messages that do
not drift (tests/test_hostile_files.py compares the two on 4,000 generated files). No
Django needed: pytest -p no:django tests/test_client_shared_messages.py"""

from vsegrader_client import checks, hints

from tests.hostile import case
from tests.verdicts import both_verdicts


def client_spec(slug: str) -> checks.Spec:
    spec = case(slug).spec
    return checks.Spec(
        spec.id_column,
        tuple(checks.Target(t.name, t.kind, tuple(t.labels)) for t in spec.targets),
        spec.row_count,
    )


def rows(slug: str, make_id, value: str) -> bytes:
    c = case(slug)
    lines = [",".join(c.header), *(f"{make_id(i)},{value}" for i in c.ids)]
    return "\n".join(lines).encode()


def agreed_hints(data: bytes, slug: str) -> list[str]:
    server, client = both_verdicts(data, slug)
    assert isinstance(server, list) and server == client
    return hints.hints(data, client_spec(slug), client, hints.header_of(data))


def test_ids_written_as_floats():
    found = agreed_hints(rows("fitting-1d", lambda i: f"{i}.0", "0.5"), "fitting-1d")
    assert found and "ids are written as numbers with a decimal point" in found[0]


def test_integer_labels_written_as_floats():
    found = agreed_hints(rows("glasses", str, "1.0"), "glasses")
    assert found and found[0].startswith("hint: the labels of 'glasses' are integers")


def test_a_header_in_the_wrong_case():
    data = rows("fitting-1d", str, "0.5").replace(b"id,", b"Id,", 1)
    assert agreed_hints(data, "fitting-1d")[0].startswith("hint: did you mean 'id'?")


def test_an_excel_workbook():
    data = b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml" + b"\x00" * 200
    assert "an Excel workbook" in agreed_hints(data, "fitting-1d")[0]


def test_every_row_unknown_is_counted_by_kind_on_both_sides():
    data = rows("fitting-1d", lambda i: str(int(i) + 1000), "0.5")
    server, client = both_verdicts(data, "fitting-1d")
    assert server == client
    refused = None
    try:
        checks.check_submission(data, client_spec("fitting-1d"), list(case("fitting-1d").ids))
    except checks.FileRefused as error:
        refused = error
    assert refused is not None and refused.kinds["unknown id"] == 40
    assert hints.grouped(refused.kinds).startswith("40 rows: unknown id; Missing ids: 40 ids")


def test_a_dotless_i_in_inf_is_not_a_number_for_either_check():
    # Python's (?i) matches the Turkish dotless ı against "i"; float("ınf") then raises.
    server, client = both_verdicts(rows("fitting-1d", str, "ınf"), "fitting-1d")
    assert isinstance(server, list) and server == client
    assert "'ınf' is not a number" in server[0]
