"""Browser pages of the course: the gradebook, a student's own grades, the deadlines and
calendar feed, and the group projects (a student's group, the instructors' marking)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenges import selectors
from vsegrader.course import (
    deadlines,
    gradebook,
    gradebook_export,
    gradebook_table,
    marks,
    projects,
)
from vsegrader.course.forms import DeliverableForm, GroupCreateForm, JoinForm, MarkForm
from vsegrader.course.models import ProjectGroup
from vsegrader.course.projects import ProjectError
from vsegrader.course.roster import is_student
from vsegrader.permissions import instructor_required, is_instructor

FIXED_COLUMNS = (
    ("Student", "name", "First Last, or the username when the account has no name"),
    ("Username", "username", ""),
    ("Group", "group", "project group"),
)
TOTAL_COLUMNS = (
    ("Challenges", "challenges", "challenge points"),
    ("Project %", "project", "project mark in percent, with the member's adjustment"),
    ("Points", "final", "final points"),
    ("Grade", "grade", ""),
)


def wanted(request) -> dict:
    """The filter and sort the query string asks for."""
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "grade": request.GET.get("grade", "").strip()[:10],
        "sort": request.GET.get("sort", "name")[:60],
        "dir": "desc" if request.GET.get("dir") == "desc" else "asc",
    }


def chosen_filter(params: dict) -> gradebook_table.Filter:
    return gradebook_table.Filter(query=params["q"], grade=params["grade"])


def chosen_rows(book: gradebook.Gradebook, params: dict) -> list[gradebook.Row]:
    rows = [row for row in book.rows if chosen_filter(params).keeps(row)]
    return gradebook_table.sort_rows(rows, params["sort"], descending=params["dir"] == "desc")


def header(label: str, key: str, params: dict, title: str = "") -> dict:
    active = params["sort"] == key
    direction = "desc" if active and params["dir"] == "asc" else "asc"
    query = urlencode({"q": params["q"], "grade": params["grade"], "sort": key, "dir": direction})
    arrow = ("▲" if params["dir"] == "asc" else "▼") if active else ""
    return {"label": label, "url": f"?{query}", "active": active, "arrow": arrow, "title": title}


def challenge_header(column: gradebook.Column, params: dict) -> dict:
    """The slug keeps the header on one line; the title and rule are in its tooltip."""
    title = f"{column.title}: {column.rule_text or column.error or 'no rule'}"
    return {**header(column.slug, f"mark:{column.slug}", params, title), "column": column}


def csv_links(params: dict, shown: int, total: int) -> dict:
    """Two honest downloads: every student, and (with a filter) the rows on the page."""
    order = urlencode({"sort": params["sort"], "dir": params["dir"]})
    chosen = chosen_filter(params)
    links = {"all_url": f"?{order}", "all_count": total}
    if chosen.active:
        query = urlencode({k: v for k, v in params.items() if v})
        links.update(filtered_url=f"?{query}", filtered=chosen.describe(), filtered_count=shown)
    return links


def provisional_groups(book: gradebook.Gradebook) -> list[tuple[object, list[str]]]:
    """(when the private boards open, the slugs opening then), soonest first."""
    opening: dict = {}
    for column in book.provisional:
        opening.setdefault(column.reveal_at, []).append(column.slug)
    return sorted(opening.items(), key=lambda item: item[0])


@login_required
@require_GET
@instructor_required(message="Only instructors see the gradebook.")
def gradebook_page(request):
    book, params = gradebook.gradebook(), wanted(request)
    rows = chosen_rows(book, params)
    context = {
        "book": book,
        "params": params,
        "fixed": [header(label, key, params, title) for label, key, title in FIXED_COLUMNS],
        "challenge_headers": [challenge_header(c, params) for c in book.columns],
        "totals": [header(label, key, params, title) for label, key, title in TOTAL_COLUMNS],
        "table": [
            (row, [(c, row.marks.get(c.slug), row.places.get(c.slug)) for c in book.columns])
            for row in rows
        ],
        "parts": gradebook.parts_text(book.scheme, book.items),
        "grades": [grade for _, grade in book.scheme.scale],
        "csv": csv_links(params, len(rows), len(book.rows)),
        "provisional": provisional_groups(book),
        "row_count": len(book.rows),
    }
    return render(request, "course/gradebook.html", context)


@login_required
@require_GET
@instructor_required(message="Only instructors see the gradebook.")
def gradebook_csv(request):
    book, params = gradebook.gradebook(), wanted(request)
    text = gradebook_export.csv_text(book, chosen_rows(book, params))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    filtered = "-filtered" if chosen_filter(params).active else ""
    name = f"grades-{timezone.localdate():%Y-%m-%d}{filtered}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def my_grades(request):
    mine = gradebook.my_grades(user=request.user)
    group = ProjectGroup.objects.filter(memberships__user=request.user).first()
    context = {
        "mine": mine,
        "cells": [
            (c, mine.row.marks.get(c.slug), mine.row.places.get(c.slug)) for c in mine.columns
        ],
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
    if not request.htmx:  # opened directly: the page that holds the card, in the site's frame
        return redirect("challenge-detail", slug=challenge.slug)
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
        "deadlines": [
            (d, deadlines.countdown(d.at, now))
            for d in deadlines.course_deadlines(user=request.user)
        ],
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
        deadlines.course_deadlines(user=user),
        now=timezone.now(),
        base_url=request.build_absolute_uri("/").rstrip("/"),
        host=request.get_host(),
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="course-deadlines.ics"'
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def calendar_renew(request):
    deadlines.feed_renew(request.user)
    messages.success(
        request,
        "New calendar link made; the old one no longer works. Subscribe again with the link below.",
    )
    return redirect("deadline-list")


# --- group projects ------------------------------------------------------------------------


def my_project_context(request, **forms) -> dict:
    group = projects.group_of(request.user)
    config = projects.project_settings()
    context = {
        "group": group,
        "config": config,
        "now": timezone.now(),
        "registration_open": projects.registration_open(),
        "is_student": is_student(request.user),
        "create_form": forms.get("create_form") or GroupCreateForm(),
        "join_form": forms.get("join_form") or JoinForm(),
        "upload_form": forms.get("upload_form") or DeliverableForm(),
    }
    if group is not None:
        memberships = list(projects.members(group))
        context.update(
            memberships=memberships,
            size_problem=projects.group_size_problem(group, len(memberships)),
            deliverables=group.deliverables.select_related("uploaded_by"),
            latest=projects.latest_deliverables(group),
        )
    return context


@login_required
@require_GET
def my_project(request):
    return render(request, "course/project.html", my_project_context(request))


def refused(request, form, field: str | None, error: ProjectError, form_name: str):
    form.add_error(field, error.message)
    context = my_project_context(request, **{form_name: form})
    return render(request, "course/project.html", context, status=400)


@login_required
@require_POST
def group_create(request):
    form = GroupCreateForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "course/project.html",
            my_project_context(request, create_form=form),
            status=400,
        )
    try:
        group = projects.group_create(user=request.user, **form.cleaned_data)
    except ProjectError as error:
        return refused(request, form, None, error, "create_form")
    messages.success(request, f"Group '{group.name}' created. Share its invitation code.")
    return redirect("project-mine")


@login_required
@require_POST
def group_join(request):
    form = JoinForm(request.POST)
    if not form.is_valid():
        return render(
            request, "course/project.html", my_project_context(request, join_form=form), status=400
        )
    try:
        group = projects.group_join(user=request.user, code=form.cleaned_data["code"])
    except ProjectError as error:
        return refused(request, form, "code", error, "join_form")
    messages.success(request, f"You joined '{group.name}'.")
    return redirect("project-mine")


@login_required
@require_POST
def group_leave(request):
    try:
        projects.group_leave(user=request.user)
    except ProjectError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "You left the group.")
    return redirect("project-mine")


@login_required
@require_POST
def deliverable_upload(request):
    form = DeliverableForm(request.POST, request.FILES)
    if getattr(request, "upload_too_large", False):
        form = DeliverableForm(request.POST)
        form.is_valid()
        error = ProjectError("The file is too large for an upload.", "file_too_large")
        return refused(request, form, None, error, "upload_form")
    if not form.is_valid():
        return render(
            request,
            "course/project.html",
            my_project_context(request, upload_form=form),
            status=400,
        )
    try:
        deliverable = projects.deliverable_upload(
            user=request.user, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"]
        )
    except ProjectError as error:
        return refused(request, form, "file", error, "upload_form")
    late = " It arrived after the deadline and is marked late." if deliverable.is_late else ""
    messages.success(request, f"{deliverable.get_kind_display().capitalize()} uploaded.{late}")
    return redirect("project-mine")


@login_required
@require_GET
def deliverable_file(request, pk: int):
    deliverable = projects.deliverable_get(deliverable_id=pk, user=request.user)
    return FileResponse(
        deliverable.file.open("rb"),
        as_attachment=True,
        filename=deliverable.file_name,
        content_type=projects.content_type(deliverable),
    )


# --- instructors ------------------------------------------------------------------------------


@login_required
@require_GET
@instructor_required(message="Only instructors see every group.")
def group_list(request):
    groups = list(projects.groups_overview())
    for group in groups:
        group.size_problem = projects.group_size_problem(group, group.member_count)
    context = {"groups": groups, "config": projects.project_settings(), "now": timezone.now()}
    return render(request, "course/groups.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@instructor_required(message="No such group.", hide=True)
def group_detail(request, pk: int):
    group = ProjectGroup.objects.select_related("topic").filter(pk=pk).first()
    if group is None:
        raise Http404("No such group.")
    initial = {"mark": group.mark, "feedback": group.feedback, "released": group.mark_released}
    form = MarkForm(request.POST or None, group=group, initial=initial)
    if request.method == "POST" and form.is_valid():
        save_marks(request, group, form)
        messages.success(request, "Marks saved.")
        return redirect("project-group", pk=group.pk)
    context = {
        "group": group,
        "form": form,
        "deliverables": group.deliverables.select_related("uploaded_by"),
        "history": marks.mark_history(group),
        "config": projects.project_settings(),
    }
    return render(request, "course/group.html", context, status=400 if form.errors else 200)


@transaction.atomic
def save_marks(request, group: ProjectGroup, form: MarkForm) -> None:
    data = form.cleaned_data
    marks.mark_set(
        group=group,
        by=request.user,
        mark=data["mark"],
        feedback=data["feedback"],
        released=data["released"],
    )
    for membership, adjustment in form.adjustments():
        marks.adjustment_set(membership=membership, by=request.user, adjustment=adjustment)
