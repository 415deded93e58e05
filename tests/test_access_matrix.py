"""The access matrix: every URL of the site (pages, API, admin, exports, files, and where a
misconfigured server would serve stored files) × every kind of visitor: anonymous, a student,
another student, an instructor, a student's API token, a deactivated instructor's token.

The world: challenges whose hidden solutions carry a marker value, "sealed" (deadline ahead,
Ladder mode), "extended" (the deadline passed, but bob's extension has not: no reveal yet),
"open" (revealed) and "draft" (unpublished). Alice and bob each have submissions with
distinctive private scores, file bytes, names and descriptions, a project group with a
deliverable, a released mark and feedback, grades, a calendar link and an API token. Every
response is searched for what its visitor must not receive; a list of expected answers
proves that access is granted too, so the matrix cannot pass by refusing everything.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import get_resolver
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from challenges.models import Submission
from challenges.selectors import shown_name
from challenges.templatetags.challenge_tags import format_interval, format_score
from tests import access
from tests.access_world import (
    DRAFT,
    DRAFT_TITLE,
    EXTENDED,
    HIDDEN_MARKER,
    KINDS,
    KNOWN_SERVER_ERRORS,
    OPEN,
    ROLES,
    SEALED,
    UNREVEALED,
    World,
)

pytestmark = pytest.mark.django_db
pytest_plugins = ("tests.access_world",)  # the `world` fixture


def shown(score: float) -> str:
    """A score as the pages show it (the challenges here are scored by MSE)."""
    return format_score(score, "mse")


# --- walking --------------------------------------------------------------------------------


def url_values(world: World, role: str) -> dict[str, list[str]]:
    """Every value a visitor could put into a URL: real ids of everyone's objects (ids are
    guessable), hostile values, and only their own calendar secret (it is not)."""
    students = world.students.values()
    owner = world.students.get(role.split("-")[0])
    sealed = world.challenges[SEALED]
    ids = [s.pk for student in students for s in (*student.submissions.values(), student.probe)]
    ids += [student.deliverable.pk for student in students]
    ids += [student.group.pk for student in students]
    return {
        "slug": [*world.challenges, "no-such-challenge"],
        "pk": sorted({str(pk) for pk in ids}) + ["0", "2147483648"],
        "name": [
            *sealed.files.values_list("name", flat=True),
            *access.HOSTILE_NAMES,
            sealed.solution.name,
        ],
        "token": ([owner.calendar_token] if owner else []) + ["not-a-token", "..%2F..%2Fx"],
        "app_label": ["auth", "authtoken", "challenges", "course", "training"],
        "url": ["nothing/", f"challenges/submission/{ids[0]}/change/"],
        "content_type_id": [str(ContentType.objects.get_for_model(Submission).pk), "999"],
        "object_id": [str(ids[-1]), "0"],  # the admin's "view on site" redirect (admin/r/)
        "id": [str(student.user.pk) for student in students],
        "uidb64": [urlsafe_base64_encode(str(student.user.pk).encode()) for student in students],
    }


def stored_file_urls(world: World) -> list[str]:
    """Where a misconfigured server would serve stored files: every file's storage path."""
    names = [c.solution.name for c in world.challenges.values()]
    for student in world.students.values():
        names += [s.file.name for s in student.submissions.values()]
        names.append(student.deliverable.file.name)
    names += [f.file.name for f in world.challenges[SEALED].files.all()]
    prefixes = ("media/", "hidden/", "static/../hidden/")
    return [f"/{prefix}{name}" for prefix in prefixes for name in names]


def client_for(world: World, role: str):
    if role.endswith("-token"):
        client = APIClient(raise_request_exception=False)
        key = world.retired_token if role == "retired-token" else world.students["alice"].api_token
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client
    client = Client(raise_request_exception=False)  # a 500 is reported with the others
    users = {"instructor": world.instructor, **{n: s.user for n, s in world.students.items()}}
    if role in users:
        client.force_login(users[role])
    return client


def visit(world: World, role: str) -> access.Seen:
    urls = access.with_queries(access.all_urls(url_values(world, role))) + stored_file_urls(world)
    if role.endswith("-token"):
        urls = [url for url in urls if url.startswith("/api/")]
    return access.visit(client_for(world, role), urls)


# --- what each response may be --------------------------------------------------------------


def content_problems(world: World, role: str, url: str, data: bytes, forbidden: dict) -> list[str]:
    found = []
    if HIDDEN_MARKER in data:
        found.append("a hidden solution value")
    solution_names = [c.solution.name.encode() for c in world.challenges.values()]
    # The admin's challenge page names the hidden file to instructors (it is served nowhere).
    named_ok = role == "instructor" and url.startswith("/admin/challenges/challenge/")
    if not named_ok and any(name in data for name in solution_names):
        found.append("the hidden solution's file name")
    # After the reveal a student's own report shows their own private score's interval.
    own_interval = f"{role.split('-')[0]}'s interval" if "/insights/" in url else None
    for label, forms in forbidden.items():
        if label != own_interval and any(appears(form, data) for form in forms):
            found.append(label)
    return found


