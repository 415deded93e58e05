"""A student's whole path in a real browser (headless Chromium, driven by Playwright):
log in, download the sample, upload a good and a bad file and watch both statuses change
without reloading the page, mark a final submission, see the chart and the leaderboard;
switch tabs without a reload; upload from the challenge list to "my score and rank" without
scrolling; and the page on a phone. Needs Debian's `chromium` (.ci/run installs it); skipped
without it."""

from pathlib import Path

import pytest

from tests.bundles import perfect_submission

pytest.register_assert_rewrite("tests.browser")  # its asserts explain themselves when failing
from tests import browser  # noqa: E402

pytest_plugins = ("tests.browser",)
pytestmark = [browser.needs_chromium, pytest.mark.django_db(transaction=True), pytest.mark.worker]

BAD_CSV = b"id,y\n1,0.5\n2,abc\n"
BAD_CSV_ERROR = "Column 'y' line 3: 'abc' is not a number"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
IN_VIEWPORT = """e => { const r = e.getBoundingClientRect();
  return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; }"""


def upload(page, path, description: str, *, browser_check: bool = True) -> None:
    if not browser_check:  # as a browser without the check would: the server decides
        page.evaluate("delete window.vsegraderFileCheck")
    page.set_input_files("#id_file", str(path))
    page.fill("#id_description", description)
    browser.follow(page, "#submit button[type=submit]")
    assert "it is being scored" in page.inner_text("#submit-notice .flash")


def row(page, description: str):
    return page.locator("#my-submissions tr[data-submission]", has_text=description)


def test_a_student_sees_the_scores_arrive_without_reloading(
    live_server, celery_worker_process, challenge, student, browser_page, shots, tmp_path
):
    page = browser_page
    url = f"{live_server.url}/challenges/tiny-1d/"
    browser.log_in(page, url, "alice")
    browser.assert_styled(page)
    page.wait_for_selector("#chart svg")
    shots(page, "challenge")

    page.click("#challenge-tabs >> text=Data")
    page.wait_for_selector("table.files")
    with page.expect_download() as download:
        page.click("table.files >> text=sample_submission.csv")
    assert download.value.suggested_filename == "sample_submission.csv"
    assert Path(download.value.path()).read_bytes().startswith(b"id,y\n1,0\n")

    page.click("#submit-button")
    page.wait_for_selector("#upload-form")
    good, bad = tmp_path / "perfect.csv", tmp_path / "broken.csv"
    good.write_bytes(perfect_submission())
    bad.write_bytes(BAD_CSV)
    with browser.worker_paused(celery_worker_process):
        upload(page, good, "exact answers")
        upload(page, bad, "a typo in it", browser_check=False)
        assert row(page, "exact answers").locator(".pill").inner_text() == "queued"
        assert row(page, "a typo in it").locator(".pill").inner_text() == "queued"
        shots(page, "uploads-queued")

    with browser.no_reload(page):  # htmx polls the table and swaps it in place
        page.wait_for_selector("#my-submissions tr.status-scored", timeout=30_000)
        page.wait_for_selector("#my-submissions tr.status-failed", timeout=30_000)
        assert row(page, "exact answers").locator("td.num").nth(1).inner_text() == "0"
        failed = row(page, "a typo in it").locator("td.problem details")
        assert failed.locator("summary").inner_text() == BAD_CSV_ERROR  # one line
        failed.locator("summary").click()
        assert failed.locator("pre.error").inner_text() == BAD_CSV_ERROR
        page.wait_for_selector("#my-submissions:not([hx-trigger])")  # polling stopped
        notice = page.locator("#submit-notice [data-outcome=failed]")  # the latest upload
        assert "does not count against your daily limit: 4 left today" in notice.inner_text()
        assert page.inner_text("#quota-line").startswith("4 left today · resets 00:00 CET")
        shots(page, "uploads-scored-and-failed")

        toggle = row(page, "exact answers").locator("button[name=toggle]")
        browser.assert_link_coloured(toggle)
        toggle.click()  # sent by htmx
        page.wait_for_selector("#my-submissions >> text=★ final (unmark)")
        assert "Final submissions: 1 of 2 marked" in page.inner_text("#my-submissions")
        assert page.inner_text("[data-strip=finals]") == "1/2"  # the header follows
        assert row(page, "a typo in it").locator("button[name=toggle]").count() == 0
    shots(page, "final-marked")

    page.click("#challenge-tabs >> text=Leaderboard")
    page.wait_for_selector("table.leaderboard")
    assert "1 participant" in page.inner_text("#tab-body")
    assert page.locator("table.leaderboard tr.me td.num").nth(1).inner_text() == "0"
    page.click("#challenge-tabs >> text=Overview")
    page.wait_for_selector("#chart svg")
    assert page.locator("#chart svg").count() == 2  # the progress chart, loaded by htmx
    shots(page, "leaderboard-then-overview")
    assert len(shots.taken) == 5


