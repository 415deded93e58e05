"""Shared pieces of the browser tests: Debian's Chromium driven by Playwright, logging in,
screenshots saved as test artefacts, and a watch for what goes wrong inside the page.

Test modules load the fixtures with `pytest_plugins = ("tests.browser",)`, after
`pytest.register_assert_rewrite("tests.browser")` and before importing it. Screenshots go
to `$VSEGRADER_ARTEFACTS/screenshots/<test name>/NN-step.png` (default: ./test-artefacts).
"""

import os
import shutil
import signal
import struct
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PASSWORD = "pw-for-tests-1"
LINK_COLOUR = "rgb(31, 111, 235)"  # --accent in site.css

if CHROMIUM is None and os.environ.get("VSEGRADER_REQUIRE_BROWSER"):
    raise RuntimeError("VSEGRADER_REQUIRE_BROWSER is set but Chromium is not installed")

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)


def artefacts_dir() -> Path:
    return Path(os.environ.get("VSEGRADER_ARTEFACTS") or ROOT / "test-artefacts")


@pytest.fixture
def open_page():
    """`open_page()` gives a page in a fresh context (its own cookies: one user each).
    Chromium starts at the first call: Playwright's event loop makes Django refuse database
    queries from this thread, so a test sets up its data before it opens a page.
    Each page is watched; the test fails if a page hit a script error or a server error."""
    sync_api = pytest.importorskip("playwright.sync_api")
    watches: list[PageWatch] = []
    with ExitStack() as stack:

        def open_():
            if not watches:
                playwright = stack.enter_context(sync_api.sync_playwright())
                launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                stack.callback(launched.close)
                open_.chromium = launched
            page = open_.chromium.new_context(viewport=VIEWPORT, accept_downloads=True).new_page()
            page.set_default_timeout(15_000)
            watches.append(PageWatch(page))
            return page

        yield open_
    problems = [problem for watch in watches for problem in watch.problems]
    assert problems == [], "the browser saw problems:\n" + "\n".join(problems)


@pytest.fixture
def browser_page(open_page):
    return open_page()


class PageWatch:
    """Collects script errors, console errors and 5xx responses, and counts page loads
    (an htmx update swaps a fragment in: no `load` event)."""

    def __init__(self, page):
        self.problems: list[str] = []
        self.loads = 0
        self.expected_statuses: set[int] = set()
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("console", self.on_console)
        page.on("response", self.on_response)
        page.on("load", self.on_load)
        page.watch = self

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        text = message.text
        if any(f"status of {status}" in text for status in self.expected_statuses):
            return
        self.problems.append(f"console error: {text}")

    def on_response(self, response) -> None:
        if response.status >= 500:
            self.problems.append(f"HTTP {response.status} for {response.url}")

    def on_load(self, _page) -> None:
        self.loads += 1


@contextmanager
def no_reload(page):
    """Asserts that the page was not loaded again while the block ran."""
    before = page.watch.loads
    yield
    assert page.watch.loads == before, "the page reloaded; htmx should have updated it in place"


@contextmanager
def expecting_status(page, status: int):
    """A response the test provokes on purpose (a refused form answers 400): the console
    error Chromium logs for it is not a problem."""
    page.watch.expected_statuses.add(status)
    yield
    page.watch.expected_statuses.discard(status)


def follow(page, selector: str) -> None:
    """Clicks a link or a form's button and waits for the next page to load."""
    with page.expect_navigation():
        page.click(selector)


def log_in(page, url: str, username: str, password: str = PASSWORD) -> None:
    """Opens `url`, is sent to the login form, logs in and lands back on `url`."""
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    follow(page, "main button[type=submit]")
    assert page.url == url, f"after logging in as {username}: {page.url}"
    assert page.locator(".topbar .who").inner_text().startswith(username)


@pytest.fixture
def shots(request):
    """`shots(page, "step")` saves a full-page screenshot as NN-step.png and checks it."""
    folder = artefacts_dir() / "screenshots" / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taken: list[Path] = []

    def shoot(page, step: str) -> Path:
        path = folder / f"{len(taken) + 1:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        assert_real_png(path, min_width=VIEWPORT["width"])
        taken.append(path)
        return path

    shoot.taken = taken
    return shoot


def assert_real_png(path: Path, *, min_width: int, min_bytes: int = 5_000) -> None:
    """A PNG of a rendered page: the signature, a width as wide as the window, and more
    bytes than a blank image of that size compresses to."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    assert width >= min_width and height >= 200, f"{path} is {width}x{height}"
    assert len(data) >= min_bytes, f"{path} has only {len(data)} bytes: a blank page?"


def assert_styled(page) -> None:
    """The site's stylesheet applied (a missing static file leaves a white top bar)."""
    colour = page.eval_on_selector(".topbar", "e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(13, 17, 23)", f"the top bar is {colour}: is site.css served?"


def assert_link_coloured(locator) -> None:
    """A button drawn as a link must not keep the buttons' white text on a white card."""
    colour = locator.evaluate("e => getComputedStyle(e).color")
    assert colour == LINK_COLOUR, f"{locator} is drawn in {colour}, not in the link colour"


@contextmanager
def worker_paused(worker):
    """Stops a worker process from taking tasks (SIGSTOP) for the block, so that the page
    surely shows submissions still queued before the worker scores them."""
    os.kill(worker.process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(worker.process.pid, signal.SIGCONT)
