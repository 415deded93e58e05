"""Gathering a challenge's inputs and building every report from them (worker only: this is
the one place that reads the hidden solution, through the scorer's cached loader)."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from challenges.insights import classstats, confusion, regression
from challenges.models import Standing, Submission
from challenges.scoring import SubmissionInvalid, validate_submission
from challenges.submissions.judge import cached_solution
from vsegrader.permissions import not_instructor

log = logging.getLogger(__name__)


@dataclass
class Participant:
    user_id: int
    username: str
    standing: Standing
    final: Submission | None
    predictions: np.ndarray | None  # aligned to the solution's rows


def participants(challenge) -> list[Participant]:
    """Students with a private score on the board (staff uploads and baselines excluded)."""
    rows = (
        Standing.objects.filter(challenge=challenge, is_baseline=False, private_score__isnull=False)
        .filter(not_instructor("user"))
        .select_related("user")
        .order_by("user_id")
    )
    finals = Submission.objects.in_bulk([s.private_submission_id for s in rows])
    return [
        Participant(s.user_id, s.user.get_username(), s, finals.get(s.private_submission_id), None)
        for s in rows
    ]


def read_predictions(submission: Submission | None, spec, solution) -> np.ndarray | None:
    if submission is None or not submission.file:
        return None
    try:
        with submission.file.open("rb") as handle:
            return validate_submission(handle.read(), spec, solution)
    except (OSError, SubmissionInvalid, ValueError) as exc:
        log.info("No predictions of submission %s for insights: %s", submission.pk, exc)
        return None


def task_kind(challenge) -> str:
    targets = challenge.targets
    if all(t.get("kind") == "label" for t in targets):
        return "classification"
    if len(targets) == 1:
        return "regression-1d"
    return "regression-nd"


def test_x(challenge, solution) -> np.ndarray | None:
    """The first input column of the public test.csv, aligned to the solution's rows."""
    data_file = challenge.files.filter(name="test.csv").first()
    if data_file is None:
        return None
    try:
        with data_file.file.open("rb") as handle:
            table = pd.read_csv(io.BytesIO(handle.read()), dtype={challenge.id_column: str})
        inputs = [c for c in table.columns if c != challenge.id_column]
        x = dict(zip(table[challenge.id_column].str.strip(), table[inputs[0]], strict=True))
        return np.array([float(x[i]) for i in solution.ids.to_pylist()])
    except (OSError, ValueError, KeyError, IndexError) as exc:
        log.info("No test inputs for %s: %s", challenge.slug, exc)
        return None


@dataclass
class Inputs:
    challenge: object
    solution: object
    kind: str
    people: list[Participant]
    labels: list[str]
    ids: list[str]
    x: np.ndarray | None


def gather(challenge) -> Inputs:
    solution = cached_solution(challenge)
    people = participants(challenge)
    for person in people:
        person.predictions = read_predictions(person.final, challenge.spec, solution)
    kind = task_kind(challenge)
    labels = list(challenge.targets[0].get("labels", [])) if kind == "classification" else []
    x = test_x(challenge, solution) if kind == "regression-1d" else None
    return Inputs(challenge, solution, kind, people, labels, solution.ids.to_pylist(), x)


def wrong_matrix(inputs: Inputs, people: list[Participant]) -> np.ndarray:
    y = inputs.solution.y
    return np.array([p.predictions != y for p in people], dtype=bool).reshape(len(people), -1)


def difficulty(inputs: Inputs) -> np.ndarray | None:
    people = [p for p in inputs.people if p.predictions is not None]
    if inputs.kind != "classification" or not people:
        return None
    return wrong_matrix(inputs, people).sum(axis=0)


def student_report(inputs: Inputs, person: Participant, class_scores: dict, hard) -> dict:
    challenge, s = inputs.challenge, person.standing
    report = {
        "kind": inputs.kind,
        "public": s.public_score,
        "private": s.private_score,
        "ci": [s.private_ci_low, s.private_ci_high] if s.private_ci_low is not None else None,
        "percentile": classstats.percentile(
            s.private_score, class_scores["private"], challenge.higher_is_better
        ),
        "participants": len(class_scores["private"]),
        **class_scores["ranks"].get(person.user_id, {}),
        "submission_id": person.final.pk if person.final else None,
        "has_rows": person.predictions is not None,
    }
    if person.predictions is not None:
        report.update(row_details(inputs, person.predictions, hard))
    return report


def row_details(inputs: Inputs, predictions: np.ndarray, hard) -> dict:
    solution, rows = inputs.solution, inputs.solution.private_rows
    y_true, y_pred = solution.y[rows], predictions[rows]
    if inputs.kind == "classification":
        matrix = confusion.confusion_matrix(y_true, y_pred, len(inputs.labels))
        wrong = confusion.wrong_rows(solution.y, predictions, rows, difficulty=hard)
        return {
            "labels": inputs.labels,
            "confusion": matrix.tolist(),
            "per_class": confusion.per_class_accuracy(matrix),
            "wrong": [example(inputs, r, predictions) for r in wrong],
        }
    if inputs.kind == "regression-1d" and inputs.x is not None:
        return {"points": regression.curve_points(inputs.x[rows], y_true, y_pred)}
    names = [t["name"] for t in inputs.challenge.targets]
    res = regression.residuals(y_true, y_pred).reshape(len(rows), -1)
    mses = regression.column_mse(y_true, y_pred)
    return {
        "columns": [
            {"name": n, "mse": m, "histogram": regression.histogram(res[:, k])}
            for k, (n, m) in enumerate(zip(names, mses, strict=True))
        ]
    }


def example(inputs: Inputs, row: int, predictions: np.ndarray) -> dict:
    labels = inputs.labels
    return {
        "row": row,
        "id": inputs.ids[row],
        "true": labels[int(inputs.solution.y[row])],
        "predicted": labels[int(predictions[row])],
    }
