"""The browser tour of every page (tests/test_browser_tour.py): which pages there are (walked
from the URL conf, so a new page cannot be forgotten), who can open each, and the checks
run on each in Chromium: the page's width, console errors, failed requests, 5xx answers and
axe-core's serious or critical accessibility violations. The demo data is in tour_world.py.

Every problem of a run is collected (`Problem`) and reported at once, grouped by page."""

import re
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import browser

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
VIEWPORTS = {"1366x900": {"width": 1366, "height": 900}, "390x844": {"width": 390, "height": 844}}
ROLES = ("anonymous", "student", "instructor")
NOT_PAGES = ("admin/", "api/")  # the admin's own pages and the JSON API
EXTRA_PAGES = {"admin-index": "/admin/", "api-docs": "/api/docs/"}  # outside the walk
ERROR_PAGES = (  # (name, path, status, roles): the site's own error pages
    ("not-found", "/no-such-page/", 404, ROLES),
    ("forbidden", "/grades/", 403, ("student",)),
)

# Page patterns the tour does not open. The kind is checked against the pattern's answer to
# the instructor's GET (`skip_problem`): a "post" answers 405, a "fragment" is HTML without
# <html>, a "download" is not HTML. So a skipped pattern that becomes a page fails the tour.
SKIP = {
    "logout": ("post", "Django 5 logs out by POST only"),
    "challenge-my-submissions": ("fragment", "my submissions, polled into the challenge page"),
    "challenge-rescore-progress": ("fragment", "the rescore's progress, polled by htmx"),
    "baseline-panel": ("fragment", "the instructors' baseline panel on the challenge page"),
    "baseline-run": ("post", "starts a baseline run"),
    "submission-final": ("post", "marks a submission final"),
    "submission-file": ("download", "the uploaded CSV"),
    "submission-code": ("download", "the code behind a final submission (POST attaches it)"),
    "grades-csv": ("download", "the gradebook as CSV"),
    "calendar-renew": ("post", "a new secret for the calendar feed"),
    "calendar-feed": ("download", "the iCalendar feed"),
    "project-create": ("post", "the project page's forms post here"),
    "project-join": ("post", "the project page's forms post here"),
    "project-leave": ("post", "the project page's forms post here"),
    "project-upload": ("post", "the project page's forms post here"),
    "project-deliverable-file": ("download", "a group's report or slides"),
    "client-sdist": ("download", "the client's source archive"),
    "challenge-submission-spec": ("download", "the JSON the upload form checks files with"),
    "favicon": ("download", "the site's icon"),
}
# Pages for visitors who are not logged in: the logged-in roles skip them.
ANONYMOUS_ONLY = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# A valid reset link is swapped for .../set-password/ (the session keeps the token); the
# challenge page's grading card, opened directly, sends the browser to that page.
REDIRECTING = {"password_reset_confirm", "challenge-grading"}

# Which demo object fills a route's argument: the first rule whose pattern is in the route.
FILL_RULES = (
    ("/insights/", "slug", "revealed_slug"),
    ("", "slug", "open_slug"),
    ("submissions/", "pk", "submission_pk"),
    ("projects/groups/", "pk", "group_pk"),
    ("projects/deliverables/", "pk", "deliverable_pk"),
    ("/students/", "id", "student_id"),
    ("reset/", "uidb64", "reset_uid"),
    ("reset/", "token", "reset_token"),
    ("calendar/", "token", "feed_token"),
)
ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class PagePattern:
    route: str
    name: str | None

    @property
    def key(self) -> str:
        return self.name or self.route


def page_patterns(patterns=None, prefix: str = "") -> list[PagePattern]:
    """The site's page patterns: every route outside /admin/ and /api/, once each (a route
    mounted twice, as password_reset, answers with its first view)."""
    found: dict[str, PagePattern] = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(NOT_PAGES):
            continue
        if isinstance(pattern, URLResolver):
            for inner in page_patterns(pattern.url_patterns, route):
                found.setdefault(inner.route, inner)
        elif isinstance(pattern, URLPattern):
            found.setdefault(route, PagePattern(route, pattern.name))
    return list(found.values())


class UnfillableRoute(ValueError):
    pass


