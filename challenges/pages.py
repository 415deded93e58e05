"""Browser pages: the challenge list, and each challenge as one page frame (a header with the
participant's status and "Submit predictions") around four tabs, each its own URL: Overview,
Data, Submissions (the upload form posts here) and Leaderboard.

A tab link is an htmx request aimed at `#tab-body`: the view then answers only the tab's
body (and the tab bar, out of band), so switching tabs does not reload the page; any other
request (a plain link, a bookmark, the back button's history restore) gets the whole page,
so everything works without JavaScript.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenges import selectors
from challenges.boards import leaderboards, standings, status
from challenges.boards.chart_data import chart_context
from challenges.boards.ladder_overview import ladder_overview as ladder_info
from challenges.forms import SubmissionForm
from challenges.models import Submission
from challenges.rules import deadlines, finals, moderation, profiles
from challenges.scoring import get_metric
from challenges.submissions import intake, retention
from challenges.submissions.downloads import submission_download
from vsegrader import permissions
from vsegrader.uploads import body_too_large

TABS = (
    ("overview", "Overview", "challenge-detail"),
    ("data", "Data", "challenge-data"),
    ("submissions", "Submissions", "challenge-submissions"),
    ("leaderboard", "Leaderboard", "challenge-leaderboard"),
)
TAB_BODY = "tab-body"  # the element a tab link swaps
SUBMISSIONS_SHOWN = 20  # the latest ones; "show all" lists every one


@login_required
@require_GET
def challenge_list(request):
    challenges = list(selectors.challenge_list(user=request.user))
    statuses = status.statuses_for_list(challenges, request.user)
    cards = [(challenge, statuses.get(challenge.pk)) for challenge in challenges]
    return render(request, "challenges/list.html", {"cards": cards})


# The page frame and its tabs


def frame_context(request, challenge) -> dict:
    """What the header and the tab bar show, on every tab."""
    user = request.user
    is_instructor = permissions.is_instructor(user)
    reveal_at = deadlines.reveal_at(challenge)
    deadline = deadlines.effective_deadline(challenge=challenge, user=user)
    return {
        "challenge": challenge,
        "metric": get_metric(challenge.metric),
        "is_instructor": is_instructor,
        "deadline_open": timezone.now() < deadline,
        "strip": status.participant_status(challenge, user),
        "your_deadline": deadline,
        "has_extension": deadline != challenge.deadline,
        "reveal_at": reveal_at,
        "revealed": timezone.now() >= reveal_at,
        "show_private": is_instructor or timezone.now() >= reveal_at,
        "disqualification": selectors.disqualification(challenge=challenge, user=user),
        "tabs": [(key, label, reverse(name, args=[challenge.slug])) for key, label, name in TABS],
    }


def wants_tab_body(request) -> bool:
    htmx = request.htmx
    return bool(htmx) and not htmx.history_restore_request and htmx.target == TAB_BODY


def render_tab(request, challenge, tab: str, context: dict, status_code: int = 200):
    context = {**frame_context(request, challenge), **context, "tab": tab}
    context["tab_template"] = f"challenges/tab_{tab}.html"
    context["tab_label"] = next(label for key, label, _ in TABS if key == tab)
    template = "challenges/_tab_swap.html" if wants_tab_body(request) else "challenges/page.html"
    response = render(request, template, context, status=status_code)
    patch_vary_headers(response, ("HX-Request",))  # the fragment and the page share a URL
    return response


@login_required
@require_GET
def challenge_detail(request, slug: str):
    """The Overview tab: description, preview of the data, progress chart."""
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    context = {}
    if permissions.is_instructor(request.user):
        context["rescore"] = moderation.rescore_progress(challenge=challenge)
        if challenge.public_ladder:
            context["ladder"] = ladder_info(challenge)
    return render_tab(request, challenge, "overview", context)


@login_required
@require_GET
def challenge_data(request, slug: str):
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    context = {"files": challenge.files.all(), "spec_columns": challenge.spec.columns}
    return render_tab(request, challenge, "data", context)


@login_required
@require_http_methods(["GET", "POST"])
def challenge_submissions(request, slug: str):
    """The Submissions tab: the upload form (it posts here; success redirects back here with
    the new row on top, Post/Redirect/Get) and the participant's submissions."""
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    form = SubmissionForm()
    if request.method == "POST":
        form = SubmissionForm(request.POST, request.FILES)
        submission = submit(request, challenge, form)
        if submission is not None:
            url = reverse("challenge-submissions", args=[slug])
            return redirect(f"{url}?{urlencode({'new': submission.pk})}")
    context = submissions_context(request, challenge)
    context["form"] = form
    context["spec_url"] = reverse("challenge-submission-spec", args=[slug])
    if context["is_instructor"]:  # what students sent and why files failed, beside the admin
        context["latest"] = selectors.latest_submissions(challenge=challenge, user=request.user)
    return render_tab(request, challenge, "submissions", context, 400 if form.errors else 200)


