"""The instructors' baseline panel on a challenge page (an htmx fragment) and its button."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from challenges import selectors as challenge_selectors
from vsegrader.training import selectors, services
from vsegrader.training.forms import BaselineRunForm


def render_panel(request, challenge, *, form=None, notice: str = "", status: int = 200):
    runs = list(selectors.recent_runs(challenge=challenge))
    context = {
        "challenge": challenge,
        "runs": runs,
        "polling": selectors.needs_polling(runs),
        "form": form or BaselineRunForm(),
        "notice": notice,
    }
    return render(request, "training/_panel.html", context, status=status)


@require_GET
def baseline_panel(request, slug: str):
    challenge = challenge_selectors.instructor_challenge_get(slug=slug, user=request.user)
    return render_panel(request, challenge)


@require_POST
def baseline_run(request, slug: str):
    challenge = challenge_selectors.instructor_challenge_get(slug=slug, user=request.user)
    form = BaselineRunForm(request.POST)
    if not form.is_valid():
        return render_panel(request, challenge, form=form, status=400)
    run = services.baseline_run_start(
        challenge=challenge,
        requested_by=request.user,
        device=form.cleaned_data["device"],
        quick=form.cleaned_data["mode"] == "quick",
        seed=form.cleaned_data["seed"] or 0,
    )
    if not request.htmx:
        return redirect(reverse("challenge-detail", args=[slug]) + "#baseline-panel")
    # The submitted form again, so the chosen device, mode and seed stay chosen.
    notice = f"Run #{run.pk} queued for the GPU worker."
    return render_panel(request, challenge, form=form, notice=notice)
