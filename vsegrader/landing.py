"""The site's front door: what this site is, for anyone (the course landing page), and the
favicon browsers ask for at /favicon.ico.

The landing page shows only what every visitor may know: the published challenges with
their deadlines, the grade split and the project deadline. It writes nothing, so an
anonymous visit never creates the course's settings rows.
"""

from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from challenges import pages, selectors
from vsegrader.course.models import GradeScheme, ProjectSettings

FAVICON = "favicon.svg"  # under challenges/static/


def home(request):
    """`/`: the challenge list for a student or an instructor, the course's landing page for
    anyone else. It lives here, not in the challenges app, which knows nothing of the course."""
    if request.user.is_authenticated:
        return pages.challenge_list(request)
    return landing_page(request)


@require_GET
def landing_page(request):
    """The course, its challenges and deadlines, and a way in. `/` shows it to a visitor who
    is not logged in; /about/ to everyone."""
    return render(request, "landing.html", landing_context())


def landing_context() -> dict:
    scheme = GradeScheme.objects.filter(pk=1).first() or GradeScheme()  # unsaved: defaults
    return {
        # The same list for everyone: what a visitor who is not logged in may see.
        "challenges": list(selectors.challenge_list(user=AnonymousUser())),
        "challenge_percent": scheme.challenge_percent,
        "project_percent": scheme.project_percent,
        "project": ProjectSettings.objects.filter(pk=1).first(),  # none until set up
        "now": timezone.now(),
    }


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    path = finders.find(FAVICON)
    if path is None:
        raise Http404("No favicon.")
    return FileResponse(open(path, "rb"), content_type="image/svg+xml")  # noqa: SIM115 - closed by Django
