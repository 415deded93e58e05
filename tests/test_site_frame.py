"""The site's frame: the course landing page, the error pages (styled for pages, JSON for the
API), the favicon, the API docs inside the frame, the header's menu and the token page's
install instructions."""

import json
import re

import pytest
from django.test import RequestFactory
from django.utils import dateformat, timezone

from challenges.models import Challenge
from vsegrader import api_errors
from vsegrader.course.models import ProjectSettings

SITE_HEADER = '<header class="topbar">'


def text(page: str) -> str:
    """What a reader sees: the page without tags, its white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def who(page: str) -> str:
    """The text of the header's user name element, tags removed."""
    element = re.search(r'<span class="who">(.*?)</span>\s*<form', page, re.S)
    assert element, "no user name in the header"
    return re.sub(r"<[^>]+>", "", element[1]).strip()


# --- the landing page -----------------------------------------------------------------------


def test_the_landing_page_tells_a_visitor_what_the_site_is_and_lists_published_challenges(
    client, challenge
):
    Challenge.objects.filter(pk=challenge.pk).update(title="Published one")
    hidden = Challenge.objects.get(pk=challenge.pk)
    hidden.pk, hidden.slug, hidden.title, hidden.is_published = None, "unseen-1", "Unseen", False
    hidden.save()

    page = client.get("/about/").content.decode()

    assert "Deep learning at VSE Prague" in page
    assert "30 %" in page and "70 %" in page
    assert "Published one" in page and "Unseen" not in page and "unseen-1" not in page
    deadline = dateformat.format(timezone.localtime(challenge.deadline), "j M Y, H:i T")
    assert deadline in page and "Prague time" in page
    assert 'href="/accounts/login/">Sign in</a>' in page


def test_the_landing_page_shows_nothing_hidden_and_writes_nothing(client, challenge):
    page = client.get("/about/").content.decode()

    assert challenge.solution.name not in page and challenge.solution_sha256 not in page
    assert "Group project: report and slides due" not in page  # no project settings yet
    assert not ProjectSettings.objects.exists()


def test_the_landing_page_names_the_project_deadline_once_there_is_one(client, db):
    ProjectSettings.load()
    page = text(client.get("/about/").content.decode())
    assert "Group project: report and slides due 2 Apr 2023, 23:59 CEST (Prague time)" in page


def test_a_logged_in_user_finds_the_landing_page_at_about_with_a_way_to_the_challenges(
    client, student
):
    client.force_login(student)
    page = client.get("/about/").content.decode()
    assert "Go to the challenges" in page and ">Sign in<" not in page


# --- error pages ------------------------------------------------------------------------------


def test_a_missing_page_is_the_sites_own_404_inside_the_frame(client, db):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert SITE_HEADER in page and "Page not found" in page
    assert "URLconf" not in page  # not Django's debug page
    assert "no-such-page" not in page  # a guessed address is not echoed (a file name, say)


def test_a_missing_api_url_still_answers_the_apis_json(client, db):
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_refused_page_is_the_sites_own_403_with_the_reason(client, student):
    client.force_login(student)
    response = client.get("/grades/")
    page = response.content.decode()
    assert response.status_code == 403
    assert SITE_HEADER in page and "Not allowed" in page
    assert "Only instructors see the gradebook." in page


def test_a_refusal_under_api_that_no_view_answers_is_json():
    request = RequestFactory().get("/api/anything/")
    response = api_errors.permission_denied(request, PermissionError("no"))
    assert response.status_code == 403
    assert json.loads(response.content) == {
        "detail": "You do not have permission.",
        "code": "permission_denied",
    }


def test_the_500_page_renders_without_the_database_or_the_request_context():
    # No `db` fixture: any database query here would fail the test.
    response = api_errors.server_error(RequestFactory().get("/challenges/x/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert SITE_HEADER in page and "Something went wrong" in page
    assert "css/site.css" in page


def test_a_server_error_under_api_is_json():
    response = api_errors.server_error(RequestFactory().get("/api/challenges/"))
    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": "Server error.", "code": "server_error"}


# --- favicon, API docs, header ------------------------------------------------------------


def test_the_favicon_answers_at_the_address_browsers_ask(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"".join(response.streaming_content).startswith(b"<svg")


def test_the_api_docs_are_inside_the_site_frame_with_swagger_ui_from_this_site(client, student):
    client.force_login(student)
    page = client.get("/api/docs/").content.decode()

    assert SITE_HEADER in page and 'class="brand" href="/"' in page
    assert '<div id="swagger-ui"></div>' in page and "SwaggerUIBundle(" in page
    assets = re.findall(r'(?:src|href)="([^"]*swagger-ui[^"]*)"', page)
    assert len(assets) == 3
    assert all(a.startswith("/static/drf_spectacular_sidecar/swagger-ui-dist/") for a in assets)
    assert "deepLinking" in page and '"deepLinking": false' in page


@pytest.mark.parametrize(
    ("username", "staff", "shown"),
    [
        ("instructor", True, "instructor"),
        ("ivana", True, "ivana instructor"),
        ("alice", False, "alice"),
    ],
)
def test_the_header_names_the_user_once_and_the_role_only_when_the_name_does_not(
    client, make_user, username, staff, shown
):
    client.force_login(make_user(username, staff=staff))
    page = client.get("/about/").content.decode()
    assert who(page) == shown
    assert '<label for="menu-toggle" class="menu-button">' in page and "Menu</label>" in page


def test_a_visitor_who_is_not_logged_in_gets_no_menu_but_about_and_log_in(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "menu-toggle" not in page
    assert 'href="/about/">About</a>' in page and 'href="/accounts/login/">Log in</a>' in page


# --- the token page -----------------------------------------------------------------------


def test_the_token_page_installs_the_client_from_this_site_with_its_real_address(
    client, student, settings
):
    settings.ALLOWED_HOSTS = ["grader.example"]
    client.force_login(student)
    page = client.get("/accounts/token/", HTTP_HOST="grader.example").content.decode()

    install = "pip install http://grader.example/client/vsegrader-client.tar.gz"
    assert f'<pre id="client-install">{install}</pre>' in page
    assert "vsegrader login --url http://grader.example " in page
    assert "./client" not in page and "repository" not in page
