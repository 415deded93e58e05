"""Scoring a submission on the solution's public and private rows."""

from __future__ import annotations

import numpy as np

from challenges.scoring.csvfile import Source
from challenges.scoring.metrics import Metric, get_metric
from challenges.scoring.solution import Solution
from challenges.scoring.spec import Scores, SubmissionSpec
from challenges.scoring.submission import validate_submission


def score_submission(source: Source, spec: SubmissionSpec, solution: Solution) -> Scores:
    """Validate the file, then score it; raise SubmissionInvalid if it cannot be scored."""
    predictions = validate_submission(source, spec, solution)
    return score_predictions(predictions, solution, get_metric(spec.metric))


def score_predictions(predictions: np.ndarray, solution: Solution, metric: Metric) -> Scores:
    """Scores of predictions aligned to the solution's rows; a split without rows is None."""
    return Scores(
        public=_split_score(metric, solution.y, predictions, solution.public_rows),
        private=_split_score(metric, solution.y, predictions, solution.private_rows),
    )


def _split_score(metric: Metric, y_true, y_pred, rows: np.ndarray) -> float | None:
    if len(rows) == 0:
        return None
    return metric(y_true.take(rows, axis=0), y_pred.take(rows, axis=0))
