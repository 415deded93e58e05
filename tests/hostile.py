"""Hostile submission files for the property-based tests in tests/test_hostile_*.py.

The challenges are the five demo bundles (built tiny) and two hand-made ones with
probability and ranking targets, so that every kind of target and id is hit. Each strategy
draws a `Hostile` file: the clean file it was made from, what must come of it (`valid`:
True, False, or None for "either, but never a crash") and, where the file has one known
problem, the `exact` messages the student must read.
"""

from __future__ import annotations

import atexit
import csv
import functools
import io
import random
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st
from vsegrader_client.format.errors import quote

from challenges.bundles.reader import read_bundle
from challenges.scoring import Solution, SubmissionSpec, Target, load_solution
from demo.bundles import DEMO_SLUGS, build_demo_bundles

ROWS = 40
USAGES = ["Public", "Private"] * 19 + ["Ignored"] * 2
HAND_MADE = {
    "probability": (
        SubmissionSpec("row", (Target("p", "probability"),), "log_loss", ROWS),
        [f"q-{i:03d}" for i in range(ROWS)],
    ),
    "ranking": (
        SubmissionSpec("id", (Target("score"),), "roc_auc", ROWS),
        [str(i) for i in range(ROWS)],
    ),
}
SLUGS = (*DEMO_SLUGS, *HAND_MADE)


@dataclass(frozen=True, eq=False)
class Case:
    slug: str
    spec: SubmissionSpec
    solution: Solution
    shadow: Solution  # the same ids and splits with other hidden values
    ids: tuple[str, ...]
    hidden: frozenset[str]  # the solution's numbers as written: no message may show one

    @property
    def header(self) -> list[str]:
        return list(self.spec.columns)


