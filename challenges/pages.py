"""Browser pages: challenge list, challenge page with upload and live status, leaderboard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenges import selectors
from challenges.boards import leaderboards, standings
from challenges.boards.chart_data import chart_context
from challenges.boards.ladder_overview import ladder_overview as ladder_info
from challenges.forms import SubmissionForm
from challenges.rules import deadlines, finals, moderation, profiles
from challenges.scoring import get_metric
from challenges.submissions import intake, retention
from challenges.submissions.downloads import submission_download
from vsegrader import permissions
from vsegrader.uploads import body_too_large


@login_required
@require_GET
def challenge_list(request):
    challenges = selectors.challenge_list(user=request.user)
    return render(request, "challenges/list.html", {"challenges": challenges})


def challenge_context(request, challenge, form) -> dict:
    user = request.user
    submissions = list(selectors.my_submissions(challenge=challenge, user=user)[:50])
    deadline = deadlines.effective_deadline(challenge=challenge, user=user)
    is_instructor = permissions.is_instructor(user)
    reveal_at = deadlines.reveal_at(challenge)  # one query, for all three uses below
    revealed = timezone.now() >= reveal_at
    return {
        "challenge": challenge,
        "metric": get_metric(challenge.metric),
        "form": form,
        "submissions": submissions,
        "polling": any(not s.is_done for s in submissions),
        "show_private": is_instructor or revealed,
        "is_instructor": is_instructor,
        "quota": selectors.quota(challenge=challenge, user=user),
        "your_deadline": deadline,
        "has_extension": deadline != challenge.deadline,
        "selection_open": timezone.now()
        < deadlines.counting_deadline(challenge=challenge, user=user),
        "final_count": sum(1 for s in submissions if s.is_final),
        "disqualification": selectors.disqualification(challenge=challenge, user=user),
        "rescore": moderation.rescore_progress(challenge=challenge) if is_instructor else None,
        "reveal_at": reveal_at,
        "revealed": revealed,
        "failed_retention_hours": f"{retention.retention().total_seconds() / 3600:g}",
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
    if context["is_instructor"] and challenge.public_ladder:  # not in the polled fragment
        context["ladder"] = ladder_info(challenge)
    return render(request, "challenges/detail.html", context, status=status)


def submit(request, challenge, form) -> bool:
    try:
        submission = intake.submission_receive(
            challenge=challenge,
            user=request.user,
            data=form.cleaned_data,
            body_too_large=body_too_large(request),
        )
    except intake.SubmissionRejected as rejected:
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
@require_POST
def submission_final(request, pk: int):
    """Marks or unmarks a final selection from the "my submissions" table (htmx)."""
    submission = selectors.submission_get(submission_id=pk, user=request.user)
    error = None
    try:
        finals.submission_set_final(
            submission=submission, user=request.user, final=request.POST.get("final") == "1"
        )
    except finals.SelectionRefused as refused:
        error = refused.message
    challenge = submission.challenge
    if request.htmx:
        context = challenge_context(request, challenge, form=None)
        context["selection_error"] = error
        return render(request, "challenges/_submissions.html", context)
    if error:
        messages.error(request, error)
    return redirect("challenge-detail", slug=challenge.slug)


@login_required
@require_GET
def leaderboard(request, slug: str):
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    split = request.GET.get("split", "public")
    if split not in standings.SPLITS:
        split = "public"
    can_see_private = selectors.private_scores_visible(challenge=challenge, user=request.user)
    rows = selectors.board_for(challenge=challenge, split=split, user=request.user)
    context = {
        "challenge": challenge,
        "metric": get_metric(challenge.metric),
        "split": split,
        "rows": rows,
        "participants": leaderboards.participant_count(rows),
        "can_see_private": can_see_private,
        "reveal_at": deadlines.reveal_at(challenge),
        "is_instructor": permissions.is_instructor(request.user),
        "my_name": selectors.shown_name(request.user),
    }
    return render(request, "challenges/leaderboard.html", context)


@login_required
@require_GET
def challenge_chart(request, slug: str):
    """The progress chart and score histogram (an htmx fragment; plain SVG, no script)."""
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    return render(request, "challenges/_chart.html", chart_context(challenge))


@login_required
@require_POST
def challenge_rescore(request, slug: str):
    challenge = selectors.instructor_challenge_get(slug=slug, user=request.user)
    queued = moderation.challenge_rescore(challenge=challenge)
    messages.success(request, f"{queued} submissions queued for rescoring.")
    return redirect("challenge-detail", slug=slug)


@login_required
@require_GET
def rescore_progress(request, slug: str):
    challenge = selectors.instructor_challenge_get(slug=slug, user=request.user)
    context = {"challenge": challenge, "rescore": moderation.rescore_progress(challenge=challenge)}
    return render(request, "challenges/_rescore.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    error = None
    if request.method == "POST":
        try:
            profiles.display_name_set(user=request.user, name=request.POST.get("display_name", ""))
        except profiles.DisplayNameRefused as refused:
            error = str(refused)
        else:
            messages.success(request, "Your display name is saved.")
            return redirect("profile")
    context = {"display_name": selectors.shown_name(request.user), "error": error}
    return render(request, "challenges/profile.html", context, status=400 if error else 200)


@login_required
@require_GET
def submission_file(request, pk: int):
    submission = selectors.submission_get(submission_id=pk, user=request.user)
    return submission_download(submission)
