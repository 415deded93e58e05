"""Pure submission validation and scoring (no Django): see DESIGN.md, "A submission's way"."""

from challenges.scoring.errors import SubmissionInvalid
from challenges.scoring.metrics import METRICS, Metric, get_metric
from challenges.scoring.score import score_predictions, score_submission
from challenges.scoring.solution import Solution, check_spec, load_solution
from challenges.scoring.spec import Scores, SubmissionSpec, Target
from challenges.scoring.submission import validate_submission

__all__ = [
    "METRICS",
    "Metric",
    "Scores",
    "Solution",
    "SubmissionInvalid",
    "SubmissionSpec",
    "Target",
    "check_spec",
    "get_metric",
    "load_solution",
    "score_predictions",
    "score_submission",
    "validate_submission",
]
