"""Pure submission validation and scoring (no Django): see docs/ARCHITECTURE.md, section 3.

The file check itself (reading the CSV, the messages) is the client package's
vsegrader_client/format, shared with the command line; scoring stays here.
"""

from vsegrader_client.format.errors import SubmissionInvalid
from vsegrader_client.format.spec import Target

from challenges.scoring.bootstrap import bootstrap_ci
from challenges.scoring.ladder import LadderStep, ladder_accepts, ladder_replay, ladder_step
from challenges.scoring.metrics import METRICS, Metric, get_metric
from challenges.scoring.rowloss import has_row_losses, row_losses
from challenges.scoring.score import score_predictions, score_submission
from challenges.scoring.solution import Solution, check_spec, load_solution
from challenges.scoring.spec import Scores, SubmissionSpec
from challenges.scoring.submission import validate_submission

__all__ = [
    "METRICS",
    "LadderStep",
    "Metric",
    "Scores",
    "Solution",
    "SubmissionInvalid",
    "SubmissionSpec",
    "Target",
    "bootstrap_ci",
    "check_spec",
    "get_metric",
    "has_row_losses",
    "ladder_accepts",
    "ladder_replay",
    "ladder_step",
    "load_solution",
    "row_losses",
    "score_predictions",
    "score_submission",
    "validate_submission",
]
