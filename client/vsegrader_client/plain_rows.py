"""The plain-Python check of a submission's rows, one block at a time (plain.py reads the
blocks). Each kind of problem keeps its first MAX_MESSAGES messages and counts every row,
so a file where every row is wrong costs no more than a good one.

The verdict repeats the server's order (vsegrader_client/format/check.py): rows with the
wrong number of columns, else texts in number columns that are not numbers, else the ids
(missing, row count, unknown, duplicated, absent from the file) and the values of each
target column. Each check first asks a C loop whether anything in the block is wrong
(`set.issuperset`, `map(float, ...)`, `sum`), and looks at rows one by one only if so.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING

from vsegrader_client.format.spec import Target
from vsegrader_client.problems import MAX_MESSAGES, Problems, kind_of, plural, quote

if TYPE_CHECKING:
    from vsegrader_client.checks import Spec

NUMBER = re.compile(
    r"(?ai)^[ \t]*[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?|inf|infinity|nan)[ \t]*$"
)
# Within these characters Python's float() accepts exactly what NUMBER matches (no "_", no
# other spaces, no other digits); "," joins the texts of a block.
NUMBER_CHARACTERS_ONLY = re.compile(r"[0-9.eE+\-iInNfFaAtTyY \t,]*")
FLOAT_KINDS = ("float", "probability")
MAX_MAGNITUDE = 1e100  # as vsegrader_client/format/columns.py
TOO_LARGE = "is too large to score (numbers must lie between -1e100 and 1e100)"
SHOWN_LINES = 5


@dataclass
class Block:
    lines: Sequence[int]  # the file line of each row
    rows: list[list[str]]


class Found:
    """One kind of problem: its first MAX_MESSAGES messages and how many rows have it."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.rows = 0

    def add_rows(self, rows: Sequence[int], describe: Callable[[int], str]) -> None:
        self.add(len(rows), rows, describe)

    def add(self, count: int, rows: Iterable[int], describe: Callable[[int], str]) -> None:
        """`count` rows with the problem; `rows` (lazy) are read only while messages lack."""
        room = MAX_MESSAGES - len(self.messages)
        if room > 0:
            self.messages.extend(describe(row) for row in islice(rows, room))
        self.rows += count

    def report(self, problems: Problems) -> None:
        """Into `problems` as the server's Problems.add_rows puts one kind of problem."""
        if self.rows:
            problems.messages.extend(self.messages)
            problems.more += self.rows - len(self.messages)
            problems.count(kind_of(self.messages[0]), self.rows)


