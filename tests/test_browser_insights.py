"""After the reveal, in a real browser (headless Chromium, driven by Playwright): a student
opens their result, an instructor the class report and the integrity page (with a pair of
copied notebooks flagged). Screenshots are saved as artefacts; a script error, a console
error or a 5xx fails the test. Needs Debian's `chromium`; skipped without it."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.insights import code, services
from tests.code_samples import DISGUISED, ORIGINAL
from tests.factories import scored_submission
from tests.insight_world import ALICE, BOB, import_bundle, predictions_csv, write_label_bundle

pytest.register_assert_rewrite("tests.browser")
from tests import browser  # noqa: E402

pytest_plugins = ("tests.browser",)
pytestmark = [browser.needs_chromium, pytest.mark.django_db(transaction=True)]


def attach(submission, source: str) -> None:
    notebook = {"nbformat": 4, "cells": [{"cell_type": "code", "source": source}]}
    upload = SimpleUploadedFile("model.ipynb", json.dumps(notebook).encode())
    code.code_attach(submission=submission, user=submission.user, upload=upload)


@pytest.fixture
def revealed(tmp_path, student, other_student, instructor):
    challenge = import_bundle(write_label_bundle(tmp_path), revealed=True)
    challenge.accepts_code = True
    challenge.save()
    for user, labels, private, source in (
        (student, ALICE, 4 / 6, ORIGINAL),
        (other_student, BOB, 0.5, DISGUISED),
    ):
        submission = scored_submission(
            challenge, user, 1.0, private, minutes_ago=60, is_final=True,
            content=predictions_csv(labels),
        )  # fmt: skip
        attach(submission, source)
    assert services.insights_compute(challenge_id=challenge.pk)
    return challenge


def test_the_student_and_the_instructor_read_the_reports_after_the_reveal(
    live_server, revealed, open_page, shots
):
    base = f"{live_server.url}/challenges/{revealed.slug}/insights/"
    page = open_page()
    browser.log_in(page, base, "alice")
    browser.assert_styled(page)
    assert "predicted dog" in page.inner_text("main")
    assert page.locator("#confusion").count() == 1
    shots(page, "my-result")

    staff = open_page()
    browser.log_in(staff, f"{base}class/", "ivana")
    assert staff.locator("#hardest").count() == 1
    assert staff.locator("main svg").count() >= 2
    shots(staff, "class-report")

    staff.goto(f"{base}integrity/")
    flags = staff.inner_text("#flags")
    assert "shared fingerprints" in flags and "alice" in flags and "bob" in flags
    shots(staff, "integrity")
    assert len(shots.taken) == 3
