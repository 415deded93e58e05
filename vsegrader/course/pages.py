"""Browser pages: the instructors' gradebook, a student's own grades, the deadlines."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from challenges import selectors
from challenges.selectors import is_instructor
from vsegrader.course import deadlines, gradebook
from vsegrader.course.models import ProjectGroup

FIXED_COLUMNS = (
    ("Student", "name"), ("Username", "username"), ("Group", "group"),
)
TOTAL_COLUMNS = (
    ("Challenges", "challenges"), ("Project %", "project"), ("Points", "final"),
    ("Grade", "grade"),
)


def require_instructor(request) -> None:
    if not is_instructor(request.user):
        raise PermissionDenied("Only instructors see the gradebook.")


def wanted(request) -> dict:
    """The filter and sort the query string asks for."""
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "grade": request.GET.get("grade", "").strip()[:10],
        "sort": request.GET.get("sort", "name")[:60],
        "dir": "desc" if request.GET.get("dir") == "desc" else "asc",
    }


def chosen_rows(book: gradebook.Gradebook, params: dict) -> list[gradebook.Row]:
    rows = gradebook.filter_rows(book.rows, params["q"], params["grade"])
    return gradebook.sort_rows(rows, params["sort"], descending=params["dir"] == "desc")


def header(label: str, key: str, params: dict) -> dict:
    active = params["sort"] == key
    direction = "desc" if active and params["dir"] == "asc" else "asc"
    query = urlencode({"q": params["q"], "grade": params["grade"], "sort": key, "dir": direction})
    arrow = ("▲" if params["dir"] == "asc" else "▼") if active else ""
    return {"label": label, "url": f"?{query}", "active": active, "arrow": arrow}


@login_required
@require_GET
def gradebook_page(request):
    require_instructor(request)
    book, params = gradebook.gradebook(), wanted(request)
    rows = chosen_rows(book, params)
    context = {
        "book": book,
        "params": params,
        "fixed": [header(label, key, params) for label, key in FIXED_COLUMNS],
        "challenge_headers": [header(c.title, f"mark:{c.slug}", params) for c in book.columns],
        "totals": [header(label, key, params) for label, key in TOTAL_COLUMNS],
        "table": [(row, [(row.marks.get(c.slug), row.places.get(c.slug)) for c in book.columns])
                  for row in rows],
        "parts": gradebook.parts_text(book.scheme, book.items),
        "grades": [grade for _, grade in book.scheme.scale],
        "csv_query": urlencode({k: v for k, v in params.items() if v}),
        "row_count": len(book.rows),
    }
    return render(request, "course/gradebook.html", context)


@login_required
@require_GET
def gradebook_csv(request):
    require_instructor(request)
    book = gradebook.gradebook()
    text = gradebook.csv_text(book, chosen_rows(book, wanted(request)))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    name = f"grades-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def my_grades(request):
    mine = gradebook.my_grades(user=request.user)
    group = ProjectGroup.objects.filter(memberships__user=request.user).first()
    context = {
        "mine": mine,
        "cells": [(c, mine.row.marks.get(c.slug), mine.row.places.get(c.slug))
                  for c in mine.columns],
        "parts": gradebook.parts_text(mine.scheme, mine.items),
        "group": group,
        "scheme": mine.scheme,
        "best_of": [item for item in mine.items if len(item.slugs) > 1],
        "is_instructor": is_instructor(request.user),
    }
    return render(request, "course/my_grades.html", context)


@login_required
@require_GET
def challenge_grading(request, slug: str):
    """The challenge page's "Grading" card (an htmx fragment): its part of the grade, how the
    parts combine, how ties rank, and its rule once revealed."""
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    summary = gradebook.challenge_summary(challenge, user=request.user)
    return render(request, "course/_challenge_grading.html", {"challenge": challenge, **summary})


# --- deadlines ------------------------------------------------------------------------------


@login_required
@require_GET
def deadline_list(request):
    now = timezone.now()
    feed = deadlines.feed_for(request.user)
    feed_url = request.build_absolute_uri(reverse("calendar-feed", args=[feed.token]))
    context = {
        "deadlines": [(d, deadlines.countdown(d.at, now)) for d in
                      deadlines.course_deadlines(user=request.user)],
        "now": now,
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
    }
    return render(request, "course/deadlines.html", context)


@require_GET
def calendar_feed(request, token: str):
    """No session: calendar apps authenticate with the secret in the URL."""
    user = deadlines.feed_user(token)
    if user is None:
        raise Http404("No such calendar.")
    text = deadlines.ics_calendar(
        deadlines.course_deadlines(user=user), now=timezone.now(),
        base_url=request.build_absolute_uri("/").rstrip("/"), host=request.get_host(),
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="course-deadlines.ics"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def calendar_renew(request):
    deadlines.feed_renew(request.user)
    messages.success(request, "New calendar link made; the old one no longer works. "
                              "Subscribe again with the link below.")
    return redirect("deadline-list")