class Scan:
    """The problems found so far; `add` each block, then `raise_if_refused`."""

    def __init__(
        self, spec: Spec, names: list[str], expected: Sequence[str] | None, *, has_padding: bool
    ):
        self.spec = spec
        self.width = len(names)
        self.id_column = itemgetter(names.index(spec.id_column))
        self.targets = [(itemgetter(names.index(t.name)), t) for t in spec.targets]
        self.expected = expected
        self.known = None if expected is None else set(expected)
        self.has_padding = has_padding
        self.row_count = 0
        self.widths = Found()
        self.number_texts = {t.name: Found() for t in spec.targets if t.kind in FLOAT_KINDS}
        self.missing_ids = Found()
        self.unknown_ids = Found()
        self.seen: set[str] = set()
        self.repeats = False
        self.values = {t.name: target_kinds(t) for t in spec.targets}

    # --- one block ---------------------------------------------------------------------

    def add(self, block: Block) -> None:
        self.row_count += len(block.rows)
        if not self.widths_fit(block) or self.widths.rows:
            return  # the server then names only the column counts
        columns = [(target, list(map(get, block.rows))) for get, target in self.targets]
        numbers = [self.number_values(block, texts, target.name) for target, texts in columns]
        if any(found.rows for found in self.number_texts.values()):
            return  # the server then names only the texts that are not numbers
        self.check_ids(block)
        for (target, texts), values in zip(columns, numbers):
            self.check_target(block, target, texts, values)

    def widths_fit(self, block: Block) -> bool:
        if set(map(len, block.rows)) <= {self.width}:
            return True
        bad = [row for row, fields in enumerate(block.rows) if len(fields) != self.width]

        def describe(row: int) -> str:
            count = len(block.rows[row])
            columns = plural(count, "column")
            return f"Line {block.lines[row]} has {count} {columns}; expected {self.width}"

        self.widths.add_rows(bad, describe)
        return False

    def number_values(self, block: Block, texts: list[str], name: str) -> list | None:
        """The values of a number column (None where empty or not a number, which is
        reported); None for a label column."""
        if name not in self.number_texts:
            return None
        values = quick_floats(texts)
        if values is not None:
            return values
        values, bad = exact_floats(texts)

        def describe(row: int) -> str:
            text = texts[row]
            problem = "missing value" if not text.strip() else f"{quote(text)} is not a number"
            return f"Column {name!r} line {block.lines[row]}: {problem}"

        self.number_texts[name].add_rows(bad, describe)
        return values

    def block_ids(self, block: Block) -> tuple[list[str], list[str]]:
        """(the id column's texts, the ids: stripped when the file has padding)."""
        texts = list(map(self.id_column, block.rows))
        return texts, list(map(str.strip, texts)) if self.has_padding else texts

    def check_ids(self, block: Block) -> None:
        texts, ids = self.block_ids(block)
        present = ids
        if "" in texts:  # an empty cell is missing; a cell of spaces is the id ""
            missing = [row for row, text in enumerate(texts) if not text]
            report_rows(self.spec.id_column, missing, "missing value", block, self.missing_ids)
            present = [value for value, text in zip(ids, texts) if text]
        if self.known is None:
            return  # without the test set's ids only the row count is checked
        known = self.known
        if not known.issuperset(present):
            count = len(present) - sum(map(known.__contains__, present))
            rows = (row for row, value in enumerate(ids) if value not in known and texts[row])
            self.unknown_ids.add(
                count, rows, lambda row: f"Unknown id {quote(ids[row])} on line {block.lines[row]}"
            )
        before = len(self.seen)
        self.seen.update(present)
        self.repeats = self.repeats or len(self.seen) - before != len(present)

    def check_target(self, block: Block, target: Target, texts, values) -> None:
        found = self.values[target.name]
        if "" in texts:
            missing = [row for row, text in enumerate(texts) if not text]
            report_rows(target.name, missing, "missing value", block, found["missing"])
        if target.kind == "label":
            self.check_labels(block, target, texts, found["labels"])
        else:
            check_numbers(block, target, values, found)

    def check_labels(self, block: Block, target: Target, texts: list[str], found: Found) -> None:
        allowed = {label.strip() for label in target.labels}
        if set(texts) - {""} <= allowed:
            return
        unknown = [row for row, text in enumerate(texts) if text and text.strip() not in allowed]
        listed = ", ".join(target.labels)
        found.add_rows(
            unknown,
            lambda row: (
                f"Column {target.name!r} line {block.lines[row]}: "
                f"{quote(texts[row].strip())} is not one of the allowed labels {listed}"
            ),
        )

    # --- the verdict -------------------------------------------------------------------

    def raise_if_refused(self, blocks: Callable[[], Iterable[Block]]) -> None:
        """Raise FileRefused with the server's messages, in its order. `blocks` reads the
        rows again, for the lines of duplicated ids."""
        problems = Problems()
        self.widths.report(problems)
        problems.raise_if_any()
        for found in self.number_texts.values():
            found.report(problems)
        problems.raise_if_any()
        self.missing_ids.report(problems)
        self.report_ids(problems, blocks)
        for kinds in self.values.values():
            for found in kinds.values():
                found.report(problems)
        problems.raise_if_any()

    def report_ids(self, problems: Problems, blocks: Callable[[], Iterable[Block]]) -> None:
        if self.row_count != self.spec.row_count:
            expected, found = self.spec.row_count, self.row_count
            problems.add(f"Submission must have {expected} rows (found {found})")
        if self.known is None:
            return
        self.unknown_ids.report(problems)
        if self.repeats:
            self.report_duplicates(problems, blocks)
        absent = len(self.known) - len(self.known.intersection(self.seen))
        if absent:
            examples = (value for value in self.expected if value not in self.seen)
            report_absent_ids(absent, list(islice(examples, 3)), problems)

    def report_duplicates(self, problems: Problems, blocks: Callable[[], Iterable[Block]]) -> None:
        counts: Counter[str] = Counter()
        for ids, _ in self.present_ids(blocks()):
            counts.update(ids)  # in the order of first appearance, as the server lists them
        repeated = [value for value, count in counts.items() if count > 1]
        repeated_known = sum(1 for value in repeated if value in self.known)
        if not repeated_known:
            return
        shown = {value: [] for value in repeated[:MAX_MESSAGES]}
        for ids, lines in self.present_ids(blocks()):
            for value, line in zip(ids, lines):
                if value in shown and len(shown[value]) < SHOWN_LINES:
                    shown[value].append(line)
        for value, lines in shown.items():
            where = describe_lines(lines, counts[value])
            problems.messages.append(f"Duplicate id {quote(value)} on {where}")
        problems.more += max(repeated_known - len(shown), 0)
        problems.count("duplicate id", repeated_known)

    def present_ids(self, blocks: Iterable[Block]) -> Iterator[tuple[list[str], Sequence[int]]]:
        """(ids, their lines) of each block, rows with an empty id left out."""
        for block in blocks:
            texts, ids = self.block_ids(block)
            if "" not in texts:
                yield ids, block.lines
            else:
                kept = [row for row, text in enumerate(texts) if text]
                yield [ids[row] for row in kept], [block.lines[row] for row in kept]


