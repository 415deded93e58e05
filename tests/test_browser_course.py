"""The course around the challenges in a real browser (headless Chromium via Playwright):
an instructor trains a baseline and follows it live, reads both leaderboards and exports
the gradebook; two students form a project group and hand in their report.
Needs Debian's `chromium` (.ci/run installs it); skipped without it."""

import csv
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import WorkerProcess, csv_upload, wait_until_done

pytest.register_assert_rewrite("tests.browser")  # its asserts explain themselves when failing
from tests import browser  # noqa: E402

pytest_plugins = ("tests.browser",)
pytestmark = [browser.needs_chromium, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
QUICK_BASELINE = "Baseline: neural network, quick training"


@pytest.fixture
def students(make_user):
    alice, bob = make_user("alice"), make_user("bob")
    for user, first, last in ((alice, "Alice", "Novak"), (bob, "Bob", "Svoboda")):
        user.first_name, user.last_name = first, last
        user.save()
    return alice, bob


@pytest.fixture
def fitting_challenge(db, tmp_path):
    """The demo's fitting-1d challenge, open for four weeks: `python -m baselines` knows it,
    and its quick training takes seconds on a CPU."""
    from challenges.bundles.importing import challenge_import
    from challenges.bundles.reader import read_bundle
    from demo.bundles.fitting import build_fitting_1d

    folder = tmp_path / "fitting-1d"
    folder.mkdir()
    build_fitting_1d(folder, 2023, 0.1)
    deadline = timezone.now() + timedelta(days=28)
    return challenge_import(bundle=read_bundle(folder), deadline=deadline).challenge


@pytest.fixture
def gpu_worker(celery_worker_process):
    """A worker on the `gpu` queue beside the session's scoring worker (which scores what
    the baseline submits)."""
    worker = WorkerProcess(celery_worker_process.env, queues="gpu").start()
    yield worker
    worker.stop()


@pytest.fixture
def project_schedule(db):
    from vsegrader.course.models import ProjectSettings

    config = ProjectSettings.load()
    config.registration_deadline = timezone.now() + timedelta(days=7)
    config.deadline = timezone.now() + timedelta(days=14)
    config.save()
    return config


def sample_predictions(challenge) -> bytes:
    with challenge.files.get(name="sample_submission.csv").file.open("rb") as handle:
        return handle.read()


# --- the instructor -------------------------------------------------------------------------


@pytest.mark.worker
def test_an_instructor_trains_a_baseline_and_reads_the_boards_and_the_gradebook(
    live_server, gpu_worker, fitting_challenge, instructor, students, open_page, shots
):
    from challenges.submissions.intake import submission_create

    alice, _bob = students
    upload = csv_upload(sample_predictions(fitting_challenge))
    wait_until_done(submission_create(challenge=fitting_challenge, user=alice, file=upload).pk)
    page = open_page()
    browser.log_in(page, f"{live_server.url}/challenges/fitting-1d/", "ivana")
    browser.assert_styled(page)
    page.wait_for_selector("#baseline-panel >> text=No baseline run yet.")

    run_baseline_and_follow_it(page, gpu_worker, shots)
    browser.follow(page, "#baseline-panel td:last-child a")
    check_public_board(page)
    shots(page, "leaderboard-public")
    page.click(".split-switch >> text=Private")  # htmx swaps the board and pushes the URL
    page.wait_for_selector(".leaderboard-card h2 >> text=Private leaderboard")
    check_private_board(page)
    shots(page, "leaderboard-private")

    browser.follow(page, ".topbar >> text=Gradebook")
    names = page.locator("table.gradebook tbody tr td:nth-child(2)").all_inner_texts()
    assert names == [
        "alice",
        "bob",
    ]  # by name: Alice Novak, Bob Svoboda; no instructor, no baseline
    shots(page, "gradebook")
    with page.expect_download() as download:
        page.click("main >> text=Download CSV (all students)")
    check_gradebook_csv(Path(download.value.path()))
    assert len(shots.taken) == 5


def run_baseline_and_follow_it(page, gpu_worker, shots) -> None:
    """Quick run on the CPU; the panel shows it queued, then polls until it has succeeded
    and its submission is scored, without the page reloading."""
    page.select_option("#baseline-panel select[name=device]", "cpu")
    run = page.locator("#baseline-panel tr[data-run]")
    with browser.no_reload(page):
        with browser.worker_paused(gpu_worker):
            page.click("#baseline-panel button[value=quick]")
            page.wait_for_selector("#baseline-runs .flash >> text=queued for the GPU worker")
            assert run.locator("td:nth-child(4)").inner_text() == "queued"
            assert "quick · cpu" in run.inner_text()
            page.fill("#baseline-panel input[name=seed]", "7")  # the next run's, while polling
            shots(page, "baseline-queued")
        wait_for_the_baseline(page, gpu_worker)
    assert run.locator("td:nth-child(4)").inner_text() == "succeeded"
    assert "epoch 40/40" in run.inner_text() and "val_mse" in run.inner_text()
    log = page.locator("#baseline-panel pre.log").text_content()
    assert "start on cpu" in log and "done in" in log
    assert page.input_value("#baseline-panel input[name=seed]") == "7"  # polling left it
    shots(page, "baseline-finished")


def wait_for_the_baseline(page, gpu_worker) -> None:
    """Until the baseline's submission is scored and the panel stops polling."""
    try:
        page.wait_for_selector(
            "#baseline-runs tr[data-run] td:last-child .pill.scored", timeout=60_000
        )
    except Exception as timeout:  # playwright's TimeoutError: show what the panel said
        log = "".join(gpu_worker.log[-40:])
        raise AssertionError(f"{page.inner_text('#baseline-panel')}\n{log}") from timeout
    page.wait_for_selector("#baseline-runs:not([hx-trigger])")


def check_public_board(page) -> None:
    assert "Public leaderboard" in page.inner_text(".leaderboard-card h2")
    baseline = page.locator("table.leaderboard tr.baseline")
    assert QUICK_BASELINE in baseline.inner_text()
    assert baseline.locator("td").first.inner_text() == "—"  # reference rows are not ranked
    assert (
        page.locator("table.leaderboard tr:not(.baseline) td:nth-child(4)").first.inner_text()
        == "alice"
    )  # instructors see usernames, after the score (which stays in view on a phone)


def check_private_board(page) -> None:
    assert page.url.endswith("?split=private")
    assert "Private leaderboard" in page.inner_text(".leaderboard-card h2")
    assert "95 % CI" in page.inner_text("table.leaderboard thead")
    student = page.locator("table.leaderboard tr:not(.baseline)", has_text="alice")
    assert student.locator("td").first.inner_text() == "1"
    assert QUICK_BASELINE in page.inner_text("table.leaderboard tr.baseline")


def check_gradebook_csv(path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [(row["username"], row["last_name"]) for row in rows] == [
        ("alice", "Novak"),
        ("bob", "Svoboda"),
    ]
    alice, bob = rows
    assert 0.0 <= float(alice["fitting-1d"]) <= 1.0
    assert float(bob["fitting-1d"]) == 0.0  # no submission


# --- a project group ------------------------------------------------------------------------


def test_two_students_form_a_group_and_hand_in_the_report(
    live_server, project_schedule, students, open_page, shots, tmp_path
):
    url = f"{live_server.url}/projects/"
    alice = open_page()
    browser.log_in(alice, url, "alice")
    browser.assert_styled(alice)
    shots(alice, "no-group-yet")
    code = create_group(alice)
    shots(alice, "group-created")

    bob = open_page()
    browser.log_in(bob, url, "bob")
    bob.fill("#id_code", code.lower())  # as typed by hand
    browser.follow(bob, "main button:text('Join')")
    assert "You joined 'Deep Thinkers'." in bob.inner_text("main .flash")
    members = bob.inner_text("dl.facts")
    assert "Alice Novak (alice)" in members and "Bob Svoboda (bob)" in members
    shots(bob, "joined")

    upload_report(alice, tmp_path, shots)
    bob.reload()
    assert "report.pdf" in bob.inner_text("main table") and "alice" in bob.inner_text("main table")
    with bob.expect_download() as download:
        bob.click("main table >> text=report.pdf")
    assert Path(download.value.path()).read_bytes() == PDF
    shots(bob, "report-seen-by-the-group")

    browser.follow(bob, ".topbar >> text=Deadlines")
    assert "Group project: report and slides due" in bob.inner_text("table.deadlines")
    shots(bob, "deadlines")
    assert len(shots.taken) == 7


def create_group(page) -> str:
    page.fill("#id_name", "Deep Thinkers")
    page.fill("#id_own_topic", "Detecting glasses in portraits")
    page.fill("#id_description", "A small CNN, then a pretrained one.")
    browser.follow(page, "main button:text('Create')")
    assert "Group 'Deep Thinkers' created." in page.inner_text("main .flash")
    assert "Detecting glasses in portraits" in page.inner_text("dl.facts")
    code = page.inner_text("code.invite").strip()
    assert len(code) >= 6 and code.isalnum()
    return code


def upload_report(page, folder: Path, shots) -> None:
    """A renamed picture is refused with the reason; the real PDF is listed as the latest."""
    fake, real = folder / "fake" / "report.pdf", folder / "report.pdf"
    fake.parent.mkdir()
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64))
    real.write_bytes(PDF)
    page.select_option("#id_kind", "report")
    page.set_input_files("#id_file", str(fake))
    with browser.expecting_status(page, 400):
        browser.follow(page, "main button:text('Upload')")
    assert "must be a PDF" in page.inner_text("form.upload")
    shots(page, "report-refused")

    page.select_option("#id_kind", "report")
    page.set_input_files("#id_file", str(real))
    browser.follow(page, "main button:text('Upload')")
    assert page.inner_text("main .flash") == "Written report (pdf) uploaded."
    latest = page.locator("main table tr.current")
    assert "report.pdf" in latest.inner_text() and "latest" in latest.inner_text()
    shots(page, "report-uploaded")


