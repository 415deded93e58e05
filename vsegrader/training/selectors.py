"""Reads for the baseline panel."""

from django.db.models import QuerySet

from challenges.models import Challenge
from vsegrader.training.models import BaselineRun

RECENT_RUNS = 8


def recent_runs(*, challenge: Challenge, limit: int = RECENT_RUNS) -> QuerySet[BaselineRun]:
    runs = BaselineRun.objects.filter(challenge=challenge).select_related(
        "challenge", "submission", "requested_by"
    )
    return runs.order_by("-created_at", "-id")[:limit]


def needs_polling(runs) -> bool:
    """Something on the panel will still change: a run in progress, or its submission
    not scored yet."""
    return any(run.is_active or awaiting_score(run) for run in runs)


def awaiting_score(run: BaselineRun) -> bool:
    return run.submission is not None and not run.submission.is_done