def target_kinds(target: Target) -> dict[str, Found]:
    """The kinds of problem of a target column, in the order the server reports them."""
    kinds = ("missing", "labels") if target.kind == "label" else ("missing", "nan", "inf", "out")
    return {kind: Found() for kind in kinds}


def quick_floats(texts: list[str]) -> list[float] | None:
    """The values, if every text is a number the server reads; else None (look closer)."""
    if "" in texts or not NUMBER_CHARACTERS_ONLY.fullmatch(",".join(texts)):
        return None
    try:
        return list(map(float, texts))
    except ValueError:
        return None


def exact_floats(texts: list[str]) -> tuple[list[float | None], list[int]]:
    """(values, None where empty or not a number; the rows whose text is not a number)."""
    values: list[float | None] = []
    bad = []
    for row, text in enumerate(texts):
        if text and NUMBER.match(text):
            values.append(float(text))
        else:
            values.append(None)
            if text:
                bad.append(row)
    return values, bad


def check_numbers(block: Block, target: Target, values: list, found: dict[str, Found]) -> None:
    probability = target.kind == "probability"
    low, high = (0.0, 1.0) if probability else (-MAX_MAGNITUDE, MAX_MAGNITUDE)
    if not values or (
        None not in values
        and math.isfinite(sum(values))  # no NaN, no infinity: min and max can be trusted
        and low <= min(values)
        and max(values) <= high
    ):
        return
    # one pass over every value; NaN fails both comparisons, so it is among the odd ones
    odd = [
        row for row, value in enumerate(values) if value is not None and not low <= value <= high
    ]
    nan = [row for row in odd if math.isnan(values[row])]
    report_rows(target.name, nan, "NaN is not allowed", block, found["nan"])
    infinite = [row for row in odd if math.isinf(values[row])]
    report_rows(target.name, infinite, "infinity is not allowed", block, found["inf"])
    outside = [row for row in odd if math.isfinite(values[row])]
    problem = "is not a probability between 0 and 1" if probability else TOO_LARGE
    found["out"].add_rows(
        outside,
        lambda row: f"Column {target.name!r} line {block.lines[row]}: {values[row]!r} {problem}",
    )


def report_rows(name: str, rows: list[int], problem: str, block: Block, found: Found) -> None:
    found.add_rows(rows, lambda row: f"Column {name!r} line {block.lines[row]}: {problem}")


def describe_lines(lines: list[int], total: int) -> str:
    """'line 4', 'lines 4 and 9', 'lines 4, 9, 12, 15, 20 and 3 more lines'."""
    shown = [str(line) for line in lines[:SHOWN_LINES]]
    if total > SHOWN_LINES:
        return "lines " + ", ".join(shown) + f" and {total - SHOWN_LINES} more lines"
    if len(shown) == 1:
        return "line " + shown[0]
    return "lines " + ", ".join(shown[:-1]) + " and " + shown[-1]


def report_absent_ids(count: int, examples: list[str], problems: Problems) -> None:
    listed = ", ".join(quote(value) for value in examples)
    if count == 1:
        problems.add(f"Missing ids: 1 id of the test set is absent: {listed}")
    else:
        problems.add(f"Missing ids: {count} ids of the test set are absent, e.g. {listed}")