def fill_route(route: str, values: Mapping[str, str]) -> str:
    """`challenges/<slug:slug>/` with {"slug": "x"} -> `/challenges/x/`."""
    missing = [name for name in ARGUMENT.findall(route) if name not in values]
    if missing or route.startswith("^"):
        raise UnfillableRoute(
            f"the tour cannot fill {', '.join(missing) or 'a regex'} in {route!r}: "
            "add a rule to FILL_RULES in tests/tour.py (or skip the page in SKIP)"
        )
    return "/" + ARGUMENT.sub(lambda match: str(values[match.group(1)]), route)


def route_values(route: str, world) -> dict[str, str]:
    values: dict[str, str] = {}
    arguments = set(ARGUMENT.findall(route))
    for part, argument, attribute in FILL_RULES:
        if part in route and argument in arguments and argument not in values:
            values[argument] = str(getattr(world, attribute))
    return values


# --- who can open what: Django's test client, before the browser starts -------------------


@dataclass(frozen=True)
class Stop:
    """One page the tour opens for a role."""

    key: str
    url: str
    status: int = 200


def answer_kind(response, url: str, *, redirecting: bool = False) -> str:
    """'page', 'login', 'redirect <path>', 'not a page: <type>' or the refusal, e.g. '403'."""
    chain = [target for target, _ in response.redirect_chain]
    final = chain[-1].split("?")[0] if chain else url
    if chain and final == reverse(settings.LOGIN_URL) and url != final:
        return "login"
    if response.status_code != 200:
        return str(response.status_code)
    if not response.get("Content-Type", "").startswith("text/html"):
        return f"not a page: {response.get('Content-Type')}"
    if chain and not redirecting:
        return f"redirect {final}"
    return "page"


def skip_problem(key: str, kind: str, response) -> str | None:
    content_type = response.get("Content-Type", "")
    body = b"" if response.streaming else response.content[:5000].lower()
    is_html = content_type.startswith("text/html")
    wrong = {
        "post": response.status_code != 405,
        "fragment": response.status_code != 200 or not is_html or b"<html" in body,
        "download": response.status_code != 200 or is_html,
    }[kind]
    if wrong:
        return (
            f"SKIP lists {key} as a {kind}, but its GET answers {response.status_code} "
            f"{content_type}: visit it or correct SKIP"
        )
    return None


def plan_tour(world, clients: Mapping[str, object]) -> tuple[dict[str, list[Stop]], list[str]]:
    """The pages each role opens, and the problems of the plan itself: a pattern nobody can
    open or nobody skipped, a stale or wrong SKIP entry, a server error."""
    pages, problems = pages_to_try(world, clients["instructor"])
    stops: dict[str, list[Stop]] = {role: [] for role in ROLES}
    for key, url in pages:
        problems += try_page(key, url, clients, stops)
    for name, path, status, roles in ERROR_PAGES:
        for role in roles:
            stops[role].append(Stop(name, path, status))
    return stops, problems


def pages_to_try(world, instructor) -> tuple[list[tuple[str, str]], list[str]]:
    """(key, URL) of every pattern not in SKIP, and of the extra pages; each SKIP entry is
    checked against what the pattern answers the instructor."""
    patterns = page_patterns()
    stale = SKIP.keys() - {pattern.key for pattern in patterns}
    problems = [f"SKIP names {key}, which no page pattern has" for key in sorted(stale)]
    pages = list(EXTRA_PAGES.items())
    for pattern in patterns:
        try:
            url = fill_route(pattern.route, route_values(pattern.route, world))
        except UnfillableRoute as error:
            problems.append(f"{pattern.key}: {error}")
            continue
        if pattern.key not in SKIP:
            pages.append((pattern.key, url))
        elif problem := skip_problem(pattern.key, SKIP[pattern.key][0], instructor.get(url)):
            problems.append(problem)
    return pages, problems


def try_page(key: str, url: str, clients, stops: dict[str, list[Stop]]) -> list[str]:
    """Adds the page to the stops of each role it answers as a page; returns the problems."""
    problems, answers = [], {}
    for role in ("anonymous",) if key in ANONYMOUS_ONLY else ROLES:
        response = clients[role].get(url, follow=True)
        answers[role] = answer_kind(response, url, redirecting=key in REDIRECTING)
        if answers[role] == "page":
            stops[role].append(Stop(key, url))
        elif response.status_code >= 500:
            problems.append(f"{key} ({url}) answers {response.status_code} to the {role}")
    if "page" not in answers.values():
        seen = ", ".join(f"{role}: {kind}" for role, kind in answers.items())
        problems.append(f"{key} ({url}) is neither visited nor in SKIP ({seen})")
    return problems


