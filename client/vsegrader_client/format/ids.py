"""Finding the solution row of each submitted id. Ids are compared as text ("017" != "17").

Three ways, fastest first:
  same order   the submission lists the solution's ids in the solution's order;
  dense ints   every solution id is an integer written plainly and they fill most of a
               range (Kaggle's usual 0..n-1): a lookup table indexed by the number;
  any text     a hash lookup (pyarrow's index_in).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MAX_TABLE_SPREAD = 4  # a lookup table may have at most this many slots per id
# keys are clipped to the table's range ± 1 before subtracting; keep that from overflowing
_SAFE_LOW, _SAFE_HIGH = -(2**62), 2**62


class DuplicateIds(ValueError):
    def __init__(self, groups: list[tuple[str, list[int]]]):
        self.groups = groups  # (id, rows where it occurs), for the first few duplicated ids
        super().__init__(f"{len(groups)} duplicated ids")


@dataclass(frozen=True)
class Alignment:
    positions: np.ndarray  # the solution row of each submitted row; -1: unknown or empty id
    same_order: bool  # the submission lists exactly the solution's ids, in its order


class IdIndex:
    """Maps ids to solution rows; built once per solution, shared by every submission."""

    def __init__(self, ids: pa.Array, keys: np.ndarray | None, table: _IntTable | None = None):
        self.ids = ids
        self._keys = keys  # the ids as integers, when they suit a lookup table
        self._table = table  # built on first use: submissions in the solution's order need none

    @classmethod
    def build(cls, ids: pa.Array) -> IdIndex:
        """Index text ids without nulls; raise DuplicateIds if an id occurs twice."""
        keys = _dense_int_keys(ids)
        if keys is None:
            if len(pc.unique(ids)) != len(ids):
                raise DuplicateIds(duplicate_groups(ids))
            return cls(ids, None)
        # increasing keys are distinct; building the table finds repeats among the others
        table = None if _strictly_increasing(keys) else _IntTable.build(keys, ids)
        return cls(ids, keys, table)

    def align(self, ids: pa.Array) -> Alignment:
        """Where each submitted id is in the solution."""
        if self._in_same_order(ids):
            return Alignment(np.arange(len(ids), dtype=np.int64), same_order=True)
        return Alignment(self._positions(ids), same_order=False)

    def _in_same_order(self, ids: pa.Array) -> bool:
        if len(ids) != len(self.ids) or ids.null_count:
            return False
        probe = slice(0, 64)  # a shuffled file usually differs at once; skip the full compare
        if ids[probe].to_pylist() != self.ids[probe].to_pylist():
            return False
        return bool(pc.all(pc.equal(ids, self.ids)).as_py())

    def _positions(self, ids: pa.Array) -> np.ndarray:
        if self._keys is not None and ids.null_count == 0:
            keys = plain_int_keys(ids)
            if keys is not None:
                return self._int_table().lookup(*keys)
        found = pc.index_in(ids, value_set=self.ids)
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)

    def _int_table(self) -> _IntTable:
        if self._table is None:
            self._table = _IntTable.build(self._keys, self.ids)
        return self._table


@dataclass(frozen=True)
class _IntTable:
    lowest: int
    slots: np.ndarray  # slots[1 + key - lowest] = solution row of key; -1 in the unused slots

    @classmethod
    def build(cls, keys: np.ndarray, ids: pa.Array) -> _IntTable:
        lowest = int(keys.min())
        slots = np.full(int(keys.max()) - lowest + 3, -1, dtype=np.int64)
        offsets = keys - (lowest - 1)
        every_row = np.arange(len(keys), dtype=np.int64)
        slots[offsets] = every_row
        if not np.array_equal(slots.take(offsets), every_row):  # a repeat kept its last row
            raise DuplicateIds(duplicate_groups(ids))
        return cls(lowest, slots)

    def lookup(self, keys: np.ndarray, plain: np.ndarray) -> np.ndarray:
        # clipping sends every key outside the range to the -1 slots at either end
        clipped = np.clip(keys, self.lowest - 1, self.lowest + len(self.slots) - 2)
        positions = self.slots.take(clipped - (self.lowest - 1))
        if not plain.all():
            positions[~plain] = -1
        return positions


def _dense_int_keys(ids: pa.Array) -> np.ndarray | None:
    """The ids as integers if all are written plainly and fit a small lookup table."""
    keys = plain_int_keys(ids) if len(ids) else None
    if keys is None or not keys[1].all():
        return None
    values = keys[0]
    lowest, highest = int(values.min()), int(values.max())
    too_spread = highest - lowest + 1 > MAX_TABLE_SPREAD * len(values) + 1024
    if too_spread or not (lowest > _SAFE_LOW and highest < _SAFE_HIGH):
        return None
    return values


def _strictly_increasing(values: np.ndarray) -> bool:
    return bool(np.all(values[1:] > values[:-1]))


def plain_int_keys(ids: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """(integer value, is written plainly) per id, or None if some id is not an integer.

    "Plainly" means the text is exactly how the integer prints. pyarrow's cast refuses "+5"
    and spaces, so what is left is leading zeros: "017", "00" and "-0" must not match 17 or 0.
    """
    try:
        keys = pc.cast(ids, pa.int64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if _text_bytes(ids) == _printed_bytes(keys):
        return keys, np.ones(len(keys), dtype=bool)
    zero_led = pc.or_(
        pc.and_(pc.starts_with(ids, "0"), pc.greater(pc.binary_length(ids), 1)),
        pc.starts_with(ids, "-0"),
    )
    return keys, ~zero_led.to_numpy(zero_copy_only=False)


def _text_bytes(ids: pa.Array) -> int:
    return int(pc.sum(pc.binary_length(ids)).as_py() or 0)


def _printed_bytes(keys: np.ndarray) -> int:
    """Characters needed to print every key; a text never has fewer, so equal means plain."""
    magnitudes = np.abs(keys)  # the one key whose magnitude overflows is never plain anyway
    largest = int(magnitudes.max()) if len(keys) else 0
    digits = len(keys) + int(np.count_nonzero(keys < 0))
    power = 10
    while power <= largest:
        digits += int(np.count_nonzero(magnitudes >= power))
        power *= 10
    return digits


def duplicate_groups(ids: pa.Array, limit: int = 10) -> list[tuple[str, list[int]]]:
    """The first `limit` ids that occur more than once, with the rows where they occur."""
    counts = pc.value_counts(ids.drop_null())
    repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    repeated = repeated.slice(0, limit)
    rows = np.flatnonzero(pc.is_in(ids, value_set=repeated).to_numpy(zero_copy_only=False))
    groups: dict[str, list[int]] = {}
    for row, text in zip(rows.tolist(), ids.take(pa.array(rows)).to_pylist()):
        groups.setdefault(text, []).append(row)
    return sorted(groups.items(), key=lambda group: group[1][0])
