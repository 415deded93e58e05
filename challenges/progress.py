"""Data for the challenge page's chart: the best public score over time and the spread of
current scores. Rendered as plain SVG by challenges.charts; cached until a new score lands."""

from django.core.cache import cache
from django.db.models import Count, Max

from challenges.leaderboards import leaderboard
from challenges.models import Challenge, Submission


def _counted(challenge: Challenge):
    return Submission.objects.filter(
        challenge=challenge,
        status=Submission.Status.SCORED,
        is_late=False,
        disqualified_reason="",
        shown_public_score__isnull=False,
    ).exclude(user__in=challenge.disqualifications.values("user"))


def chart_context(challenge: Challenge) -> dict:
    stamp = _counted(challenge).aggregate(last=Max("scored_at"), n=Count("id"))
    key = f"chart:{challenge.pk}:{challenge.higher_is_better}:{stamp['last']}:{stamp['n']}"
    context = cache.get(key)
    if context is None:
        context = _render(challenge)
        cache.set(key, context, 600)
    return context


def _render(challenge: Challenge) -> dict:
    from challenges import charts  # TODO hoist once it lands

    history = list(
        _counted(challenge)
        .filter(is_baseline=False)
        .order_by("created_at", "id")
        .values_list("created_at", "shown_public_score")
    )
    board = leaderboard(challenge=challenge, split="public")
    baselines = [(row.name, row.score) for row in board if row.is_baseline]
    current = [row.score for row in board if not row.is_baseline]
    return {
        "progress_svg": charts.progress_chart(
            history, baselines=baselines, higher_is_better=challenge.higher_is_better
        ),
        "histogram_svg": charts.score_histogram(
            current, baselines=baselines, higher_is_better=challenge.higher_is_better
        ),
    }
