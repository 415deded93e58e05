"""Writes: precomputing a challenge's insight reports (in the worker) and dismissing flags.

Reports are computed once per set of inputs: `signature` hashes what they are made of (the
solution, every participant's counted submissions and scores, disqualifications), so the
periodic task recomputes a revealed challenge only when a rescore, a moderation or a late
scoring changed something, and pages only read the stored rows."""

from __future__ import annotations

import hashlib
import json
import logging

from django.db import transaction
from django.utils import timezone

from challenges.insights import code, compute, images, reports
from challenges.insights.models import InsightReport, IntegrityDismissal
from challenges.models import Challenge, Standing
from challenges.rules.deadlines import is_revealed
from vsegrader.refusals import Refused

log = logging.getLogger(__name__)
Kind = InsightReport.Kind


def signature(challenge: Challenge) -> str:
    standings = (
        Standing.objects.filter(challenge=challenge)
        .order_by("team")
        .values_list(
            "team",
            "public_submission_id",
            "private_submission_id",
            "public_score",
            "private_score",
            "entries",
        )
    )
    banned = challenge.disqualifications.order_by("user_id").values_list("user_id", flat=True)
    attached = code.code_signature(challenge)
    text = json.dumps(
        [challenge.solution_sha256, list(standings), list(banned), attached], default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


def stored_signature(challenge: Challenge) -> str | None:
    return (
        InsightReport.objects.filter(challenge=challenge, kind=Kind.CLASS, subject="")
        .values_list("signature", flat=True)
        .first()
    )


def is_stale(challenge: Challenge) -> bool:
    return stored_signature(challenge) != signature(challenge)


def insights_compute(*, challenge_id: int, force: bool = False) -> bool:
    """Computes and stores every report of the challenge; False when they were up to date."""
    challenge = Challenge.objects.get(pk=challenge_id)
    sign = signature(challenge)
    if not force and stored_signature(challenge) == sign:
        return False
    inputs = compute.gather(challenge)
    scores = reports.class_scores(inputs)
    hard = compute.difficulty(inputs)
    rows = {
        (Kind.STUDENT, f"u{p.user_id}"): compute.student_report(inputs, p, scores, hard)
        for p in inputs.people
    }
    rows[Kind.CLASS, ""] = reports.class_report(inputs, scores)
    rows[Kind.INTEGRITY, ""] = reports.integrity_report(inputs)
    rows[Kind.INTEGRITY, ""]["flags"] += code.code_flags(challenge)
    for row, uri in images.pictures(challenge, pictured(rows, inputs.ids)).items():
        rows[Kind.IMAGE, f"r{row}"] = {"src": uri}
    store(challenge, rows, sign)
    log.info("Insights of %s: %s reports", challenge.slug, len(rows))
    return True


def pictured(rows: dict, ids: list[str]) -> dict[int, str]:
    wanted = set()
    for data in rows.values():
        wanted.update(e["row"] for e in data.get("wrong", ()))
        wanted.update(e["row"] for e in data.get("hardest", ()))
    return {r: ids[r] for r in sorted(wanted)}


def store(challenge: Challenge, rows: dict, sign: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        InsightReport.objects.filter(challenge=challenge).delete()
        InsightReport.objects.bulk_create(
            InsightReport(
                challenge=challenge,
                kind=kind,
                subject=subject,
                data=data,
                signature=sign,
                computed_at=now,
            )
            for (kind, subject), data in rows.items()
        )


def stale_revealed_challenges() -> list[int]:
    """Ids of revealed challenges whose reports are missing or out of date."""
    return [c.pk for c in Challenge.objects.all() if is_revealed(c) and is_stale(c)]


class DismissalRefused(Refused):
    pass


def flag_dismiss(*, challenge: Challenge, user_a: int, user_b: int, note: str, by) -> None:
    note = note.strip()
    if not note:
        raise DismissalRefused("Write a note saying why the pair is dismissed.", "note_missing")
    a, b = sorted((int(user_a), int(user_b)))
    IntegrityDismissal.objects.update_or_create(
        challenge=challenge,
        user_a_id=a,
        user_b_id=b,
        defaults={"note": note[:500], "dismissed_by": by},
    )
