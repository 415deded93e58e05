"""The world of the access matrix (tests/test_access_matrix.py): challenges whose hidden
solutions carry a marker value, sealed, extended, open and draft; alice and bob with
submissions, a project group, marks, grades and tokens; an instructor and a retired one."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from challenges.boards.ladders import losses_to_bytes
from challenges.boards.standings import refresh_standings
from challenges.bundles.importing import challenge_import
from challenges.bundles.reader import read_bundle
from challenges.insights.services import insights_compute
from challenges.models import Extension, Submission
from tests import access
from tests.admin_forms import post_mode
from tests.bundles import write_tiny_bundle
from tests.factories import scored_submission
from vsegrader.course import deadlines, gradebook, marks, projects
from vsegrader.course.models import Membership, ProjectSettings

HIDDEN_SHIFT = 987654.0  # every hidden target value starts with 987654
HIDDEN_MARKER = b"987654"
SEALED, EXTENDED, OPEN, DRAFT = "sealed-1d", "extended-1d", "open-1d", "draft-1d"
DRAFT_TITLE = "Unreleased Qq9 puzzle"  # an unpublished challenge: instructors only
UNREVEALED = (SEALED, EXTENDED)
# "alice-token" and "retired-token" call the API only, with a token: alice's, and that of an
# instructor whose account was deactivated (who must get nothing).
ROLES = ("anonymous", "alice", "bob", "instructor", "alice-token", "retired-token")
KINDS = {
    "anonymous": "outsider",
    "alice": "student",
    "bob": "student",
    "instructor": "instructor",
    "alice-token": "student",
    "retired-token": "outsider",
}
DAYS_AGO = 3 * 24 * 60
LINEAR = {"rule": "linear", "target": 0.0, "zero": 2.0}  # marks as distinctive as the scores
MARK, POINTS = (".3f", ".6g"), (".2f",)  # how grade pages write marks and points
KNOWN_SERVER_ERRORS: set[tuple[str, str]] = set()  # (method, url) to tolerate while a fix lands


@dataclass(frozen=True)
class Profile:
    username: str
    first_name: str
    last_name: str
    tag: str  # in every text that belongs to this student
    public: float
    ladder: float  # the exact public score of a sealed submission the Ladder rejected
    private: dict  # challenge -> private score
    ci: tuple[float, float]  # the open challenge's bootstrap interval (instructors only)
    mark: Decimal
    adjustment: Decimal
    released: bool  # whether the instructors released the group's project mark


PROFILES = {
    "alice": Profile(
        "alice_qz7k",
        "Alicja",
        "Zqkowska",
        "Qz7k",
        2.25,
        2.1357246,
        {SEALED: 0.1234567, EXTENDED: 0.1357913, OPEN: 0.2345671},
        (0.2011117, 0.2677771),
        Decimal("86.17"),
        Decimal("1.25"),
        False,
    ),
    "bob": Profile(
        "bob_wx4m",
        "Bartosz",
        "Wxyzniak",
        "Wx4m",
        2.75,
        2.5713642,
        {SEALED: 0.7654321, EXTENDED: 0.7531864, OPEN: 0.8765431},
        (0.8311113, 0.9199991),
        Decimal("73.21"),
        Decimal("-4.37"),
        True,
    ),
}


@dataclass
class Student:
    user: object
    profile: Profile
    submissions: dict = field(default_factory=dict)  # challenge -> Submission
    group: object = None
    deliverable: object = None
    calendar_token: str = ""
    api_token: str = ""
    grades: object = None  # the student's gradebook row, as instructors see it
    probe: object = None  # the submission the Ladder rejected

    def secrets(self) -> dict[str, set[bytes]]:
        """What nobody but this student (and the instructors) may read."""
        p, user, group = self.profile, self.user, self.group
        texts = {
            "username": user.username,
            "first name": user.first_name,
            "last name": user.last_name,
            "email": user.email,
            "group name": group.name,
            "own topic": group.own_topic,
            "group plan": group.description,
            "invite code": group.invite_code,
            "deliverable name": self.deliverable.file_name,
            "deliverable bytes": f"{p.tag}-pdf-bytes",
            "calendar token": self.calendar_token,
            "api token": self.api_token,
        }
        for slug, submission in self.submissions.items():
            texts[f"{slug} file bytes"] = f"{p.tag}-bytes-{slug}"
            texts[f"{slug} file name"] = submission.file_name
            texts[f"{slug} description"] = submission.description
        secrets = {label: {text.encode()} for label, text in texts.items()}
        secrets["revealed mark"] = access.number_forms(self.grades.marks[OPEN], MARK)
        return secrets | self.project_mark()

    def project_mark(self) -> dict[str, set[bytes]]:
        row = self.grades
        return {
            "feedback": {self.group.feedback.encode()},
            "group mark": access.number_forms(float(self.profile.mark), POINTS),
            "member mark": access.number_forms(row.project_mark, POINTS),
            "project points": access.number_forms(row.project_points, POINTS),
        }

    def withheld(self) -> dict[str, set[bytes]]:
        """What this student may not read either: private scores before the reveal, the
        marks computed from them and the totals that add those up, the project mark before
        its release, the Ladder's exact scores and bootstrap intervals (instructors only, but
        for a student's own interval in their report after the reveal)."""
        p, row = self.profile, self.grades
        hidden = {
            "exact Ladder score": access.number_forms(p.ladder),
            "interval": access.number_forms(p.ci[0]) | access.number_forms(p.ci[1]),
        }
        for slug in UNREVEALED:
            hidden[f"private {slug}"] = access.number_forms(p.private[slug])
            hidden[f"mark {slug}"] = access.number_forms(row.marks[slug], MARK)
        hidden["challenge points"] = access.number_forms(row.challenge_points, POINTS)
        hidden["final points"] = access.number_forms(row.final_points, POINTS)
        return hidden if p.released else hidden | self.project_mark()


