"""Hostile submission files, second half: damaged cells, ids and columns, blank lines,
binary garbage, enormous lines and their combinations (the first half, and the challenges
they are drawn for, are in tests/hostile.py)."""

from __future__ import annotations

from hypothesis import strategies as st
from vsegrader_client.format.errors import quote

from tests.hostile import (
    ROWS,
    SAFE_TEXT,
    SLUGS,
    Hostile,
    at_line,
    case,
    clean_rows,
    column_of,
    encodings,
    harmless,
    missing_id,
    quoting,
    render,
    rows_at,
    separators,
)

NAN = ["nan", "NaN", "NAN", "-nan", "+nan"]
INFINITE = ["inf", "-inf", "+inf", "Infinity", "-Infinity", "INF", "1e309", "-1e999", "9" * 400]
HUGE = ["1e200", "-1.5e300", "1.7976931348623157e308", "1" + "0" * 120, "-1e101"]
BLANK = ["", " ", "\t", "  \t "]
NOT_NUMBERS = [
    "abc",
    "1e",
    ".",
    "-",
    "+",
    "1.2.3",
    "0x10",
    "1_000",
    "1d5",
    "١",
    "１",
    "∞",
    "N/A",
    "#N/A",
    "null",
    "None",
    "True",
    "$1",
    "1%",
    "--1",
    "1 2",
    "e5",
]
OUTSIDE = ["1.5", "-0.25", "2", "-1e-9", "1.0000001"]
FINE = ["0", "1", "0.5", "+0.5", ".5", "1.", "1e-400", "-0", " 0.25 ", "\t1"]


def number_problem(token: str, kind: str) -> str | None:
    """What the scorer says about `token` in a number column (None: nothing, it is fine)."""
    if token in NAN:
        return "NaN is not allowed"
    if token in INFINITE:
        return "infinity is not allowed"
    if token in BLANK:
        return "missing value"
    if token in NOT_NUMBERS:
        return f"{quote(token)} is not a number"
    value = float(token)
    if kind == "probability" and not 0 <= value <= 1:
        return f"{value!r} is not a probability between 0 and 1"
    if kind == "float" and abs(value) > 1e100:
        return f"{value!r} is too large to score (numbers must lie between -1e100 and 1e100)"
    return None


def label_problem(token: str, labels: tuple[str, ...]) -> str | None:
    if token == "":
        return "missing value"
    if token.strip() in {label.strip() for label in labels}:
        return None
    return f"{quote(token.strip())} is not one of the allowed labels {', '.join(labels)}"


@st.composite
def bad_cells(draw, slug: str) -> Hostile:
    """One value replaced: by a token whose message is known, or by any text."""
    c = case(slug)
    rows = draw(clean_rows(c))
    target, row = draw(st.sampled_from(c.spec.targets)), draw(rows_at)
    if target.kind == "label":
        variants = (
            [f" {label} " for label in target.labels]
            + [label.upper() for label in target.labels]
            + ["", " ", "1.0", "yes"]
        )
        token = draw(st.one_of(st.sampled_from(variants), SAFE_TEXT))
        problem = label_problem(token, target.labels)
    else:
        known = NAN + INFINITE + HUGE + BLANK + NOT_NUMBERS + OUTSIDE + FINE
        token = draw(st.sampled_from(known))
        problem = number_problem(token, target.kind)
        if draw(st.booleans()):
            token, problem = draw(SAFE_TEXT), "?"
    column = column_of(c, target)
    rows[row][column] = token
    if row == ROWS - 1 and column == len(c.header) - 1 and target.kind == "label":
        problem = label_problem(token.rstrip(), target.labels)  # the file's end is trimmed
    data = render(c.header, rows)
    if problem == "?":
        return Hostile("cell", slug, data, line=at_line(row))
    if problem is None:
        return Hostile("cell", slug, data, valid=True)
    exact = (f"Column {target.name!r} line {at_line(row)}: {problem}",)
    return Hostile("cell", slug, data, valid=False, exact=exact, line=at_line(row))


