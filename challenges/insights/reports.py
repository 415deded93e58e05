"""The class report and the integrity report, built from gathered inputs (worker only)."""

from __future__ import annotations

import numpy as np

from challenges.boards.standings import counted_submissions
from challenges.insights import classstats, integrity
from challenges.insights.compute import Inputs, wrong_matrix
from vsegrader.permissions import not_instructor

TIMELINE_POINTS = 2000


def class_scores(inputs: Inputs) -> dict:
    """Scores and ranks of every participant, shared by the class and student reports."""
    people, better = inputs.people, inputs.challenge.higher_is_better
    public = [
        p.standing.public_score if p.standing.public_score is not None else p.standing.private_score
        for p in people
    ]
    private = [p.standing.private_score for p in people]
    pairs = classstats.shakeup(public, private, better) if people else []
    ranks = {
        p.user_id: {"public_rank": a, "private_rank": b, "moved": a - b}
        for p, (a, b) in zip(people, pairs, strict=True)
    }
    return {"public": public, "private": private, "ranks": ranks, "pairs": pairs}


def class_report(inputs: Inputs, scores: dict) -> dict:
    people, challenge = inputs.people, inputs.challenge
    entries = [p.standing.entries for p in people]
    report = {
        "kind": inputs.kind,
        "participants": len(people),
        "names": [p.username for p in people],
        "shakeup": scores["pairs"],
        "overfitting": classstats.overfitting(
            scores["public"], scores["private"], entries, challenge.higher_is_better
        ),
        "private_scores": scores["private"],
        "timeline": timeline(challenge),
        "hardest": [],
    }
    scored = [p for p in people if p.predictions is not None]
    if inputs.kind == "classification" and scored:
        wrong = wrong_matrix(inputs, scored)
        hardest = classstats.hardest_rows(wrong, inputs.solution.private_rows)
        labels, y = inputs.labels, inputs.solution.y
        report["hardest"] = [
            {
                "row": r,
                "wrong": n,
                "of": len(scored),
                "id": inputs.ids[r],
                "true": labels[int(y[r])],
            }
            for r, n in hardest
        ]
    return report


def timeline(challenge) -> list[list]:
    """[ISO time, public, private] of counted submissions by students, oldest first."""
    rows = (
        counted_submissions(challenge)
        .filter(not_instructor("user"), is_baseline=False)
        .order_by("created_at")
        .values_list("created_at", "public_score", "private_score")
    )
    points = [[t.isoformat(), a, b] for t, a, b in rows]
    if len(points) > TIMELINE_POINTS:
        picks = np.linspace(0, len(points) - 1, TIMELINE_POINTS).astype(int)
        points = [points[i] for i in picks]
    return points


def integrity_report(inputs: Inputs) -> dict:
    scored = [p for p in inputs.people if p.predictions is not None]
    solution = inputs.solution
    rows = np.flatnonzero(solution.public | solution.private)
    if len(scored) < 2:
        return {"flags": [], "students": len(scored), "pairs": 0}
    predictions = np.array([p.predictions[rows] for p in scored])
    truth = solution.y[rows]
    if inputs.kind == "classification":
        wrong = predictions != truth[None, :]
        wrong = wrong.reshape(len(scored), -1)
        flags = integrity.merge(
            integrity.error_overlap_flags(wrong),
            integrity.identical_flags(predictions, wrong.sum(axis=1)),
        )
        same_wrong = {
            (f.a, f.b): int(((predictions[f.a] == predictions[f.b]) & wrong[f.a]).sum())
            for f in flags
        }
    else:
        flat = predictions.reshape(len(scored), -1)
        errors = (np.abs(flat - truth.reshape(1, -1)) > 0).sum(axis=1)
        flags = integrity.merge(
            integrity.residual_flags(flat), integrity.identical_flags(flat, errors)
        )
        same_wrong = {}
    return {
        "students": len(scored),
        "pairs": len(scored) * (len(scored) - 1) // 2,
        "flags": [
            {
                **f.as_dict(),
                "user_a": scored[f.a].user_id,
                "user_b": scored[f.b].user_id,
                "name_a": scored[f.a].username,
                "name_b": scored[f.b].username,
                "same_wrong_label": same_wrong.get((f.a, f.b)),
            }
            for f in flags
        ],
    }