@dataclass
class World:
    challenges: dict
    students: dict
    instructor: object
    retired_token: str

    def forbidden(self, role: str) -> dict[str, set[bytes]]:
        """label -> byte strings that must never reach this visitor."""
        if role == "instructor":
            return {}
        owner = role.split("-")[0]
        forbidden = {"the unpublished challenge": {DRAFT_TITLE.encode()}}
        for name, student in self.students.items():
            hidden = student.withheld() | ({} if name == owner else student.secrets())
            forbidden.update({f"{name}'s {label}": forms for label, forms in hidden.items()})
        return forbidden


# --- the world ------------------------------------------------------------------------------


def import_challenge(tmp_path, slug: str, **changes):
    challenge = challenge_import(
        bundle=read_bundle(write_tiny_bundle(tmp_path, slug=slug, shift=HIDDEN_SHIFT))
    ).challenge
    for name, value in changes.items():
        setattr(challenge, name, value)
    challenge.save()
    return challenge


def add_submissions(student: Student, challenges: dict) -> None:
    p = student.profile
    for slug, challenge in challenges.items():
        submission = scored_submission(
            challenge,
            student.user,
            p.public,
            p.private[slug],
            minutes_ago=DAYS_AGO,
            description=f"{p.tag} plan for {slug}",
            content=f"id,y\n{p.tag}-bytes-{slug}\n".encode(),
        )
        Submission.objects.filter(pk=submission.pk).update(file_name=f"{p.tag}-upload-{slug}.csv")
        student.submissions[slug] = submission
    Submission.objects.filter(pk=student.submissions[OPEN].pk).update(
        private_ci_low=p.ci[0], private_ci_high=p.ci[1]
    )
    refresh_standings(challenge=challenges[OPEN], users=[student.user])
    for submission in student.submissions.values():
        submission.refresh_from_db()


