"""Validating a student's CSV against the spec and the solution's ids.

The check itself is the client package's (vsegrader_client/format/check.py), so that the
command line refuses a file with the server's own messages; here the predictions it returns
are put in the solution's order of rows.
"""

from __future__ import annotations

import numpy as np
from vsegrader_client.format.check import check_file
from vsegrader_client.format.csvfile import Source
from vsegrader_client.format.ids import Alignment

from challenges.scoring.solution import Solution
from challenges.scoring.spec import SubmissionSpec


def validate_submission(source: Source, spec: SubmissionSpec, solution: Solution) -> np.ndarray:
    """The predictions aligned to the solution's rows (shaped like `solution.y`).

    Raise SubmissionInvalid listing what is wrong with the file.
    """
    _require_same_targets(spec, solution)
    checked = check_file(source, spec.id_column, spec.targets, solution.row_count, solution.index)
    return _aligned(checked.predictions, checked.alignment)


def _require_same_targets(spec: SubmissionSpec, solution: Solution) -> None:
    if (spec.id_column, spec.targets) != (solution.spec.id_column, solution.spec.targets):
        raise ValueError("The solution was loaded for a different submission format")


def _aligned(predictions: list[np.ndarray], alignment: Alignment) -> np.ndarray:
    values = predictions[0] if len(predictions) == 1 else np.column_stack(predictions)
    if alignment.same_order:
        return values
    aligned = np.empty_like(values)
    aligned[alignment.positions] = values
    return aligned