@st.composite
def id_problems(draw, slug: str) -> Hostile:
    c = case(slug)
    rows, ids = draw(clean_rows(c)), c.ids
    kind = draw(st.sampled_from(["repeat", "drop", "unknown", "empty", "respelled", "padded"]))
    row = draw(rows_at)
    if kind == "repeat":
        other = draw(rows_at.filter(lambda r: r != row))
        rows[row][0] = ids[other]
        first, second = sorted([at_line(row), at_line(other)])
        exact = (
            f"Duplicate id {quote(ids[other])} on lines {first} and {second}",
            missing_id(ids[row]),
        )
    elif kind == "drop":
        dropped = sorted(draw(st.sets(rows_at, min_size=1, max_size=5)))
        rows = [r for i, r in enumerate(rows) if i not in dropped]
        examples = ", ".join(quote(ids[i]) for i in dropped[:3])
        missing = (
            missing_id(ids[dropped[0]])
            if len(dropped) == 1
            else f"Missing ids: {len(dropped)} ids of the test set are absent, e.g. {examples}"
        )
        exact = (f"Submission must have {ROWS} rows (found {len(rows)})", missing)
    elif kind == "unknown":
        extra = draw(SAFE_TEXT.filter(lambda text: text not in ids))
        rows.append([extra, *rows[row][1:]])
        exact = (
            f"Submission must have {ROWS} rows (found {ROWS + 1})",
            f"Unknown id {quote(extra)} on line {at_line(ROWS)}",
        )
    elif kind == "empty":
        rows[row][0] = draw(st.sampled_from(["", '""']))
        exact = (
            f"Column {c.spec.id_column!r} line {at_line(row)}: missing value",
            missing_id(ids[row]),
        )
    elif kind == "respelled":
        value = ids[row]
        respelled = draw(st.sampled_from(["0" + value, value + ".0", value.upper(), value + "_"]))
        if respelled == value:
            return Hostile("id", slug, render(c.header, rows), valid=True)
        rows[row][0] = respelled
        exact = (f"Unknown id {quote(respelled)} on line {at_line(row)}", missing_id(value))
    else:
        rows[row][0] = draw(st.sampled_from([" ", "\t", "  "])) + ids[row] + " "
        return Hostile("id", slug, render(c.header, rows), valid=True)
    return Hostile("id", slug, render(c.header, rows), valid=False, exact=exact)


PANDAS_HINT = " (was a pandas index saved? Use to_csv(index=False))"
LONG_NAMES = st.builds(
    lambda char, size: char * size, st.sampled_from("xé€"), st.integers(50, 10_000)
)  # two of them fit a header


@st.composite
def column_problems(draw, slug: str) -> Hostile:
    c = case(slug)
    header, rows = c.header, draw(clean_rows(c))
    kind = draw(st.sampled_from(["drop", "extra", "extra twice", "repeat", "unnamed", "case"]))
    index = draw(st.integers(0, len(header) - 1))
    name = header[index]
    if kind == "drop":
        del header[index]
        rows = [r[:index] + r[index + 1 :] for r in rows]
        exact = (f"Required column {name!r} could not be found",)
    elif kind.startswith("extra"):
        extra = draw(st.one_of(SAFE_TEXT, LONG_NAMES).filter(lambda n: n not in header))
        hint = PANDAS_HINT if extra.startswith("Unnamed: ") else ""
        copies = 2 if kind == "extra twice" else 1
        header = header + [extra] * copies
        rows = [r + ["1"] * copies for r in rows]
        exact = (f"Unexpected column {quote(extra)}{hint}",) + (
            (f"Column {quote(extra)} appears more than once",) if copies == 2 else ()
        )
    elif kind == "repeat":
        header = header + [name]
        rows = [r + [r[index]] for r in rows]
        exact = (f"Column {quote(name)} appears more than once",)
    elif kind == "unnamed":
        header, rows = ["", *header], [[str(i), *r] for i, r in enumerate(rows)]
        exact = (f"Column 1 of the header has no name{PANDAS_HINT}",)
    else:
        renamed = draw(st.sampled_from([name.upper(), name.title(), name + "s"]))
        if renamed == name:
            return Hostile("column", slug, render(header, rows), valid=True)
        header[index] = renamed
        exact = (
            f"Required column {name!r} could not be found",
            f"Unexpected column {quote(renamed)}",
        )
    return Hostile("column", slug, render(header, rows), valid=False, exact=exact)


@st.composite
def blank_lines(draw, slug: str) -> Hostile:
    c = case(slug)
    rows = draw(clean_rows(c))
    lines = [",".join(c.header), *(",".join(r) for r in rows)]
    kind = draw(st.sampled_from(["empty", "spaces inside", "before the header"]))
    blank = draw(st.sampled_from([" ", "  ", "\t", " \t "]))
    if kind == "empty":
        for position in draw(st.lists(st.integers(1, len(lines)), min_size=1, max_size=6)):
            lines.insert(position, "")
        return Hostile("blank", slug, "\n".join(lines).encode(), valid=True)
    if kind == "before the header":
        lines = [draw(st.sampled_from(["", blank]))] * draw(st.integers(1, 3)) + lines
        exact = ("The first line must be a header naming the columns",)
        return Hostile("blank", slug, "\n".join(lines).encode(), valid=False, exact=exact)
    row = draw(st.integers(0, ROWS - 2))  # after the last row it would be trailing space
    lines.insert(row + 2, blank)
    message = f"Line {at_line(row) + 1} has 1 column; expected {len(c.header)}"
    data = "\n".join(lines).encode()
    return Hostile("blank", slug, data, valid=False, exact=(message,), line=at_line(row) + 1)


