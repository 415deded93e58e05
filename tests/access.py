"""Walking the whole site for access tests: every route of the URLconf with its parameters
filled, each response kept with what it hands over (its body, and the headers that name a
file or a target), and the rules for who must be refused where."""

import itertools
import re

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

GROUP = r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)"  # `<slug:slug>` or a regex group `(?P<url>.*)`
ADMIN_OBJECT = re.compile(r"^admin/(\w+)/(\w+)/<path:object_id>/")
HOSTILE_NAMES = [
    "solution.csv",
    "..",
    "..%2Fsolution.csv",
    "%2e%2e%2fhidden%2fsolution.csv",
    "solution.csv%00.csv",
    "train.csv/../../solution.csv",
]
# Pages anyone may open; everything else refuses a visitor who is not logged in.
PUBLIC_PAGES = (
    "/accounts/login/",
    "/accounts/password_reset/",
    "/accounts/reset/",
    "/admin/login/",
    "/api/schema/",
    "/api/docs/",
    "/api/auth/token/",
    "/client/",  # the command line's sdist: installed before logging in
    "/about/",  # the course's landing page
    "/favicon.ico",
)
PUBLIC_EXACT = ("/",)  # the landing page again; as a prefix "/" would match every path
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")
STAFF_ONLY = re.compile(
    r"^/(admin/(?!login/)|grades/(export\.csv|rules/.*)?$|api/grades/|"
    r"projects/groups/|challenges/[^/]+/(rescore|baseline|insights/(class|integrity|students))/)"
)
STORED = ("/media/", "/hidden/", "/static/")  # no URL but the permission-checking views
DOWNLOAD = re.compile(r"/files?/|download/|\.csv|\.ics")
QUERIES = {"leaderboard/": ["?split=private"], "/api/grades/": ["?format=csv"]}

Seen = dict[tuple[str, str], tuple[int, bytes, str]]  # (method, url) -> status, payload, Location


def walk(resolver: URLResolver, prefix: str = ""):
    """Every route pattern, as text, with its include prefixes."""
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern


def fill(pattern: str, values: dict[str, list[str]]) -> list[str]:
    """Every concrete URL for a route pattern, each parameter taking each of its values
    (a parameter without values gets "1")."""
    pattern = pattern.replace("\\Z", "").replace("\\", "").replace("/^", "/")
    pattern = pattern.lstrip("^").rstrip("$")
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", pattern)
    options = [values.get(a or b, ["1"]) for a, b in names]
    urls = []
    for combination in itertools.product(*options):
        url = pattern
        for value in combination:
            url = re.sub(GROUP, lambda _, value=value: value, url, count=1)
        urls.append("/" + url)
    return urls


def admin_object_ids(pattern: str) -> dict[str, list[str]]:
    """For an admin object page: the ids of that model's rows (with a few hostile ones), so
    that change pages of real objects are walked whatever ids the database hands out."""
    match = ADMIN_OBJECT.match(pattern)
    if match is None:
        return {}
    model = apps.get_model(match[1], match[2])
    field = "user_id" if model._meta.model_name == "tokenproxy" else "pk"  # its admin's ids
    ids = model._default_manager.order_by("pk").values_list(field, flat=True)[:8]
    return {"object_id": [str(pk) for pk in ids] + ["0", "x%27%22%3C"]}


def all_urls(values: dict[str, list[str]], overrides=admin_object_ids) -> list[str]:
    urls = set()
    for pattern in walk(get_resolver()):
        urls.update(fill(pattern, {**values, **overrides(pattern)}))
    return sorted(urls)


def with_queries(urls: list[str]) -> list[str]:
    """The URLs, and those whose answer depends on a query string once more with it."""
    extra = [
        url + query
        for url in urls
        for key, queries in QUERIES.items()
        if key in url
        for query in queries
    ]
    return urls + extra


def payload(response) -> bytes:
    """Everything a client receives that could carry data: the body, where a redirect
    points, and the file name of a download."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = (response.get(name, "") for name in ("Location", "Content-Disposition"))
    return body + "\n".join(headers).encode()


def methods_for(url: str) -> tuple[str, ...]:
    """GET everywhere; OPTIONS outside the admin and the stored-file guesses; HEAD where a
    file is sent (its headers name it)."""
    if url.startswith(("/admin/", *STORED)):
        return ("get",)
    return ("get", "options", "head") if DOWNLOAD.search(url) else ("get", "options")


def visit(client, urls: list[str]) -> Seen:
    seen = {}
    for url in urls:
        for method in methods_for(url):
            response = getattr(client, method)(url)
            seen[method, url] = (
                response.status_code,
                payload(response),
                response.get("Location", ""),
            )
    return seen


def number_forms(value: float, formats=(".6g", ".5f", ".4f", ".4g")) -> set[bytes]:
    """How pages, JSON and CSV exports may write a number: Python's shortest repr (JSON,
    Kaggle CSV) and the given formats (the templates' filters)."""
    return {repr(value).encode()} | {format(value, spec).encode() for spec in formats}


def status_problem(kind: str, method: str, url: str, status: int, location: str) -> str:
    """Why this status is wrong for a visitor of this kind ("outsider", "student" or
    "instructor"); "" if it is right. OPTIONS answers describe an endpoint, not data: only
    their content matters (checked elsewhere)."""
    path = url.split("?")[0]
    if status >= 500 or status == 429:
        return f"status {status}"
    # The admin's logout sends a visitor without access to /admin/, which sends on to its login.
    to_login = location.startswith(LOGIN_PAGES) or location == "/admin/"
    refused = status in (401, 403, 404, 405) or (status == 302 and to_login)
    if method == "options":
        return ""
    if path.startswith(STORED) and status != 404:
        return f"a stored file answered {status}"
    public = path.startswith(PUBLIC_PAGES) or path in PUBLIC_EXACT
    if kind == "outsider" and not public and not refused:
        return f"not refused: {status} {location}"
    if kind == "student" and STAFF_ONLY.match(path) and not refused:
        return f"a student got {status} from a staff page"
    if kind == "instructor" and not path.startswith("/admin/") and status in (401, 403):
        return f"the instructor was refused ({status})"
    return ""


def unmet(role: str, seen: Seen, expected: list[tuple[str, int, tuple[str, ...]]]) -> list[str]:
    """What differs from the expected (url, status, texts in the answer) of GET requests."""
    report = []
    for url, status, texts in expected:
        if ("get", url) not in seen:
            report.append(f"{role} GET {url}: not walked")
            continue
        got, data, _ = seen["get", url]
        if got != status:
            report.append(f"{role} GET {url}: expected {status}, got {got}")
        report += [
            f"{role} GET {url}: misses {text!r}" for text in texts if text.encode() not in data
        ]
    return report
