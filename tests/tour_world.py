"""The course the browser tour walks through: an open challenge (the demo's fitting-1d) with
a leaderboard of seven students, a revealed one with its insights, a project group with a
report, and the logged-in test clients of the tour's three roles."""

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.browser import PASSWORD
from tests.code_samples import DISGUISED, ORIGINAL
from tests.factories import scored_submission, submit_and_score
from tests.insight_world import ALICE, BOB, import_bundle, predictions_csv, write_label_bundle
from vsegrader.permissions import make_instructor

STUDENT, INSTRUCTOR = "alice", "ivana"
# username, first and last name; carol has no name (the gradebook must still name her)
STUDENTS = (
    ("alice", "Alice", "Novak"),
    ("bob", "Bob", "Svoboda"),
    ("carol", "", ""),
    ("dana", "Dana", "Dvořák"),
    ("emil", "Emil", "Černý"),
    ("filip", "Filip", "Procházka"),
    ("gita", "Gita", "Kučerová"),
)
# Each other student's public and private MSE as multiples of the sample submission's (alice's
# best): four are better than her on the public board, so she is #5 of 7 until she uploads
# the exact answers; the private board reorders them a little (its "Move" column).
SCORE_FACTORS = {
    "bob": (0.12, 0.3),
    "dana": (0.35, 0.25),
    "gita": (0.55, 0.5),
    "emil": (0.8, 1.3),
    "carol": (1.4, 0.9),
    "filip": (2.5, 2.2),
}
STUDENT_RANK_BEFORE = 5
FAILED_ERROR = "\n".join(
    [f"Column 'y' line {n}: 'n/a' is not a number" for n in range(2, 12)]
    + ["…and 1990 more problems"]
)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass(frozen=True)
class World:
    open_slug: str
    open_title: str
    revealed_slug: str
    submission_pk: int  # the student's final submission of the revealed challenge, with code
    group_pk: int
    deliverable_pk: int
    student_id: int
    reset_uid: str
    reset_token: str
    feed_token: str
    participants: int  # on the open challenge's public board
    sample_predictions: bytes
    exact_predictions: bytes  # the open challenge's true values: public MSE 0


def build_world(root: Path) -> World:
    from demo.course import demo_course

    demo_course()  # project ideas, the grade scheme, project dates
    users = make_users()
    alice = users[STUDENT]
    challenge, folder = open_challenge(root)
    sample = (folder / "public" / "sample_submission.csv").read_bytes()
    best = submit_and_score(challenge, alice, sample)
    best.is_final, best.description = True, "the sample: predicts the mean"
    best.save()
    scored_submission(challenge, alice, 1.8 * best.public_score, 1.9 * best.public_score,
                      minutes_ago=300, description="first try")  # fmt: skip
    failed_submission(challenge, alice)
    for username, (public, private) in SCORE_FACTORS.items():
        scored_submission(challenge, users[username], public * best.public_score,
                          private * best.private_score, minutes_ago=60)  # fmt: skip
    revealed, final = revealed_challenge(root, alice, users["bob"])
    group, deliverable = project_group(alice, users["bob"])
    from vsegrader.course.deadlines import feed_for

    return World(
        open_slug=challenge.slug,
        open_title=challenge.title,
        revealed_slug=revealed.slug,
        submission_pk=final.pk,
        group_pk=group.pk,
        deliverable_pk=deliverable.pk,
        student_id=alice.pk,
        reset_uid=urlsafe_base64_encode(force_bytes(alice.pk)),
        reset_token=default_token_generator.make_token(alice),
        feed_token=feed_for(alice).token,
        participants=1 + len(SCORE_FACTORS),
        sample_predictions=sample,
        exact_predictions=exact_predictions(folder / "solution.csv"),
    )