# --- in the browser --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    page: str
    url: str
    where: str  # "390x844 student"
    text: str


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=browser.CHROMIUM, args=browser.CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


def role_page(chromium_browser, base_url: str, viewport: str, session_key: str | None):
    """A page in a context of its own: the viewport, the role's session cookie, and the
    watch of tests/browser.py plus failed requests. CSP is bypassed for axe's script."""
    context = chromium_browser.new_context(
        viewport=VIEWPORTS[viewport], bypass_csp=True, reduced_motion="reduce"
    )  # no transition caught half way by axe's contrast check
    if session_key:
        cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": base_url}
        context.add_cookies([cookie])
    page = context.new_page()
    page.set_default_timeout(15_000)
    browser.PageWatch(page)  # sets page.watch
    page.in_flight = set()
    page.on("request", lambda request: page.in_flight.add(request))
    page.on("requestfinished", lambda request: page.in_flight.discard(request))
    page.on("requestfailed", lambda request: record_failed(page, request))
    return page


def record_failed(page, request) -> None:
    page.in_flight.discard(request)
    failure = request.failure or ""
    if "ERR_ABORTED" not in failure:  # a request cut off by the next navigation
        page.watch.problems.append(f"failed request: {request.method} {request.url} ({failure})")


def visit(page, base_url: str, stop: Stop, shot: Path) -> list[str]:
    """Opens the page, saves its full-page screenshot to `shot`, and returns its problems."""
    watch = page.watch
    watch.expected_statuses = {stop.status} - {200}
    before = len(watch.problems)
    page.in_flight.clear()
    response = page.goto(base_url + stop.url)
    settle(page)
    problems = []
    if response is None or response.status != stop.status:
        problems.append(f"answered {response and response.status}, not {stop.status}")
    problems += viewport_problems(page)
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    problems += axe_problems(page)
    return problems + watch.problems[before:]


def settle(page, quiet_checks: int = 2, most_checks: int = 30) -> None:
    """Waits until no request is in flight at two checks in a row (what htmx loads after
    the page, a chart), at most 3 s: a page that polls may never go quiet, and then the
    checks run on what is there. Playwright's "networkidle" costs 0.5 s on every page."""
    quiet = 0
    for _ in range(most_checks):
        quiet = quiet + 1 if not page.in_flight else 0
        if quiet >= quiet_checks:
            return
        page.wait_for_timeout(100)


OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const scroll = document.documentElement.scrollWidth;
  if (scroll <= width) return null;
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    [...el.classList].slice(0, 2).map((c) => '.' + c).join('');
  const wide = [...document.body.querySelectorAll('*')].filter((el) => {
    const right = el.getBoundingClientRect().right;
    const parent = el.parentElement.getBoundingClientRect().right;
    return right > width + 1 && parent <= width + 1 && !clipped(el);
  });
  const culprits = wide.slice(0, 4).map((el) =>
    `${name(el)} reaches ${Math.round(el.getBoundingClientRect().right)} px`);
  return {scroll, width, culprits};
}"""


def viewport_problems(page) -> list[str]:
    problems = []
    if page.locator("meta[name=viewport][content*=device-width]").count() == 0:
        problems.append("no <meta name=viewport content=width=device-width>: phones zoom out")
    wide = page.evaluate(OVERFLOW_JS)
    if wide:
        culprits = "; ".join(wide["culprits"]) or "no single element found"
        problems.append(
            f"wider than the window: {wide['scroll']} px in {wide['width']} px ({culprits})"
        )
    return problems


AXE_RUN_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
                  targets: v.nodes.slice(0, 3).map((n) => n.target.flat().join(' '))}));
}"""


def axe_problems(page) -> list[str]:
    page.add_script_tag(path=str(AXE_JS))
    return [
        f"axe {v['impact']} {v['id']}: {v['help']} ({v['count']}×: {', '.join(v['targets'])})"
        for v in page.evaluate(AXE_RUN_JS)
    ]


def format_report(problems: list[Problem]) -> str:
    """Problems grouped by page, each problem once with where it was seen."""
    pages: dict[tuple[str, str], dict[str, list[str]]] = {}
    for problem in problems:
        texts = pages.setdefault((problem.page, problem.url), {})
        texts.setdefault(problem.text, []).append(problem.where)
    lines = []
    for (page, url), texts in sorted(pages.items()):
        lines.append(f"{page} ({url})" if url else page)
        for text, wheres in texts.items():
            lines.append(f"  [{', '.join(wheres)}] {text}")
    return "\n".join(lines)
