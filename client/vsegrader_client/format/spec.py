"""A prediction column of a submission file: the part of the format the file check needs.

The server's `SubmissionSpec` (challenges/scoring/spec.py) and the client's `Spec`
(vsegrader_client/checks.py) both hold their targets as this `Target`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TargetKind = Literal["float", "label", "probability"]
TARGET_KINDS: tuple[str, ...] = ("float", "label", "probability")


@dataclass(frozen=True)
class Target:
    """One prediction column.

    kind "float": a finite number from -1e100 to 1e100 (regression; larger squares overflow).
    kind "label": one of `labels`, compared as text after stripping spaces ("1" == " 1").
    kind "probability": a finite number in [0, 1] (the positive class; the solution holds 0/1).
    """

    name: str
    kind: TargetKind = "float"
    labels: tuple[str, ...] = ()
