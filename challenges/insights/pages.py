"""Browser pages of the insights: they read stored reports only (computed by the worker)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from challenges import selectors
from challenges.insights import access, services, svg
from challenges.scoring import get_metric
from vsegrader.refusals import Refused


def student_charts(data: dict) -> dict:
    charts = {}
    if data.get("points"):
        charts["fit"] = svg.scatter(
            data["points"],
            x_label="x",
            y_label="y",
            series=2,
            title="truth (blue) and your predictions (orange)",
        )
        charts["residuals"] = svg.scatter(
            [[p[0], p[3]] for p in data["points"]],
            x_label="x",
            y_label="prediction − truth",
            title="residuals over x",
        )
    for column in data.get("columns", ()):
        hist = column["histogram"]
        column["svg"] = svg.bars(
            hist["counts"],
            hist["edges"],
            x_label="prediction − truth",
            title=f"residuals of {column['name']}",
        )
    return charts


def render_student(request, challenge, user_id: int, *, own: bool):
    report = access.student_report(challenge, user_id)
    data = dict(report.data) if report else None
    if data and data.get("wrong"):
        data["wrong"] = access.with_pictures(challenge, data["wrong"])
    if data and data.get("confusion"):
        data["matrix"] = list(
            zip(data["labels"], data["confusion"], data["per_class"], strict=True)
        )
    context = {
        "challenge": challenge,
        "metric": get_metric(challenge.metric),
        "report": report,
        "data": data,
        "charts": student_charts(data) if data else {},
        "own": own,
        "is_instructor": selectors.is_instructor(request.user),
    }
    return render(request, "challenges/insights/student.html", context)


@login_required
@require_GET
def insights_mine(request, slug: str):
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    access.require_own_report_visible(challenge=challenge, user=request.user)
    return render_student(request, challenge, request.user.pk, own=True)


@login_required
@require_GET
def insights_student(request, slug: str, id: int):
    access.require_instructor(request.user)
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    if not get_user_model().objects.filter(pk=id).exists():
        raise Http404("No such student.")
    return render_student(request, challenge, id, own=False)


@login_required
@require_GET
def insights_class(request, slug: str):
    access.require_instructor(request.user)
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    report = access.stored(challenge, access.Kind.CLASS)
    data = dict(report.data) if report else None
    charts, rows = {}, []
    if data:
        data["hardest"] = access.with_pictures(challenge, data["hardest"])
        charts = class_charts(data)
        rows = list(zip(data["names"], data["shakeup"], data["overfitting"], strict=True))
    context = {
        "challenge": challenge,
        "report": report,
        "data": data,
        "charts": charts,
        "rows": rows,
        "metric": get_metric(challenge.metric),
    }
    return render(request, "challenges/insights/class.html", context)


def class_charts(data: dict) -> dict:
    timeline = [[k, row[2]] for k, row in enumerate(data["timeline"]) if row[2] is not None]
    scores = [s for s in data["private_scores"] if s is not None]
    counts, edges = histogram(scores)
    return {
        "shakeup": svg.scatter(
            data["shakeup"],
            x_label="public rank",
            y_label="private rank",
            title="shake-up: public rank → private rank",
            diagonal=True,
        ),
        "overfitting": svg.scatter(
            data["overfitting"],
            x_label="submissions made",
            y_label="public − private (flattering > 0)",
            title="overfitting to the public board",
        ),
        "timeline": svg.scatter(
            timeline,
            x_label="counted submissions, in the order sent",
            y_label="private score",
            title="private scores over time",
        ),
        "distribution": svg.bars(
            counts, edges, x_label="private score", title="private score distribution"
        ),
    }


def histogram(values: list[float]) -> tuple[list[int], list[float]]:
    from challenges.insights.regression import histogram as numeric_histogram

    if not values:
        return [], [0.0, 1.0]
    hist = numeric_histogram(values)
    return hist["counts"], hist["edges"]


@login_required
@require_http_methods(["GET", "POST"])
def insights_integrity(request, slug: str):
    access.require_instructor(request.user)
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    if request.method == "POST":
        try:
            services.flag_dismiss(
                challenge=challenge,
                user_a=request.POST.get("user_a", 0),
                user_b=request.POST.get("user_b", 0),
                note=request.POST.get("note", ""),
                by=request.user,
            )
            messages.success(request, "The pair was dismissed.")
        except (Refused, ValueError) as refused:
            messages.error(request, getattr(refused, "message", "Not a pair of students."))
        return redirect("challenge-insights-integrity", slug=challenge.slug)
    report = access.stored(challenge, access.Kind.INTEGRITY)
    dismissed = access.dismissals(challenge)
    flags = []
    for flag in report.data["flags"] if report else ():
        key = tuple(sorted((flag["user_a"], flag["user_b"])))
        flags.append({**flag, "dismissal": dismissed.get(key)})
    context = {"challenge": challenge, "report": report, "flags": flags}
    return render(request, "challenges/insights/integrity.html", context)