def test_a_bad_file_is_stopped_in_the_browser_before_it_is_uploaded(
    live_server, challenge, student, browser_page, tmp_path
):
    page = browser_page
    browser.log_in(page, f"{live_server.url}/challenges/tiny-1d/submissions/", "alice")
    bad = tmp_path / "broken.csv"
    bad.write_bytes(b"id,prediction\n1,0.5\n")
    page.set_input_files("#id_file", str(bad))
    page.click("#submit button[type=submit]")
    problems = page.locator("#upload-problems")
    problems.wait_for(state="visible")
    assert "would be refused" in problems.inner_text()
    assert page.url.endswith("/challenges/tiny-1d/submissions/")  # nothing was sent
    assert page.locator("#my-submissions tr[data-submission]").count() == 0


def test_tabs_switch_without_a_reload_and_the_back_button_returns(
    live_server, challenge, student, browser_page
):
    page = browser_page
    base = f"{live_server.url}/challenges/tiny-1d/"
    browser.log_in(page, base, "alice")
    page.evaluate("window.__marker = 1")
    with browser.no_reload(page):
        page.click("#challenge-tabs >> text=Data")
        page.wait_for_url(base + "data/")
        page.wait_for_selector("table.files")
        page.click("#challenge-tabs >> text=Leaderboard")
        page.wait_for_url(base + "leaderboard/")
        page.wait_for_selector("table.leaderboard")
        assert page.title().startswith("Tiny regression · Leaderboard")
        assert page.inner_text("#challenge-tabs a.active") == "Leaderboard"
        assert page.evaluate("window.__marker") == 1
        page.go_back()
        page.wait_for_url(base + "data/")
        page.wait_for_selector("table.files")
        assert page.inner_text("#challenge-tabs a.active") == "Data"
        assert page.evaluate("window.__marker") == 1


def test_from_the_list_to_my_score_and_rank_in_three_actions_without_scrolling(
    live_server, celery_worker_process, challenge, student, browser_page, shots, tmp_path
):
    page = browser_page
    page.set_viewport_size(LAPTOP)
    browser.log_in(page, f"{live_server.url}/challenges/tiny-1d/", "alice")
    page.goto(f"{live_server.url}/")
    good = tmp_path / "perfect.csv"
    good.write_bytes(perfect_submission())

    browser.follow(page, "[data-challenge=tiny-1d] a.card-link")  # 1: the card
    page.click("#submit-button")  # 2: Submit predictions (htmx; the file box gets the focus)
    # htmx swaps the tab in, then focuses the file box once it settles (a few ms later)
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_file'")
    page.set_input_files("#id_file", str(good))  # 3: the file, then Submit
    browser.follow(page, "#submit button[type=submit]")

    newest = page.locator("#my-submissions tr[data-submission]").first
    page.wait_for_selector("#my-submissions tr.status-scored", timeout=30_000)
    assert newest.locator("td.num").nth(1).inner_text() == "0"
    rank = page.locator("[data-strip=public-rank]")
    assert rank.inner_text() == "#1 of 1"
    assert page.evaluate("scrollY") == 0
    for element in (newest, rank, page.locator("#submit-notice [data-outcome=scored]")):
        assert element.evaluate(IN_VIEWPORT), f"{element} is outside the window"
    shots(page, "scored-at-1366")


def test_every_tab_fits_a_phone_screen(live_server, challenge, student, open_page):
    from tests.factories import scored_submission

    for minutes in range(3):
        scored_submission(challenge, student, 0.123456, 0.5, minutes_ago=minutes)
    page = open_page()  # after the data: Playwright's loop keeps Django off this thread
    page.set_viewport_size(PHONE)
    base = f"{live_server.url}/challenges/tiny-1d/"
    browser.log_in(page, base, "alice")
    for tab in ("", "data/", "submissions/", "leaderboard/"):
        page.goto(base + tab)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"{tab or 'overview'} is {width[0]} px wide on a phone"
    page.goto(f"{live_server.url}/")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