def make_users() -> dict:
    User = get_user_model()
    users = {}
    for username, first, last in STUDENTS:
        users[username] = User.objects.create_user(
            username, f"{username}@example.com", PASSWORD, first_name=first, last_name=last
        )
    users[INSTRUCTOR] = User.objects.create_user(
        INSTRUCTOR, "ivana@example.com", PASSWORD, first_name="Ivana", last_name="Horáková",
        is_superuser=True,
    )  # fmt: skip
    make_instructor(users[INSTRUCTOR])
    users[INSTRUCTOR].save()
    return users


def open_challenge(root: Path):
    from challenges.bundles.importing import challenge_import
    from challenges.bundles.reader import read_bundle
    from demo.bundles.common import tiers_grading
    from demo.bundles.fitting import build_fitting_1d

    folder = root / "fitting-1d"
    folder.mkdir(parents=True)
    build_fitting_1d(folder, 2023, 0.1)
    deadline = timezone.now() + timedelta(days=28)
    challenge = challenge_import(bundle=read_bundle(folder), deadline=deadline).challenge
    challenge.grading = {**tiers_grading(), "full_marks_top": 2}  # not all 7 full marks
    challenge.save()
    return challenge, folder


def failed_submission(challenge, user) -> None:
    from challenges.boards.standings import refresh_standings
    from challenges.models import Submission

    submission = scored_submission(challenge, user, 0, 0, minutes_ago=200, description="typo")
    submission.status, submission.error = Submission.Status.FAILED, FAILED_ERROR
    submission.public_score = submission.private_score = submission.shown_public_score = None
    submission.save()
    refresh_standings(challenge=challenge, users=[user])  # its scores of 0 do not count


def exact_predictions(solution: Path) -> bytes:
    rows = solution.read_text().splitlines()[1:]
    return ("id,y\n" + "".join(",".join(row.split(",")[:2]) + "\n" for row in rows)).encode()


def revealed_challenge(root: Path, alice, bob):
    """A closed challenge whose private board and insights are out; both students attached
    the code of their final submission (near-copies: the integrity page flags them)."""
    from challenges.insights import code, services
    from demo.bundles.common import percentile_grading

    challenge = import_bundle(write_label_bundle(root), revealed=True)
    challenge.accepts_code, challenge.grading = True, percentile_grading()
    challenge.save()
    finals, students = [], ((alice, ALICE, 4 / 6, ORIGINAL), (bob, BOB, 0.5, DISGUISED))
    for user, labels, private, source in students:
        final = scored_submission(challenge, user, 1.0, private, minutes_ago=60, is_final=True,
                                  content=predictions_csv(labels))  # fmt: skip
        notebook = {"nbformat": 4, "cells": [{"cell_type": "code", "source": source}]}
        upload = SimpleUploadedFile("model.ipynb", json.dumps(notebook).encode())
        code.code_attach(submission=final, user=user, upload=upload)
        finals.append(final)
    services.insights_compute(challenge_id=challenge.pk)
    return challenge, finals[0]


def project_group(alice, bob):
    from vsegrader.course import projects

    group = projects.group_create(
        user=alice, name="Gradient Descenders", own_topic="Sketch colouring with a small GAN"
    )
    projects.group_join(user=bob, code=group.invite_code)
    report = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    return group, projects.deliverable_upload(user=alice, kind="report", file=report)


def role_clients() -> dict[str, Client]:
    """Django test clients, logged in as the tour's roles (their sessions go to Chromium)."""
    User = get_user_model()
    clients = {"anonymous": Client(raise_request_exception=False)}  # a 500 is a finding
    for role, username in (("student", STUDENT), ("instructor", INSTRUCTOR)):
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(User.objects.get(username=username))
    return clients


def session_keys(clients: dict[str, Client]) -> dict[str, str | None]:
    """Each role's session cookie; the visitor has none (whatever its client was given)."""
    keys = {role: client.cookies[settings.SESSION_COOKIE_NAME].value
            for role, client in clients.items() if role != "anonymous"}  # fmt: skip
    return {"anonymous": None, **keys}
