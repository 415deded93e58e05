"""Data for the challenge page's chart: the best public score over time and the spread of
current scores. Rendered as plain SVG by `charts.py`; cached until a new score lands."""

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from challenges.boards import charts
from challenges.boards.leaderboards import leaderboard
from challenges.boards.standings import counted_submissions
from challenges.models import Challenge
from challenges.scoring import get_metric


def _scored(challenge: Challenge):
    return counted_submissions(challenge).filter(shown_public_score__isnull=False)


def chart_context(challenge: Challenge) -> dict:
    stamp = _scored(challenge).aggregate(last=Max("scored_at"), n=Count("id"))
    last = stamp["last"].timestamp() if stamp["last"] else 0
    key = f"chart:{challenge.pk}:{challenge.higher_is_better}:{last}:{stamp['n']}"
    context = cache.get(key)
    if context is None:
        context = _render(challenge)
        cache.set(key, context, 600)
    return context


def _render(challenge: Challenge) -> dict:
    history = list(
        _scored(challenge)
        .filter(is_baseline=False)
        .order_by("created_at", "id")
        .values_list("created_at", "shown_public_score")
    )
    board = leaderboard(challenge=challenge, split="public")
    baselines = [charts.Baseline(row.name, row.score) for row in board if row.is_baseline]
    current = [row.score for row in board if not row.is_baseline]
    label = get_metric(challenge.metric).label
    options = {
        "higher_is_better": challenge.higher_is_better,
        "baselines": baselines,
        "metric_label": label,
    }
    return {
        "progress_svg": charts.progress_svg(history, tz=timezone.get_current_timezone(), **options),
        "histogram_svg": charts.histogram_svg(current, **options),
    }