MAGIC = [
    b"\x89PNG\r\n\x1a\n",
    b"PK\x03\x04",
    b"%PDF-1.7\n",
    b"\x1f\x8b\x08",
    b"\x7fELF\x02",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"GIF89a",
    b"\xff\xd8\xff\xe0",
]


@st.composite
def binary_garbage(draw, slug: str) -> Hostile:
    c = case(slug)
    kind = draw(st.sampled_from(["random", "magic", "inserted", "late nul"]))
    if kind == "random":
        return Hostile("binary", slug, draw(st.binary(max_size=3000)), valid=False)
    if kind == "magic":
        data = draw(st.sampled_from(MAGIC)) + draw(st.binary(max_size=2000))
        return Hostile("binary", slug, data, valid=False)
    rows = draw(clean_rows(c))
    if kind == "inserted":
        data = render(c.header, rows)
        at = draw(st.integers(0, len(data)))
        return Hostile("binary", slug, data[:at] + draw(st.binary(min_size=1)) + data[at:])
    row, column = draw(rows_at), draw(st.integers(0, len(c.header) - 1))
    rows[row][column] += "\x00"
    padding = 5000  # empty lines: the NUL byte comes after the first 4 KiB, which are sniffed
    text = render(c.header, rows).decode().replace("\n", "\n" * (padding + 1), 1)
    line = at_line(row) + padding
    return Hostile("binary", slug, text.encode(), valid=False, line=line)


BLOCK = 1 << 20  # the CSV reader's block size


@st.composite
def enormous_lines(draw, slug: str) -> Hostile:
    c = case(slug)
    rows = draw(clean_rows(c))
    kind = draw(st.sampled_from(["value", "commas", "header", "no line breaks"]))
    row, column = draw(rows_at), draw(st.integers(0, len(c.header) - 1))
    if kind == "header":
        header = c.header[:-1] + [c.header[-1] + "x" * draw(st.integers(1 << 16, 3 << 16))]
        exact = ("The first line (the header) is too long to be a header",)
        return Hostile("enormous", slug, render(header, rows), valid=False, exact=exact)
    if kind == "no line breaks":
        data = ",".join(c.header).encode() + b",1" * draw(st.integers(1 << 15, 1 << 19))
        exact = ("The first line (the header) is too long to be a header",)
        return Hostile("enormous", slug, data, valid=False, exact=exact)
    if kind == "commas":
        rows[row] = ["," * draw(st.integers(1000, 600_000))]
    else:
        size = draw(
            st.sampled_from([BLOCK // 2 - 9, BLOCK // 2 + 9, BLOCK - 9, BLOCK + 9, 5 * BLOCK // 2])
        )
        rows[row][column] = draw(st.sampled_from("9x.")) * size
    return Hostile("enormous", slug, render(c.header, rows), valid=False, line=at_line(row))


PIECES = [
    b'"',
    b",",
    b"\n",
    b"\r",
    b"\r\n",
    b"\x00",
    b"\xff",
    b" ",
    b";",
    b"\t",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"nan",
    b"-inf",
    b"1e999",
    b"1e300",
    b"",
    b"id",
    b"9" * 30,
    b"-0",
    b"+1",
    b'""',
    b",,,",
    b"\xe2\x80\xae",
    b"=cmd|' /C calc'!A0",
    b"\x1a",
]
FAMILIES = [
    encodings,
    separators,
    quoting,
    bad_cells,
    id_problems,
    column_problems,
    blank_lines,
    binary_garbage,
]


@st.composite
def combinations(draw, slug: str) -> Hostile:
    """A damaged file damaged again: byte edits on top of another family's file."""
    base = draw(draw(st.sampled_from([harmless, *FAMILIES]))(slug))
    data = base.data
    edit = st.tuples(st.integers(0, len(data)), st.integers(0, 8), st.sampled_from(PIECES))
    for position, deleted, inserted in draw(st.lists(edit, min_size=1, max_size=4)):
        position = min(position, len(data))
        data = data[:position] + inserted + data[position + deleted :]
    return Hostile("combined", slug, data)


ALL_FAMILIES = [harmless, *FAMILIES, enormous_lines, combinations]


def hostile_files(families=tuple(ALL_FAMILIES), among=SLUGS) -> st.SearchStrategy[Hostile]:
    return st.sampled_from(among).flatmap(
        lambda slug: st.one_of([family(slug) for family in families])
    )
