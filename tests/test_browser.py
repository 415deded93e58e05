"""A student's whole path in a real browser (headless Chromium, driven by Playwright):
log in, download the sample, upload it, and watch the status turn to `scored` without
reloading the page. Needs Debian's `chromium` (.ci/run installs it); skipped without it."""

import os
import shutil

import pytest

from tests.bundles import perfect_submission

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if CHROMIUM is None and os.environ.get("VSEGRADER_REQUIRE_BROWSER"):
    raise RuntimeError("VSEGRADER_REQUIRE_BROWSER is set but Chromium is not installed")

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
]


@pytest.fixture
def browser_page():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def test_a_student_sees_the_score_arrive_without_reloading(
    live_server, celery_worker_process, challenge, student, browser_page, tmp_path
):
    page = browser_page
    page.goto(f"{live_server.url}/challenges/tiny-1d/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "pw-for-tests-1")
    page.click("button[type=submit]")
    assert page.url.endswith("/challenges/tiny-1d/")

    with page.expect_download() as download:
        page.click("table.files >> text=sample_submission.csv")
    assert download.value.suggested_filename == "sample_submission.csv"

    submission = tmp_path / "perfect.csv"
    submission.write_bytes(perfect_submission())
    page.set_input_files("#id_file", str(submission))
    page.fill("#id_description", "exact answers")
    page.click("#submit button[type=submit]")
    page.wait_for_selector("text=is being scored")

    loads = []
    page.on("load", lambda: loads.append(page.url))
    page.wait_for_selector("#my-submissions .pill.scored", timeout=20_000)
    assert loads == []  # htmx swapped the fragment in; the page itself did not reload
    row = page.locator("#my-submissions tr.status-scored")
    assert "exact answers" in row.inner_text() and row.locator("td.num").inner_text() == "0"

    page.click("#my-submissions button[name=toggle]")  # "mark final", sent by htmx
    page.wait_for_selector("#my-submissions >> text=★ final (unmark)")
    assert "Final submissions: 1 of 2 marked" in page.locator("#my-submissions").inner_text()
    assert loads == []
    assert page.locator("#chart svg").count() == 2  # the progress chart, loaded by htmx

    page.click("text=public leaderboard")
    assert "1 participant" in page.inner_text("main")
    assert page.locator("table.leaderboard tr.me td.num").first.inner_text() == "0"
