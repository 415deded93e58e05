"""Hints for the usual mistakes behind a refused file, shown under the server's messages:
an Excel workbook renamed .csv, integer labels written as floats (`0.0`), probabilities
where 0/1 labels are asked for (`0.73`), ids written as floats (`2000.0`), a header in the
wrong case (`Id` for `id`). The pandas index column has its hint in the messages
themselves. The browser's check (challenges/static/js/filecheck.js) gives the same hints."""

from __future__ import annotations

import re
from collections.abc import Sequence

from vsegrader_client.checks import Spec

UNKNOWN_ID = re.compile(r"Unknown id '(.*)' on line \d+")
BAD_LABEL = re.compile(r"Column '(.*)' line \d+: '(.*)' is not one of the allowed labels")
MISSING_COLUMN = re.compile(r"Required column '(.*)' could not be found")
FLOAT_INTEGER = re.compile(r"[+-]?[0-9]+\.0*")
INTEGER = re.compile(r"-?[0-9]+")
FRACTION = re.compile(r"0?\.[0-9]*[1-9][0-9]*")  # strictly between 0 and 1: 0.73, .5


def header_of(data: bytes) -> list[str]:
    first = data[:65536].split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    return [name.strip().strip('"') for name in first.rstrip("\r").split(",")]


def grouped(kinds: dict[str, int]) -> str:
    """{'unknown id': 1250000, 'Missing ids: ...': 1} -> '1,250,000 rows: unknown id; ...'."""
    parts = []
    for kind, count in kinds.items():
        parts.append(f"{count:,} rows: {kind}" if count > 1 else kind)
    return "; ".join(parts)


def hints(data: bytes, spec: Spec, errors: Sequence[str], header: Sequence[str] = ()) -> list[str]:
    found = [
        excel(data),
        *header_case(errors, header),
        *float_ids(errors),
        *float_labels(spec, errors),
        *probability_labels(spec, errors),
    ]
    return [f"hint: {text}" for text in dict.fromkeys(h for h in found if h)]


def excel(data: bytes) -> str | None:
    head = data[:4096]
    if head.startswith(b"PK\x03\x04") and (b"xl/" in head or b"[Content_Types]" in head):
        kind = "an Excel workbook (.xlsx)"
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        kind = "an old Excel workbook (.xls)"
    else:
        return None
    return (
        f"this is {kind}, not a CSV file: save it as 'CSV UTF-8', or in pandas "
        "df.to_csv('submission.csv', index=False)"
    )


def header_case(errors: Sequence[str], header: Sequence[str]) -> list[str]:
    present = {name.strip().lower(): name.strip() for name in header}
    out = []
    for message in errors:
        match = MISSING_COLUMN.fullmatch(message)
        wanted = match and match[1]
        if wanted and wanted.lower() in present and present[wanted.lower()] != wanted:
            out.append(
                f"did you mean {wanted!r}? The header has {present[wanted.lower()]!r}; "
                "column names are case-sensitive"
            )
    return out


def float_ids(errors: Sequence[str]) -> list[str]:
    for message in errors:
        match = UNKNOWN_ID.fullmatch(message)
        if match and FLOAT_INTEGER.fullmatch(match[1]) and "." in match[1]:
            return [
                f"ids are written as numbers with a decimal point ({match[1]}): write them "
                "as integers, e.g. df['id'] = df['id'].astype(int)"
            ]
    return []


def float_labels(spec: Spec, errors: Sequence[str]) -> list[str]:
    integer_labels = labelled(spec, lambda labels: all(INTEGER.fullmatch(str(x)) for x in labels))
    found = first_bad_label(errors, integer_labels, FLOAT_INTEGER)
    if found is None:
        return []
    name, value = found
    return [
        f"the labels of {name!r} are integers: write {int(float(value))}, "
        f"not {value} (e.g. df[{name!r}] = df[{name!r}].astype(int))"
    ]


def probability_labels(spec: Spec, errors: Sequence[str]) -> list[str]:
    binary = labelled(spec, lambda labels: sorted(str(x) for x in labels) == ["0", "1"])
    found = first_bad_label(errors, binary, FRACTION)
    if found is None:
        return []
    name, value = found
    return [
        f"the values of {name!r} look like probabilities ({value}): write the predicted "
        f"label, 0 or 1 (e.g. df[{name!r}] = (df[{name!r}] >= 0.5).astype(int))"
    ]


def labelled(spec: Spec, labels_fit) -> set[str]:
    """The names of the label targets whose allowed labels `labels_fit`."""
    return {t.name for t in spec.targets if t.kind == "label" and t.labels and labels_fit(t.labels)}


def first_bad_label(errors: Sequence[str], names: set[str], value: re.Pattern):
    """(column, value) of the first 'not one of the allowed labels' message about one of
    `names` whose value matches `value`; None if there is none."""
    for message in errors:
        match = BAD_LABEL.match(message)
        if match and match[1] in names and value.fullmatch(match[2]):
            return match[1], match[2]
    return None