@functools.cache
def case(slug: str) -> Case:
    if slug in HAND_MADE:
        spec, ids = HAND_MADE[slug]
        # Public and Private rows alternate; both hold both classes
        rows = [[i, str(n // 2 % 2), u] for n, (i, u) in enumerate(zip(ids, USAGES, strict=True))]
        return _case(slug, spec, render([*spec.columns, "Usage"], rows))
    bundle = read_bundle(demo_root() / slug)
    return _case(slug, bundle.spec, (bundle.root / "solution.csv").read_bytes())


@functools.cache
def demo_root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="hostile-demo-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    build_demo_bundles(root, seed=2023, scale=0.02)
    return root


def _case(slug: str, spec: SubmissionSpec, solution_csv: bytes) -> Case:
    solution = load_solution(solution_csv, spec)
    header, *rows = list(csv.reader(io.StringIO(solution_csv.decode())))
    numeric = [header.index(t.name) for t in spec.targets if t.kind == "float"]
    hidden = frozenset(row[i] for row in rows for i in numeric if len(row[i]) >= 5)
    shadow = load_solution(render(header, [_other_values(spec, header, row) for row in rows]), spec)
    return Case(slug, spec, solution, shadow, tuple(solution.ids.to_pylist()), hidden)


def _other_values(spec: SubmissionSpec, header: list[str], row: list[str]) -> list[str]:
    row = list(row)
    for target in spec.targets:
        i = header.index(target.name)
        if target.kind == "label":
            row[i] = target.labels[(target.labels.index(row[i]) + 1) % len(target.labels)]
        elif spec.metric in ("log_loss", "roc_auc"):
            row[i] = str(1 - int(float(row[i])))
        else:
            row[i] = f"{7 - 3 * float(row[i]):.6f}"
    return row


@dataclass(frozen=True)
class Hostile:
    family: str
    slug: str
    data: bytes
    valid: bool | None = None
    exact: tuple[str, ...] | None = None
    clean: bytes | None = None  # a valid file that must score the same (valid files only)
    line: int | None = None  # the line a refusal must name

    def __repr__(self) -> str:  # hypothesis prints failing examples: keep huge files short
        data = self.data if len(self.data) <= 300 else self.data[:300] + b"..."
        return (
            f"Hostile({self.family!r}, {self.slug!r}, {data!r} ({len(self.data)} bytes), "
            f"valid={self.valid}, exact={self.exact}, line={self.line})"
        )


# --- clean files --------------------------------------------------------------------------

SAFE_TEXT = (
    st.text(  # a cell's text, without what would change the table's shape
        st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters=',"'),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)
EDGE_VALUES = [0.0, -0.0, 5e-324, -1e-300, 1e100, -1e100, 0.1, 1 / 3]


def good_value(rng: random.Random, target: Target) -> str:
    """A valid value; the rows come from one seeded generator, since drawing each of
    hundreds of cells through hypothesis would cost more than scoring the file."""
    if target.kind == "label":
        return rng.choice(target.labels)
    if target.kind == "probability":
        return repr(rng.choice([rng.random(), 0.0, 1.0]))
    return rng.choice(
        [
            repr(rng.uniform(-1e6, 1e6)),
            str(rng.randint(-(10**6), 10**6)),
            repr(rng.gauss(0, 1)),
            repr(rng.choice(EDGE_VALUES)),
        ]
    )


@st.composite
def clean_rows(draw, c: Case) -> list[list[str]]:
    rng = draw(st.randoms(use_true_random=True))
    return [[id_, *(good_value(rng, t) for t in c.spec.targets)] for id_ in c.ids]


def render(header: list[str], rows: list[list[str]], newline: str = "\n") -> bytes:
    return newline.join(",".join(row) for row in [header, *rows]).encode() + newline.encode()


def column_of(c: Case, target: Target) -> int:
    return c.header.index(target.name)


# --- harmless variants: must score exactly as the clean file does -------------------------


def respell(rng: random.Random, text: str) -> str:
    """The same float, written another way."""
    value = float(text)
    return rng.choice(
        [repr(value), f"{value:.17g}", f"{value:.17e}", f"{value:+.17g}", f"{value:.17E}"]
    )


@st.composite
def harmless(draw, slug: str) -> Hostile:
    c = case(slug)
    rows = draw(clean_rows(c))
    clean = render(c.header, rows)
    rng = draw(st.randoms(use_true_random=True))
    numeric = {column_of(c, t) for t in c.spec.targets if t.kind != "label"}
    rows = [[respell(rng, v) if i in numeric else v for i, v in enumerate(r)] for r in rows]
    rng.shuffle(rows)
    order = draw(st.permutations(range(len(c.header))))
    header = [c.header[i] for i in order]
    rows = [[row[i] for i in order] for row in rows]
    style = draw(st.sampled_from(["plain", "padded", "quoted"]))
    if style == "padded":
        pad = draw(st.sampled_from([" ", "  ", "\t", " \t"]))
        header = [pad + v + pad for v in header]
        rows = [[pad + v + pad for v in r] for r in rows]
    elif style == "quoted":
        header, rows = [f'"{v}"' for v in header], [[f'"{v}"' for v in r] for r in rows]
    lines = [",".join(header), *(",".join(r) for r in rows)]
    for position in draw(st.lists(st.integers(1, len(lines) - 1), max_size=3)):
        lines.insert(position, "")  # empty lines inside the table are skipped
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(lines) + draw(st.sampled_from(["", newline, "\n\n \t\r\n  "]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return Hostile("harmless", slug, (bom + text).encode(), valid=True, clean=clean)


# --- damaged files ------------------------------------------------------------------------

rows_at = st.integers(0, ROWS - 1)


def at_line(row: int) -> int:
    return row + 2  # line 1 is the header


def missing_id(value: str) -> str:
    return f"Missing ids: 1 id of the test set is absent: {quote(value)}"


@st.composite
def encodings(draw, slug: str) -> Hostile:
    c = case(slug)
    header, rows = c.header, draw(clean_rows(c))
    text = render(header, rows).decode()
    kind = draw(
        st.sampled_from(
            [
                "utf-16",
                "utf-16-le",
                "utf-16-be",
                "utf-32",
                "legacy",
                "legacy",
                "bom twice",
                "bom in a row",
            ]
        )
    )
    if kind.startswith("utf-"):
        found = f"The file must be UTF-8 encoded (found {kind[:6].upper()})"
        return Hostile("encoding", slug, text.encode(kind), valid=False, exact=(found,))
    if kind == "legacy":
        codec, char = draw(st.sampled_from([("latin-1", "é"), ("cp1250", "ř"), ("cp1252", "€")]))
        row, column = draw(st.integers(-1, ROWS - 1)), draw(st.integers(0, len(header) - 1))
        cells = header if row < 0 else rows[row]
        cells[column] += char
        line = 1 if row < 0 else at_line(row)
        message = f"The file must be UTF-8 encoded (line {line} has bytes that are not UTF-8)"
        data = render(header, rows).decode().encode(codec)
        return Hostile("encoding", slug, data, valid=False, exact=(message,), line=line)
    if kind == "bom twice":
        return Hostile("encoding", slug, ("\ufeff\ufeff" + text).encode(), valid=False)
    row = draw(rows_at)
    rows[row][0] = "\ufeff" + rows[row][0]
    if row == 0:  # where the rows begin the CSV reader skips it, as at the file's start
        return Hostile("encoding", slug, render(header, rows), valid=True, clean=text.encode())
    exact = (f"Unknown id {quote(rows[row][0])} on line {at_line(row)}", missing_id(c.ids[row]))
    return Hostile("encoding", slug, render(header, rows), valid=False, exact=exact)


SEPARATORS = {";": "';'", "\t": "tabs", "|": "'|'"}


@st.composite
def separators(draw, slug: str) -> Hostile:
    c = case(slug)
    rows = draw(clean_rows(c))
    separator = draw(st.sampled_from([*SEPARATORS, " "]))
    kind = draw(st.sampled_from(["everywhere", "decimal commas", "rows only"]))
    if kind == "decimal commas":
        rows = [[v.replace(".", ",") for v in row] for row in rows]
    lines = [separator.join(row) for row in rows]
    header = ",".join(c.header) if kind == "rows only" else separator.join(c.header)
    data = "\n".join([header, *lines]).encode() + b"\n"
    if separator == " ":
        return Hostile("separator", slug, data, valid=False)
    if kind != "rows only":
        used = SEPARATORS[separator]
        message = f"Columns must be separated by commas; this file seems to use {used}"
        return Hostile("separator", slug, data, valid=False, exact=(message,))
    width = len(c.header)
    exact = [f"Line {at_line(row)} has 1 column; expected {width}" for row in range(10)]
    return Hostile("separator", slug, data, valid=False, exact=(*exact, "and 30 more problems"))


@st.composite
def quoting(draw, slug: str) -> Hostile:
    c = case(slug)
    rows = draw(clean_rows(c))
    row, column = draw(rows_at), draw(st.integers(0, len(c.header) - 1))
    kind = draw(st.sampled_from(["spans lines", "unbalanced", "escaped quote", "inner quote"]))
    if kind == "spans lines":
        newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        tail = draw(st.sampled_from(["", "x"]))
        rows[row][column] = f'"{rows[row][column]}{newline}{tail}"'
        exact = ("A quoted value spans several lines; each row must be on one line",)
        return Hostile("quoting", slug, render(c.header, rows), valid=False, exact=exact)
    if kind == "unbalanced":
        rows[row][column] = '"' + rows[row][column]
        return Hostile("quoting", slug, render(c.header, rows))
    value = c.ids[row]
    rows[row][0] = (
        f'"{value[:1]}""{value[1:]}"' if kind == "escaped quote" else (f'{value[:1]}"{value[1:]}')
    )
    unknown = f'{value[:1]}"{value[1:]}'
    exact = (f"Unknown id {quote(unknown)} on line {at_line(row)}", missing_id(value))
    return Hostile("quoting", slug, render(c.header, rows), valid=False, exact=exact)


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