def submit(request, challenge, form) -> Submission | None:
    """The stored submission, or None with the reason added to the form's errors."""
    valid = form.is_valid()
    if body_too_large(request):  # the upload handler dropped the file: its size is why
        form.errors.pop("file", None)
    elif not valid:
        return None
    try:
        return intake.submission_receive(
            challenge=challenge,
            user=request.user,
            data=form.cleaned_data,
            body_too_large=body_too_large(request),
        )
    except intake.SubmissionRejected as rejected:
        form.add_error("file", rejected.message)
        return None


def submissions_context(request, challenge) -> dict:
    """The polled part of the Submissions tab: the table, the latest upload's outcome and
    the numbers of the header that an outcome changes (sent out of band when polled)."""
    user = request.user
    show_all = request.GET.get("all") == "1"
    mine = selectors.my_submissions(challenge=challenge, user=user)
    submissions = list(mine if show_all else mine[: SUBMISSIONS_SHOWN + 1])
    more = not show_all and len(submissions) > SUBMISSIONS_SHOWN
    submissions = submissions[:SUBMISSIONS_SHOWN] if more else submissions
    new = new_submission(request, submissions)
    query = {"new": new.pk} if new else {}
    if show_all:
        query["all"] = 1
    poll = reverse("challenge-my-submissions", args=[challenge.slug])
    return {
        "challenge": challenge,
        "metric": get_metric(challenge.metric),
        "submissions": submissions,
        "more_submissions": more,
        "new": new,
        "poll_url": f"{poll}?{urlencode(query)}" if query else poll,
        "polling": any(not s.is_done for s in submissions),
        "show_private": selectors.private_scores_visible(challenge=challenge, user=user),
        "is_instructor": permissions.is_instructor(user),
        "selection_open": timezone.now()
        < deadlines.counting_deadline(challenge=challenge, user=user),
        "final_count": mine.filter(is_final=True).count(),
        "failed_retention_hours": f"{retention.retention().total_seconds() / 3600:g}",
    }


def new_submission(request, submissions) -> Submission | None:
    """The upload the student was just sent back from (`?new=<id>`), if it is theirs."""
    wanted = request.GET.get("new", "")
    return next((s for s in submissions if str(s.pk) == wanted), None)


@login_required
@require_GET
def my_submissions_fragment(request, slug: str):
    """Polled by htmx while a submission is queued or scoring; also refreshes the header's
    numbers (out of band), which the outcome changes."""
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    return render_polled(request, challenge)


def render_polled(request, challenge, selection_error: str | None = None):
    context = submissions_context(request, challenge)
    context["strip"] = status.participant_status(challenge, request.user)
    context.update(oob=True, selection_error=selection_error)
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
        return render_polled(request, challenge, selection_error=error)
    if error:
        messages.error(request, error)
    return redirect("challenge-submissions", slug=challenge.slug)


@login_required
@require_GET
def leaderboard(request, slug: str):
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    split = request.GET.get("split", "public")
    if split not in standings.SPLITS:
        split = "public"
    rows = selectors.board_for(challenge=challenge, split=split, user=request.user)
    context = {
        "split": split,
        "rows": rows,
        "participants": leaderboards.participant_count(rows),
        "can_see_private": selectors.private_scores_visible(challenge=challenge, user=request.user),
        "my_name": selectors.shown_name(request.user),
    }
    return render_tab(request, challenge, "leaderboard", context)


@login_required
@require_GET
def challenge_chart(request, slug: str):
    """The progress chart and score histogram (plain SVG, no script): a fragment for the
    Overview tab's htmx load, the Overview page itself for anyone who opens the URL."""
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "challenges/_chart.html", chart_context(challenge))
    else:
        context = {"chart": chart_context(challenge), "chart_only": True}
        response = render_tab(request, challenge, "overview", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# Instructors' tools


@login_required
@require_http_methods(["GET", "POST"])
def challenge_rescore(request, slug: str):
    """GET asks for confirmation and says how many submissions it covers; POST rescores."""
    challenge = selectors.instructor_challenge_get(slug=slug, user=request.user)
    if request.method == "GET":
        covered = challenge.submissions.exclude(file="").count()
        context = {"challenge": challenge, "covered": covered}
        return render(request, "challenges/rescore_confirm.html", context)
    queued = moderation.challenge_rescore(challenge=challenge)
    messages.success(request, f"{queued} submissions queued for rescoring.")
    return redirect("challenge-detail", slug=slug)


@login_required
@require_GET
def rescore_progress(request, slug: str):
    challenge = selectors.instructor_challenge_get(slug=slug, user=request.user)
    context = {"challenge": challenge, "rescore": moderation.rescore_progress(challenge=challenge)}
    return render(request, "challenges/_rescore.html", context)


# The participant's own things


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