def add_ladder_probe(student: Student, challenge) -> None:
    """A later sealed submission that the Ladder does not accept: the student is shown the
    earlier one's public score, and the exact one stays with the instructors."""
    p, first = student.profile, student.submissions[SEALED]
    probe = scored_submission(
        challenge, student.user, p.ladder, p.private[SEALED], minutes_ago=DAYS_AGO - 1
    )
    losses = {first.pk: [1, 3, 1, 3, 1, 3], probe.pk: [3, 1, 3, 1, 3, 0.9]}
    for pk, values in losses.items():
        Submission.objects.filter(pk=pk).update(public_losses=losses_to_bytes(np.array(values)))
    refresh_standings(challenge=challenge, users=[student.user])
    student.probe = Submission.objects.get(pk=probe.pk)
    assert student.probe.shown_public_score == p.public  # the world is as described


def try_to_untick_the_ladder(challenge, instructor) -> None:
    """Students have submitted: the admin refuses the switch, so the exact scores the Ladder
    held back stay withheld (the matrix below checks every response)."""
    client = Client()
    client.force_login(instructor)
    refused = post_mode(client, challenge, public_ladder=False)
    assert "stays in Ladder mode" in refused.content.decode()
    challenge.refresh_from_db()
    assert challenge.public_ladder


def add_project(student: Student, instructor) -> None:
    p, user = student.profile, student.user
    student.group = projects.group_create(
        user=user,
        name=f"{p.tag} Kestrels",
        own_topic=f"{p.tag} own topic",
        description=f"{p.tag} group plan",
    )
    pdf = b"%PDF-1.7\n% " + f"{p.tag}-pdf-bytes".encode() + b"\n%%EOF\n"
    upload = SimpleUploadedFile(f"{p.tag}-report.pdf", pdf, content_type="application/pdf")
    student.deliverable = projects.deliverable_upload(user=user, kind="report", file=upload)
    marks.mark_set(
        group=student.group,
        by=instructor,
        mark=p.mark,
        feedback=f"{p.tag} feedback",
        released=p.released,
    )
    marks.adjustment_set(
        membership=Membership.objects.get(user=user), by=instructor, adjustment=p.adjustment
    )
    student.group.refresh_from_db()


@pytest.fixture
def world(tmp_path, make_user) -> World:
    now = timezone.now()
    config = ProjectSettings.load()
    config.registration_deadline, config.deadline = now + timedelta(days=7), now + timedelta(14)
    config.save()
    instructor = make_user("ivana_instr", staff=True)
    past = now - timedelta(days=1)
    challenges = {
        SEALED: import_challenge(tmp_path, SEALED, grading=LINEAR, public_ladder=True),
        EXTENDED: import_challenge(tmp_path, EXTENDED, deadline=past, grading=LINEAR),
        OPEN: import_challenge(tmp_path, OPEN, deadline=past, grading=LINEAR),
    }
    students = {}
    for name, p in PROFILES.items():
        user = make_user(p.username)
        user.first_name, user.last_name = p.first_name, p.last_name
        user.save()
        student = Student(user=user, profile=p)
        add_submissions(student, challenges)
        add_ladder_probe(student, challenges[SEALED])
        add_project(student, instructor)
        student.calendar_token = deadlines.feed_for(user).token
        student.api_token = Token.objects.create(user=user).key
        students[name] = student
    try_to_untick_the_ladder(challenges[SEALED], instructor)
    # granted before the deadline: the private board stays closed until bob's ends
    Extension.objects.create(
        challenge=challenges[EXTENDED],
        user=students["bob"].user,
        deadline=now + timedelta(days=2),
        granted_by=instructor,
    )
    Extension.objects.update(created_at=past - timedelta(days=1))
    rows = {row.user_id: row for row in gradebook.gradebook().rows}
    for student in students.values():
        student.grades = rows[student.user.pk]
    challenges[DRAFT] = import_challenge(tmp_path, DRAFT, is_published=False, title=DRAFT_TITLE)
    for challenge in challenges.values():  # stored insights, revealed or not: the gate must hold
        insights_compute(challenge_id=challenge.pk, force=True)
    retired = make_user("retired_instr", staff=True)
    retired.is_active = False
    retired.save()
    return World(
        challenges=challenges,
        students=students,
        instructor=instructor,
        retired_token=Token.objects.create(user=retired).key,
    )
