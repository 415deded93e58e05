"""CSRF is enforced on every form of the site, and on session-authenticated API writes.

Walks every route of the URLconf (and the links the pages show) as a visitor, a student, a
student in a project group and an instructor, collects each `<form method="post">` and htmx
`hx-post` element, and posts to it from a fresh session: without the CSRF token it must be
refused (403, Django's CSRF failure), with the token the page gave it must not. A
`@csrf_exempt` on any view with a form fails this test.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import access
from tests.factories import scored_submission

pytestmark = pytest.mark.django_db

CSRF_FAILURE = b"CSRF verification failed"
TOKEN_FIELD = "csrfmiddlewaretoken"
SKIPPED = ("/static/", "/api/", "/media/")  # no pages: files and the JSON API (tested below)
# At least this many distinct forms per role, and these actions among them: the walk must
# really reach the site's forms for the test to mean anything.
MIN_FORMS = {"visitor": 3, "student": 12, "member": 10, "instructor": 40}
ACTIONS = {
    "visitor": {"/accounts/login/", "/accounts/password_reset/", "/admin/login/"},
    "student": {
        "/accounts/logout/",
        "/accounts/token/",
        "/challenges/tiny-1d/submissions/",
        "/profile/",
        "/deadlines/calendar/renew/",
        "/projects/create/",
        "/projects/join/",
    },
    "member": {"/projects/leave/", "/projects/upload/"},
    "instructor": {
        "/challenges/tiny-1d/rescore/",
        "/challenges/tiny-1d/baseline/run/",
        "/admin/logout/",
        "/admin/password_change/",
    },
}


@dataclass
class Form:
    page: str  # where the form was found
    action: str
    htmx: bool
    fields: list[tuple[str, str]] = field(default_factory=list)
    header_token: str = ""  # htmx sends the page's token in the X-CSRFToken header
    ordinal: int = 0  # among the page's forms of the same shape (e.g. "create", "revoke")

    @property
    def shape(self) -> tuple:
        names = sorted({name for name, _ in self.fields if name != TOKEN_FIELD})
        return self.action, self.htmx, tuple(names)

    @property
    def key(self) -> tuple:
        return *self.shape, self.ordinal


class FormParser(HTMLParser):
    """Post forms and hx-post elements, with what a browser would send."""

    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.header_token = ""
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "body":
            match = re.search(r'"X-CSRFToken":\s*"([^"]+)"', attrs.get("hx-headers", ""))
            self.header_token = match.group(1) if match else ""
        if "hx-post" in attrs:
            self.start(attrs["hx-post"], htmx=True, closes=tag == "form")
        elif tag == "form" and attrs.get("method", "get").lower() == "post":
            self.start(attrs.get("action", ""), htmx=False, closes=True)
        elif self.current is not None:
            self.field(tag, attrs)

    def start(self, action: str, *, htmx: bool, closes: bool):
        form = Form(self.page, urljoin(self.page, action or self.page), htmx, [], self.header_token)
        self.forms.append(form)
        self.current = form if closes else None

    def field(self, tag, attrs):
        name = attrs.get("name")
        kind = attrs.get("type", "text").lower()
        if not name or kind in ("submit", "button", "file", "image", "reset"):
            return
        if kind in ("checkbox", "radio") and "checked" not in attrs:
            return
        if tag == "textarea":
            self.textarea = name
        elif tag in ("input", "select"):
            self.current.fields.append((name, attrs.get("value", "")))

    def handle_data(self, data):
        if self.textarea and self.current is not None:
            self.current.fields.append((self.textarea, data))
            self.textarea = None

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def forms_in(page: str, html: str) -> list[Form]:
    parser = FormParser(page)
    parser.feed(html)
    for index, form in enumerate(parser.forms):
        form.ordinal = [other.shape for other in parser.forms[:index]].count(form.shape)
    return parser.forms


# --- the site ---------------------------------------------------------------------------


def site_urls(values) -> list[str]:
    patterns = access.walk(get_resolver())
    urls = {url for pattern in patterns for url in access.fill(pattern, values)}
    return sorted(url for url in urls if not url.startswith(SKIPPED))


def links_in(page: str, html: str) -> set[str]:
    """The site's pages a page links to, without query strings (the admin's sorting and
    filtering links alone would never end)."""
    links = {urlsplit(urljoin(page, href)) for href in re.findall(r'href="([^"#]+)"', html)}
    return {
        link.path
        for link in links
        if link.netloc in ("", "testserver") and not link.path.startswith(SKIPPED)
    }


def crawl(client, urls: list[str]) -> dict[tuple, Form]:
    """Every page (routes, then the links they show), and the post forms on them."""
    forms: dict[tuple, Form] = {}
    queue, seen = list(urls), set(urls)
    while queue:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for form in forms_in(url, html):
            if form.key not in forms or form.header_token and not forms[form.key].header_token:
                forms[form.key] = form
        for link in links_in(url, html) - seen:
            seen.add(link)
            queue.append(link)
    return forms


# --- the roles ------------------------------------------------------------------------


@pytest.fixture
def site(challenge, student, other_student, instructor):
    """Data that makes the pages show their forms: a submission that can become final, a
    token to revoke, a project group (with bob) to leave, mark and upload to."""
    from vsegrader.course import projects
    from vsegrader.course.models import ProjectSettings, ProjectTopic

    config = ProjectSettings.load()
    config.registration_deadline = timezone.now() + timedelta(days=7)
    config.deadline = timezone.now() + timedelta(days=14)
    config.save()
    topic = ProjectTopic.objects.create(family="CNN", title="Handwritten characters")
    group = projects.group_create(user=other_student, name="Deep Thinkers", topic=topic)
    submission = scored_submission(challenge, student, 0.5, 0.6)
    Token.objects.create(user=student)
    return {"slug": [challenge.slug], "pk": [str(submission.pk), str(group.pk)]}


USERS = {
    "visitor": None,
    "student": "student",
    "member": "other_student",
    "instructor": "instructor",
}


def client_for(role: str, request) -> Client:
    client = Client(enforce_csrf_checks=True)
    if USERS[role]:
        client.force_login(request.getfixturevalue(USERS[role]))
    return client


def fresh_form(role: str, request, form: Form) -> tuple[Client, Form]:
    """A new session that opens the page and reads the form, token included, from it."""
    client = client_for(role, request)
    html = client.get(form.page).content.decode()
    found = [candidate for candidate in forms_in(form.page, html) if candidate.key == form.key]
    assert found, f"{form.page}: the form to {form.action} is gone on a second visit"
    return client, found[0]


def post(client, form: Form, *, with_token: bool):
    fields = [(name, value) for name, value in form.fields if name != TOKEN_FIELD]
    headers = {"HX-Request": "true"} if form.htmx else {}
    if with_token and form.htmx and form.header_token:  # the page's <body hx-headers>
        headers["X-CSRFToken"] = form.header_token
    elif with_token:  # the form's hidden field (htmx sends it too, on a fragment)
        fields = form.fields
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return client.post(form.action, data, headers=headers)


def csrf_refused(response) -> bool:
    return response.status_code == 403 and CSRF_FAILURE in response.content


@pytest.mark.parametrize("role", list(USERS))
def test_every_form_needs_its_csrf_token(role, site, request):
    forms = crawl(client_for(role, request), site_urls(site))
    print(f"\n{role}: {len(forms)} forms")
    assert len(forms) >= MIN_FORMS[role]
    assert ACTIONS[role] <= {urlsplit(form.action).path for form in forms.values()}
    if role == "student":  # the htmx one, to mark a submission final
        assert any(form.htmx and "/final/" in form.action for form in forms.values())
    problems = []
    for form in forms.values():
        client, form = fresh_form(role, request, form)
        label = f"{role}: {'hx-post' if form.htmx else 'form'} on {form.page} to {form.action}"
        print("  " + label)
        if not form.header_token and not any(name == TOKEN_FIELD for name, _ in form.fields):
            problems.append(f"{label}: the page gives it no CSRF token")
        if not csrf_refused(post(client, form, with_token=False)):
            problems.append(f"{label}: accepted without a CSRF token")
        with transaction.atomic():  # what the post changes must not hide the next forms
            if csrf_refused(post(client, form, with_token=True)):
                problems.append(f"{label}: refused with the page's CSRF token")
            transaction.set_rollback(True)
    assert not problems, "\n".join(problems)


# --- the JSON API ---------------------------------------------------------------------


WRITES = [
    ("patch", "/api/profile/", {"display_name": "Overfit"}, 200),
    ("post", "/api/auth/token/revoke/", None, 204),
    ("patch", "/api/submissions/{id}/", {"is_final": True}, 200),
]


@pytest.fixture
def mine(challenge, student):
    return scored_submission(challenge, student, 0.5, 0.6)


@pytest.mark.parametrize(("method", "path", "body", "ok"), WRITES)
def test_session_api_writes_need_the_csrf_header(method, path, body, ok, mine, student):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(student)
    Token.objects.create(user=student)
    url = path.format(id=mine.pk)
    refused = getattr(client, method)(url, body, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF Failed")
    client.get("/profile/")  # a page sets the CSRF cookie, as in a browser
    token = client.cookies["csrftoken"].value
    accepted = getattr(client, method)(url, body, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == ok, accepted.content


@pytest.mark.parametrize(("method", "path", "body", "ok"), WRITES)
def test_token_api_writes_need_no_csrf(method, path, body, ok, mine, student):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=student).key}")
    response = getattr(client, method)(path.format(id=mine.pk), body, format="json")
    assert response.status_code == ok, response.content
