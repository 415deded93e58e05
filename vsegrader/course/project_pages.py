"""Browser pages of the group projects: a student's group, and the instructors' marking."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenges.selectors import is_instructor
from vsegrader.course import projects
from vsegrader.course.forms import DeliverableForm, GroupCreateForm, JoinForm, MarkForm
from vsegrader.course.models import ProjectGroup
from vsegrader.course.projects import ProjectError
from vsegrader.course.roster import is_student


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
        return render(request, "course/project.html",
                      my_project_context(request, create_form=form), status=400)
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
        return render(request, "course/project.html",
                      my_project_context(request, join_form=form), status=400)
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
        return render(request, "course/project.html",
                      my_project_context(request, upload_form=form), status=400)
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
        deliverable.file.open("rb"), as_attachment=True, filename=deliverable.file_name,
        content_type=projects.content_type(deliverable),
    )


# --- instructors ------------------------------------------------------------------------------


def require_instructor(request) -> None:
    if not is_instructor(request.user):
        raise PermissionDenied("Only instructors see every group.")


@login_required
@require_GET
def group_list(request):
    require_instructor(request)
    groups = list(projects.groups_overview())
    for group in groups:
        group.size_problem = projects.group_size_problem(group, group.member_count)
    context = {"groups": groups, "config": projects.project_settings(), "now": timezone.now()}
    return render(request, "course/groups.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def group_detail(request, pk: int):
    if not is_instructor(request.user):
        raise Http404("No such group.")
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
        "history": projects.mark_history(group),
        "config": projects.project_settings(),
    }
    return render(request, "course/group.html", context, status=400 if form.errors else 200)


@transaction.atomic
def save_marks(request, group: ProjectGroup, form: MarkForm) -> None:
    data = form.cleaned_data
    projects.mark_set(group=group, by=request.user, mark=data["mark"],
                      feedback=data["feedback"], released=data["released"])
    for membership, adjustment in form.adjustments():
        projects.adjustment_set(membership=membership, by=request.user, adjustment=adjustment)
