"""Hostile submission files for the property-based tests in tests/test_hostile_*.py.

The challenges are the five demo bundles (built tiny) and two hand-made ones with
probability and ranking targets, so that every kind of target and id is hit. Each strategy
draws a `Hostile` file: the clean file it was made from, what must come of it (`valid`:
True, False, or None for "either, but never a crash") and, where the file has one known
problem, the `exact` messages the student must read. The families that damage cells, ids,
columns and bytes, and the `hostile_files` strategy over all of them, are in
tests/hostile_damage.py.
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