NUMBER = re.compile(rb"-?[\d.]+(e[-+]?\d+)?")


def appears(form: bytes, data: bytes) -> bool:
    """A text anywhere; a number only as a whole number: "12.35" is not in a timestamp's
    "10:31:12.351234", nor in a longer score."""
    if not NUMBER.fullmatch(form):
        return form in data
    return re.search(rb"(?<![\d.])(?<!\d:)" + re.escape(form) + rb"(?!\d)", data) is not None


def problems(world: World, role: str, seen: dict) -> list[str]:
    report, forbidden = [], world.forbidden(role)
    for (method, url), (status, data, location) in seen.items():
        where = f"{role} {method.upper()} {url}"
        problem = access.status_problem(KINDS[role], method, url, status, location)
        if problem and (method, url) not in KNOWN_SERVER_ERRORS:
            report.append(f"{where}: {problem}")
        leaks = content_problems(world, role, url, data, forbidden)
        report += [f"{where}: leaked {what}" for what in leaks]
    return report


# --- what each visitor must get: access is granted, not only refused ------------------------


def student_expectations(world: World, name: str) -> list[tuple[str, int, tuple]]:
    me = world.students[name]
    other = next(student for key, student in world.students.items() if key != name)
    p, mine, pseudonyms = me.profile, me.submissions, (shown_name(me.user), shown_name(other.user))
    private_open = (p.private[OPEN], other.profile.private[OPEN])
    project, grades = (me.group.invite_code,), ("appears here when the instructors release",)
    if p.released:
        project += (me.group.feedback, str(p.mark))
        grades = (f"{me.grades.project_mark:.2f}",)
    expected = [
        (f"/submissions/{mine[SEALED].pk}/file/", 200, (f"{p.tag}-bytes-{SEALED}",)),
        (f"/api/submissions/{mine[EXTENDED].pk}/file/", 200, (f"{p.tag}-bytes-{EXTENDED}",)),
        (f"/api/submissions/{mine[SEALED].pk}/", 200, (mine[SEALED].description,)),
        (f"/api/submissions/{me.probe.pk}/", 200, (repr(p.public),)),
        (f"/challenges/{SEALED}/my-submissions/", 200, ("(kept)",)),
        (f"/challenges/{DRAFT}/", 404, ()),
        (f"/api/challenges/{DRAFT}/", 404, ()),
        (f"/api/submissions/{mine[OPEN].pk}/", 200, (repr(p.private[OPEN]),)),
        (f"/api/challenges/{OPEN}/submissions/", 200, (repr(p.private[OPEN]),)),
        (f"/challenges/{OPEN}/my-submissions/", 200, (shown(p.private[OPEN]),)),
        (
            f"/challenges/{OPEN}/leaderboard/?split=private",
            200,
            (*(shown(score) for score in private_open), *pseudonyms),
        ),
        (
            f"/api/challenges/{OPEN}/leaderboard/download/?split=private",
            200,
            tuple(repr(score) for score in private_open),
        ),
        (f"/challenges/{SEALED}/leaderboard/", 200, pseudonyms),
        (f"/projects/deliverables/{me.deliverable.pk}/file/", 200, (f"{p.tag}-pdf-bytes",)),
        ("/projects/", 200, project),
        ("/grades/mine/", 200, (f"{me.grades.marks[OPEN]:.3f}", *grades)),
        ("/deadlines/", 200, (me.calendar_token,)),
        (f"/deadlines/calendar/{me.calendar_token}.ics", 200, ("BEGIN:VCALENDAR",)),
        ("/api/me/", 200, (me.user.username,)),
        ("/grades/", 403, ()),
        ("/api/grades/", 403, ()),
        ("/projects/groups/", 403, ()),
        (f"/projects/groups/{other.group.pk}/", 404, ()),
        ("/admin/", 302, ()),
        (f"/projects/deliverables/{other.deliverable.pk}/file/", 404, ()),
    ]
    for slug in UNREVEALED:
        expected += [
            (url.format(slug), 403, ())
            for url in (
                "/challenges/{}/leaderboard/?split=private",
                "/api/challenges/{}/leaderboard/?split=private",
                "/api/challenges/{}/leaderboard/download/?split=private",
                "/challenges/{}/insights/",
                "/api/challenges/{}/insights/mine/",
            )
        ]
    expected.append((f"/challenges/{OPEN}/insights/", 200, (f"{p.private[OPEN]:.6g}",)))
    for submission in other.submissions.values():
        expected += [
            (url.format(submission.pk), 404, ())
            for url in (
                "/submissions/{}/file/",
                "/api/submissions/{}/",
                "/api/submissions/{}/file/",
            )
        ]
    return expected


