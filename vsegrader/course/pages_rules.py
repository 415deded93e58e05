"""The grading-rules page: an instructor edits a challenge's rule as a form, previews the
marks it gives on the current final board (and what the sample submission would earn), then
saves it. Works without JavaScript: "Preview" and "Save" are two buttons of one form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from challenges.models import Challenge
from vsegrader.course import grading, rule_preview
from vsegrader.course.rule_editor import RuleEditor, sentence
from vsegrader.permissions import instructor_required


@login_required
@require_http_methods(["GET", "POST"])
@instructor_required(message="Only instructors edit grading rules.")
def grading_rules_edit(request, slug: str):
    challenge = get_object_or_404(Challenge, slug=slug)
    if request.method == "GET":
        saved = None if saved_rule_problem(challenge) else challenge.grading
        return show(request, challenge, RuleEditor(challenge=challenge), saved)
    editor = RuleEditor(request.POST, challenge=challenge)
    if not editor.is_valid():
        return show(request, challenge, editor, None, status=400)
    table = editor.table()
    if request.POST.get("action") != "save":
        # A fresh form from the rule as understood: tiers in order, blank rows to add more.
        return show(request, challenge, RuleEditor(challenge=challenge, table=table), table)
    try:
        rule_preview.rule_save(challenge=challenge, table=table, by=request.user)
    except rule_preview.RuleRefused as refused:
        # The entered values stay in the form; the saved rule stays as it was.
        editor.problems = [sentence(refused.message)]
        return show(request, challenge, editor, None, status=400, not_saved=True)
    messages.success(request, f"Grading rule of {challenge.slug} saved.")
    return redirect("grading-rules-edit", slug=challenge.slug)


def show(
    request,
    challenge,
    editor: RuleEditor,
    table: dict | None,
    status: int = 200,
    not_saved: bool = False,
):
    """The form, and the preview of `table` (None: the input has problems to fix first).
    `not_saved`: the input was fine but saving it was refused (`editor.problems` say why)."""
    context = {
        "not_saved": not_saved,
        "challenge": challenge,
        "editor": editor,
        "form": editor.form,
        "tiers": editor.tiers,
        "preview": None,
        "saved_problem": saved_rule_problem(challenge),
        "is_saved_rule": table == challenge.grading,
    }
    if table is not None:
        try:
            context["preview"] = rule_preview.preview(challenge, table)
        except grading.RuleError as error:
            context["preview_problem"] = str(error)
    return render(request, "course/grading_rules.html", context, status=status)


def saved_rule_problem(challenge) -> str:
    if not challenge.grading:
        return "this challenge has no grading rule yet, so the gradebook has no marks for it"
    try:
        grading.parse_rule(challenge.grading, higher_is_better=challenge.higher_is_better)
    except grading.RuleError as error:
        return str(error)
    return ""
