"""A student's whole path in a real browser (headless Chromium, driven by Playwright):
log in, download the sample, upload a good and a bad file and watch both statuses change
without reloading the page, mark a final submission, see the chart and the leaderboard.
Needs Debian's `chromium` (.ci/run installs it); skipped without it."""

from pathlib import Path

import pytest

from tests.bundles import perfect_submission

pytest.register_assert_rewrite("tests.browser")  # its asserts explain themselves when failing
from tests import browser  # noqa: E402

pytest_plugins = ("tests.browser",)
pytestmark = [browser.needs_chromium, pytest.mark.django_db(transaction=True), pytest.mark.worker]

BAD_CSV = b"id,y\n1,0.5\n2,abc\n"
BAD_CSV_ERROR = "Column 'y' line 3: 'abc' is not a number"


def upload(page, path, description: str) -> None:
    page.set_input_files("#id_file", str(path))
    page.fill("#id_description", description)
    browser.follow(page, "#submit button[type=submit]")
    assert "it is being scored" in page.inner_text("main .flash")


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

    with page.expect_download() as download:
        page.click("table.files >> text=sample_submission.csv")
    assert download.value.suggested_filename == "sample_submission.csv"
    assert Path(download.value.path()).read_bytes().startswith(b"id,y\n1,0\n")

    good, bad = tmp_path / "perfect.csv", tmp_path / "broken.csv"
    good.write_bytes(perfect_submission())
    bad.write_bytes(BAD_CSV)
    with browser.worker_paused(celery_worker_process):
        upload(page, good, "exact answers")
        upload(page, bad, "a typo in it")
        assert row(page, "exact answers").locator(".pill").inner_text() == "queued"
        assert row(page, "a typo in it").locator(".pill").inner_text() == "queued"
        shots(page, "uploads-queued")

    with browser.no_reload(page):  # htmx polls the table and swaps it in place
        page.wait_for_selector("#my-submissions tr.status-scored", timeout=30_000)
        page.wait_for_selector("#my-submissions tr.status-failed", timeout=30_000)
        assert row(page, "exact answers").locator("td.num").first.inner_text() == "0"
        assert page.locator("#my-submissions pre.error").inner_text() == BAD_CSV_ERROR
        page.wait_for_selector("#my-submissions:not([hx-trigger])")  # polling stopped
        shots(page, "uploads-scored-and-failed")

        toggle = row(page, "exact answers").locator("button[name=toggle]")
        browser.assert_link_coloured(toggle)
        toggle.click()  # sent by htmx
        page.wait_for_selector("#my-submissions >> text=★ final (unmark)")
        assert "Final submissions: 1 of 2 marked" in page.inner_text("#my-submissions")
        assert row(page, "a typo in it").locator("button[name=toggle]").count() == 0
    assert page.locator("#chart svg").count() == 2  # the progress chart, loaded by htmx
    shots(page, "final-marked")

    browser.follow(page, "text=public leaderboard")
    assert "1 participant" in page.inner_text("main")
    assert page.locator("table.leaderboard tr.me td.num").first.inner_text() == "0"
    shots(page, "leaderboard")
    assert len(shots.taken) == 5