# --- the instructor's wide gradebook, and the course pages on a phone -----------------------

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
MANY_CHALLENGES = 12  # enough columns to make the gradebook wider than a laptop's window


@pytest.fixture
def wide_course(tmp_path, students, make_user, project_schedule):
    """Twelve challenges, a student with no name, a project group with both named students."""
    from challenges.bundles.importing import challenge_import
    from challenges.bundles.reader import read_bundle
    from tests.bundles import write_tiny_bundle
    from vsegrader.course.models import Membership, ProjectGroup

    for number in range(MANY_CHALLENGES):
        bundle = write_tiny_bundle(tmp_path, slug=f"tiny-regression-{number:02d}")
        challenge_import(bundle=read_bundle(bundle))
    make_user("zed")  # no first or last name: shown and sorted as "zed"
    group = ProjectGroup.objects.create(name="Owls", own_topic="Owl calls")
    for student in students:
        Membership.objects.create(group=group, user=student)
    return group


def overflow(page, selector: str) -> tuple[int, int]:
    return page.eval_on_selector(selector, "e => [e.scrollWidth, e.clientWidth]")


def test_the_gradebooks_name_column_stays_in_view_when_scrolled_sideways(
    live_server, wide_course, instructor, open_page, shots
):
    page = open_page()
    page.set_viewport_size(LAPTOP)
    browser.log_in(page, f"{live_server.url}/grades/", "ivana")
    wide, shown = overflow(page, ".table-scroll")
    assert wide > shown, "the gradebook should be wider than the window for this test"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert shown > 1100, f"the gradebook is squeezed into {shown} px"
    heights = page.eval_on_selector_all(
        "table.gradebook thead th", "s => s.map(e => e.offsetHeight)"
    )
    assert len(set(heights)) == 1 and heights[0] < 40, f"headers wrap: {heights}"
    names = page.locator("table.gradebook tbody th.name")
    assert names.all_inner_texts() == ["Alice Novak", "Bob Svoboda", "zed"]

    page.eval_on_selector("table.gradebook", "e => e.scrollIntoView({block: 'start'})")
    page.eval_on_selector(".table-scroll", "e => { e.scrollLeft = e.scrollWidth }")
    assert page.eval_on_selector(".table-scroll", "e => e.scrollLeft") > 0
    box = page.eval_on_selector(".table-scroll", "e => e.getBoundingClientRect().left")
    for index in range(names.count()):
        cell = names.nth(index).bounding_box()
        assert abs(cell["x"] - box) < 2, f"the name column scrolled away: {cell} vs {box}"
        hit = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).closest('th')?.innerText",
            [cell["x"] + 5, cell["y"] + cell["height"] / 2],
        )
        assert hit == names.nth(index).inner_text(), f"something covers the name: {hit}"
    shots(page, "gradebook-scrolled")


def assert_fits_the_phone(page, url: str) -> None:
    page.goto(url)
    wide, shown = overflow(page, "main")
    assert wide <= shown, f"{url}: the content is {wide} px wide on a {shown} px screen"
    for box in page.locator(".table-scroll").all():
        assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto", url
    assert page.locator("main table").count() == page.locator(".table-scroll table").count(), url


def test_the_course_pages_fit_a_phone(live_server, wide_course, instructor, open_page):
    student = open_page()
    student.set_viewport_size(PHONE)
    browser.log_in(student, f"{live_server.url}/deadlines/", "alice")
    for path in ("/deadlines/", "/grades/mine/", "/projects/"):
        assert_fits_the_phone(student, live_server.url + path)
    teacher = open_page()
    teacher.set_viewport_size(PHONE)
    browser.log_in(teacher, f"{live_server.url}/projects/groups/", "ivana")
    paths = (
        "/projects/groups/",
        f"/projects/groups/{wide_course.pk}/",
        "/grades/",
        "/grades/rules/tiny-regression-00/",
    )
    for path in paths:
        assert_fits_the_phone(teacher, live_server.url + path)
