"""The student's core task in Chromium, measured: from the challenge list to "my score and
my rank for this upload" in at most three actions without scrolling at 1366×900, and the
same upload done with the keyboard alone (Tab, Enter, Space; the file chooser opened from
the keyboard). A real Celery worker scores the uploads. The demo course is tour_world.py's.

Selectors go by role and text, as a user finds things: the challenge's card link, the link
or button "Submit predictions", the upload form's file box and its submit button."""

import re
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.browser", "tests.tour")
from tests import browser, tour, tour_world  # noqa: E402

pytest_plugins = ("tests.browser",)
pytestmark = [browser.needs_chromium, pytest.mark.django_db(transaction=True), pytest.mark.worker]

LAPTOP = "1366x900"
UPLOAD_NAME = "exact-answers.csv"
SUBMIT = re.compile(r"^\s*(submit|upload)\b", re.IGNORECASE)


@pytest.fixture
def world(celery_worker_process, tmp_path):
    return tour_world.build_world(tmp_path)


@pytest.fixture
def student_page(live_server, world):
    """A page of the logged-in student at 1366×900, on the challenge list."""
    pytest.importorskip("playwright.sync_api")
    session = tour_world.session_keys(tour_world.role_clients())["student"]
    with tour.chromium() as chromium:
        page = tour.role_page(chromium, live_server.url, LAPTOP, session)
        page.goto(f"{live_server.url}/")
        yield page
        assert page.watch.problems == [], "the browser saw problems:\n" + "\n".join(
            page.watch.problems
        )


@pytest.fixture
def exact_file(tmp_path, world) -> Path:
    path = tmp_path / UPLOAD_NAME
    path.write_bytes(world.exact_predictions)
    return path


def upload_form(page):
    return page.locator("form:has(input[type=file][name=file])")


def test_the_score_and_rank_of_an_upload_are_three_actions_from_the_list_without_scrolling(
    student_page, world, exact_file
):
    page, actions = student_page, []

    def act(what: str, locator) -> None:
        assert in_viewport(locator), f"to {what}, the student would first have to scroll"
        locator.click()
        actions.append(what)

    act("open the challenge", page.get_by_role("link", name=world.open_title).first)
    before = rf"#\s*{tour_world.STUDENT_RANK_BEFORE}\s+of\s+{world.participants}\b"
    assert in_viewport(page.get_by_text(re.compile(before)).first), "no rank before the upload"
    submit = page.get_by_role("link", name="Submit predictions").or_(
        page.get_by_role("button", name="Submit predictions")
    )
    act("click Submit predictions", submit.first)
    upload_form(page).wait_for()
    upload_form(page).locator("input[type=file]").set_input_files(exact_file)
    act("choose the file and submit it", upload_form(page).get_by_role("button", name=SUBMIT))

    assert len(actions) <= 3, actions
    score, rank = wait_for_result(page, world)
    assert in_viewport(score), "the new submission's score is below the fold"
    assert in_viewport(rank), "the student's rank is below the fold"
    assert page.evaluate("window.scrollX") == 0


def test_a_student_uploads_a_file_with_the_keyboard_alone(student_page, world, exact_file):
    page = student_page
    with page.expect_navigation():
        press_on(page, f"the link to {world.open_title}", "Enter", link_named(world.open_title))
    press_on(page, "Submit predictions", "Enter", named("Submit predictions"))
    upload_form(page).wait_for()  # htmx brings the Submissions tab in (or a page load does)
    with page.expect_file_chooser() as chooser:
        press_on(page, "the file box", "Space", "e => e.matches('input[type=file][name=file]')")
    chooser.value.set_files(exact_file)
    press_on(page, "the upload's submit button", "Enter", SUBMIT_BUTTON_JS)
    wait_for_result(page, world)


# --- helpers ----------------------------------------------------------------------------------


def in_viewport(locator) -> bool:
    """Wholly inside the window as it is now: seen without scrolling."""
    return locator.evaluate(
        """e => { const r = e.getBoundingClientRect();
                  return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 &&
                         r.bottom <= innerHeight && r.right <= innerWidth; }"""
    )


def wait_for_result(page, world):
    """The new submission's score (0: the exact answers) in its row of my submissions, and
    the student's new rank (#1, up from #5), once the worker has scored it."""
    rank = page.get_by_text(re.compile(rf"#\s*1\s+of\s+{world.participants}\b")).first
    rank.wait_for(timeout=30_000)
    row = page.get_by_role("row").filter(has_text=UPLOAD_NAME)
    row.filter(has_text="scored").wait_for(timeout=30_000)
    table = page.get_by_role("table").filter(has=row)
    headers = [text.strip().lower() for text in table.locator("th").all_inner_texts()]
    column = next(i for i, text in enumerate(headers) if "public" in text or "score" in text)
    score = row.locator("td").nth(column)
    assert float(score.inner_text().split()[0]) == 0, score.inner_text()
    return score, rank


def link_named(text: str) -> str:
    return f"e => e.tagName === 'A' && e.textContent.includes({text!r})"


def named(text: str) -> str:
    return f"e => ['A', 'BUTTON'].includes(e.tagName) && e.textContent.trim() === {text!r}"


SUBMIT_BUTTON_JS = (
    "e => e.matches('button, input[type=submit]') && e.form && "
    "e.form.querySelector('input[type=file][name=file]') && e.type === 'submit'"
)


def press_on(page, what: str, key: str, is_target_js: str, most_tabs: int = 80) -> None:
    """Tabs until the focused element is the target (it may have the focus already), checks
    that the focus is drawn, and presses `key` on it."""
    for _ in range(most_tabs):
        if page.evaluate(f"({is_target_js})(document.activeElement)"):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError(f"{most_tabs} presses of Tab never reached {what}")
    assert page.evaluate(FOCUS_DRAWN_JS), f"the focus on {what} is invisible"
    page.keyboard.press(key)


# The focused element, or the label that draws a hidden file input, shows a ring or a shadow.
FOCUS_DRAWN_JS = """() => {
  const e = document.activeElement;
  return [e, e.closest('label')].filter(Boolean).some((el) => {
    const s = getComputedStyle(el);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
  });
}"""