def instructor_expectations(world: World) -> list[tuple[str, int, tuple]]:
    alice, bob = world.students["alice"], world.students["bob"]
    usernames = (alice.user.username, bob.user.username)
    sealed, extended = bob.submissions[SEALED], world.challenges[EXTENDED]
    return [
        (f"/submissions/{sealed.pk}/file/", 200, (f"Wx4m-bytes-{SEALED}",)),
        (f"/api/submissions/{sealed.pk}/", 200, (repr(sealed.private_score),)),
        (f"/api/submissions/{bob.probe.pk}/", 200, (repr(bob.profile.ladder),)),
        (f"/challenges/{DRAFT}/", 200, (DRAFT_TITLE,)),
        (f"/projects/deliverables/{bob.deliverable.pk}/file/", 200, ("Wx4m-pdf-bytes",)),
        (
            "/grades/",
            200,
            (*usernames, f"{bob.grades.project_mark:.2f}", f"{alice.grades.marks[SEALED]:.3f}"),
        ),
        ("/grades/export.csv", 200, usernames),
        ("/api/grades/", 200, usernames),
        ("/api/grades/?format=csv", 200, usernames),
        (
            f"/challenges/{SEALED}/leaderboard/?split=private",
            200,
            (shown(sealed.private_score), "Bartosz Wxyzniak"),
        ),
        (
            f"/api/challenges/{EXTENDED}/leaderboard/?split=private",
            200,
            tuple(repr(s.private_score) for s in extended.submissions.all()),
        ),
        (
            f"/challenges/{OPEN}/leaderboard/?split=private",
            200,
            (format_interval(*bob.profile.ci, "mse"),),
        ),
        ("/projects/groups/", 200, (alice.group.name, bob.group.name)),
        (f"/projects/groups/{bob.group.pk}/", 200, ("Wx4m feedback", bob.group.invite_code)),
        ("/admin/", 200, ()),
        ("/admin/challenges/submission/", 200, (repr(sealed.private_score),)),
        (f"/admin/challenges/challenge/{world.challenges[SEALED].pk}/change/", 200, ()),
        (f"/challenges/{SEALED}/rescore/progress/", 200, ()),
        (f"/challenges/{SEALED}/baseline/", 200, ()),
    ]


def expectations(world: World, role: str) -> list[tuple[str, int, tuple]]:
    if role == "instructor":
        return instructor_expectations(world)
    if role == "anonymous":
        file_url = f"/submissions/{world.students['alice'].submissions[SEALED].pk}/file/"
        return [
            ("/accounts/login/", 200, ()),
            ("/api/schema/", 200, ()),
            ("/api/docs/", 200, ()),
            ("/", 200, ()),  # the course's landing page
            ("/api/challenges/", 401, ()),
            (file_url, 302, ()),
        ]
    if role == "alice-token":
        return [e for e in student_expectations(world, "alice") if e[0].startswith("/api/")]
    if role == "retired-token":
        file_url = f"/api/submissions/{world.students['bob'].submissions[SEALED].pk}/file/"
        return [("/api/challenges/", 401, ()), ("/api/grades/", 401, ()), (file_url, 401, ())]
    return student_expectations(world, role)


# --- the test -------------------------------------------------------------------------------


def test_every_url_as_every_visitor(world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None},
    }
    report, sizes, urls, granted = [], {}, set(), {}
    for role in ROLES:
        seen = visit(world, role)
        sizes[role], urls = len(seen), urls | {url for _, url in seen}
        granted[role] = sum(1 for status, _, _ in seen.values() if status == 200)
        report += problems(world, role, seen) + access.unmet(role, seen, expectations(world, role))
    patterns = len(list(access.walk(get_resolver())))
    print(
        f"\naccess matrix: {patterns} URL patterns -> {len(urls)} concrete URLs; "
        f"{len(ROLES)} roles; requests {sizes}, {sum(sizes.values())} in all; 200s {granted}"
    )
    assert min(sizes[role] for role in ROLES if not role.endswith("-token")) > 500
    assert sum(sizes.values()) > 3000
    assert granted["instructor"] > 300 and min(granted["alice"], granted["bob"]) > 100
    assert not report, "\n".join(report[:80]) + f"\n({len(report)} problems)"


def test_no_student_changes_what_is_another_students(world, client):
    """The write side of the same doors: alice's requests on bob's objects find nothing."""
    bob = world.students["bob"]
    client.force_login(world.students["alice"].user)
    for submission in (*bob.submissions.values(), bob.probe):
        marked = client.post(f"/submissions/{submission.pk}/final/", {"final": "1"})
        assert marked.status_code == 404
        answer = client.patch(
            f"/api/submissions/{submission.pk}/",
            {"is_final": True},
            content_type="application/json",
        )
        assert answer.status_code == 404
    form = {"mark": "100", "feedback": "all yours", "released": "on"}
    assert client.post(f"/projects/groups/{bob.group.pk}/", form).status_code == 404
    assert not Submission.objects.filter(user=bob.user, is_final=True).exists()
    bob.group.refresh_from_db()
    assert (bob.group.mark, bob.group.feedback) == (Decimal("73.21"), "Wx4m feedback")


def test_options_on_the_api_docs_is_no_server_error(client, student):
    client.force_login(student)
    client.raise_request_exception = False
    assert client.options("/api/docs/").status_code == 405


def test_the_submission_add_page_is_no_server_error(client, instructor):
    client.force_login(instructor)
    client.raise_request_exception = False
    assert client.get("/admin/challenges/submission/add/").status_code == 403
