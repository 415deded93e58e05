"""Scoring a submission on the solution's public and private rows."""

from __future__ import annotations

import numpy as np
from vsegrader_client.format.csvfile import Source

from challenges.scoring.bootstrap import bootstrap_ci
from challenges.scoring.metrics import Metric, get_metric
from challenges.scoring.rowloss import row_losses
from challenges.scoring.solution import Solution
from challenges.scoring.spec import Scores, SubmissionSpec
from challenges.scoring.submission import validate_submission

CI_RESAMPLES = 1000
CI_MIN_RESAMPLES = 200  # fewer would make the 2.5 % and 97.5 % percentiles too noisy
CI_MAX_DRAWS = 20_000_000  # rows × resamples: about 0.1 s; above 100,000 rows, no CI
CI_SEED = 0  # fixed, so that rescoring a submission gives the same interval


def score_submission(
    source: Source, spec: SubmissionSpec, solution: Solution, *, confidence: bool = True
) -> Scores:
    """Validate the file, then score it; raise SubmissionInvalid if it cannot be scored."""
    predictions = validate_submission(source, spec, solution)
    return score_predictions(predictions, solution, get_metric(spec.metric), confidence=confidence)


def score_predictions(
    predictions: np.ndarray, solution: Solution, metric: Metric, *, confidence: bool = True
) -> Scores:
    """Scores of predictions aligned to the solution's rows; a split without rows is None.

    Also the public rows' losses (for the Ladder) and, with `confidence`, a 95 % bootstrap
    interval of the private score (None when the split is too large to resample cheaply).
    """
    public = _split(solution.y, predictions, solution.public_rows)
    private = _split(solution.y, predictions, solution.private_rows)
    return Scores(
        public=_score(metric, public),
        private=_score(metric, private),
        public_losses=row_losses(metric.name, *public) if public else None,
        private_ci=_interval(metric, private) if confidence else None,
    )


Split = tuple[np.ndarray, np.ndarray] | None  # (y_true, y_pred) of a split's rows


def _split(y_true: np.ndarray, y_pred: np.ndarray, rows: np.ndarray) -> Split:
    if len(rows) == 0:
        return None
    return y_true.take(rows, axis=0), y_pred.take(rows, axis=0)


def _score(metric: Metric, split: Split) -> float | None:
    return None if split is None else metric(*split)


def _interval(metric: Metric, split: Split) -> tuple[float, float] | None:
    if split is None:
        return None
    resamples = min(CI_RESAMPLES, CI_MAX_DRAWS // len(split[0]))
    if resamples < CI_MIN_RESAMPLES:
        return None
    try:
        return bootstrap_ci(metric.name, *split, n_resamples=resamples, seed=CI_SEED)
    except ValueError:  # undefined on every resample, e.g. roc_auc on a tiny split
        return None
