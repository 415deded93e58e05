"""Browser pages: challenge list, challenge page with upload and live status, leaderboard."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from challenges import selectors, services
from challenges.forms import SubmissionForm
from challenges.scoring import get_metric
from challenges.uploads import too_large_message


@login_required
@require_GET
def challenge_list(request):
    challenges = selectors.challenge_list(user=request.user)
    return render(request, "challenges/list.html", {"challenges": challenges})


def challenge_context(request, challenge, form) -> dict:
    submissions = selectors.my_submissions(challenge=challenge, user=request.user)[:50]
    return {
        "challenge": challenge,
        "metric": get_metric(challenge.metric),
        "form": form,
        "submissions": submissions,
        "polling": any(not s.is_done for s in submissions),
        "show_private": selectors.private_scores_visible(challenge=challenge, user=request.user),
    }


@login_required
@require_http_methods(["GET", "POST"])
def challenge_detail(request, slug: str):
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    form = SubmissionForm()
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES)
        if form.is_valid() and submit(request, challenge, form):
            return redirect("challenge-detail", slug=slug)
    status = 400 if form.errors else 200
    context = challenge_context(request, challenge, form)
    return render(request, "challenges/detail.html", context, status=status)


def submit(request, challenge, form) -> bool:
    if getattr(request, "upload_too_large", False):
        form.add_error("file", too_large_message(settings.SUBMISSION_MAX_BYTES))
        return False
    try:
        submission = services.submission_create(
            challenge=challenge,
            user=request.user,
            file=form.cleaned_data.get("file"),
            description=form.cleaned_data.get("description", ""),
        )
    except services.SubmissionRejected as rejected:
        form.add_error("file", rejected.message)
        return False
    messages.success(request, f"Submission #{submission.pk} received; it is being scored.")
    return True


@login_required
@require_GET
def my_submissions_fragment(request, slug: str):
    """Polled by htmx while a submission is queued or scoring."""
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    context = challenge_context(request, challenge, form=None)
    return render(request, "challenges/_submissions.html", context)


@login_required
@require_GET
def leaderboard(request, slug: str):
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    split = request.GET.get("split", "public")
    if split not in selectors.SPLITS:
        split = "public"
    can_see_private = selectors.private_scores_visible(challenge=challenge, user=request.user)
    if split == "private" and not can_see_private:
        raise PermissionDenied("The private leaderboard is not revealed yet.")
    context = {
        "challenge": challenge,
        "metric": get_metric(challenge.metric),
        "split": split,
        "rows": selectors.leaderboard(challenge=challenge, split=split),
        "can_see_private": can_see_private,
        "is_instructor": selectors.is_instructor(request.user),
    }
    return render(request, "challenges/leaderboard.html", context)


@login_required
@require_GET
def submission_file(request, pk: int):
    submission = selectors.submission_get(submission_id=pk, user=request.user)
    handle = submission.file.open("rb")
    return FileResponse(handle, as_attachment=True, filename=submission.file_name)
