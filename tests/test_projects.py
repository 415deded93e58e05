"""Group projects: groups of 2-3 under concurrency, the registration lock, deliverables."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.project_world import (
    PDF,
    pptx_bytes,
    run_in_threads,
    upload,
)
from vsegrader.course import projects
from vsegrader.course.models import (
    Deliverable,
    Membership,
    ProjectGroup,
)
from vsegrader.course.projects import ProjectError

# Fixtures: schedule, topic, group, report.
pytest_plugins = ("tests.project_world",)


# --- creating and joining -----------------------------------------------------------------


def test_a_student_creates_a_group_and_others_join_with_the_code(group, student, make_user):
    assert Membership.objects.get(user=student).group == group
    assert len(group.invite_code) == 8
    bob = make_user("bob")
    code = f" {group.invite_code[:4].lower()}-{group.invite_code[4:]} "  # as typed by hand
    assert projects.group_join(user=bob, code=code) == group
    assert projects.group_size_problem(group) == ""


def test_a_group_of_one_is_flagged_as_too_small(group):
    assert projects.group_size_problem(group) == "1 of at least 2 members"


def test_an_own_topic_needs_a_title(schedule, student):
    with pytest.raises(ProjectError, match="topic"):
        projects.group_create(user=student, name="No topic")
    group = projects.group_create(user=student, name="Own", own_topic="Bird songs")
    assert group.topic_title == "Bird songs"


def test_group_names_are_unique_whatever_the_case(group, other_student):
    with pytest.raises(ProjectError, match="exists already"):
        projects.group_create(user=other_student, name="deep  THINKERS", own_topic="x")


def test_a_fourth_member_is_refused(group, make_user):
    for name in ("bob", "cyril"):
        projects.group_join(user=make_user(name), code=group.invite_code)
    with pytest.raises(ProjectError, match="at most 3 members"):
        projects.group_join(user=make_user("dana"), code=group.invite_code)


def test_a_student_in_a_group_cannot_create_or_join_another(group, student, other_student):
    other = projects.group_create(user=other_student, name="Other", own_topic="GANs")
    with pytest.raises(ProjectError, match="already in the group 'Deep Thinkers'"):
        projects.group_join(user=student, code=other.invite_code)
    with pytest.raises(ProjectError, match="already in the group"):
        projects.group_create(user=student, name="Second", own_topic="x")


def test_instructors_and_the_baseline_take_no_part(schedule, instructor, make_user):
    for user in (instructor, make_user("baseline")):
        with pytest.raises(ProjectError, match="Only students"):
            projects.group_create(user=user, name="Staff", own_topic="x")


def test_a_wrong_code_is_explained(schedule, student):
    with pytest.raises(ProjectError, match="No group has this invitation code"):
        projects.group_join(user=student, code="NOPE1234")


def test_leaving_the_last_member_removes_an_empty_group(group, student):
    projects.group_leave(user=student)
    assert not ProjectGroup.objects.filter(pk=group.pk).exists()


# --- under concurrency: threads with their own connections ---------------------------------


@pytest.mark.django_db(transaction=True)
def test_parallel_joins_never_overfill_a_group(schedule, topic, make_user):
    founder = make_user("founder")
    group = projects.group_create(user=founder, name="Race", topic=topic)
    joiners = [make_user(f"joiner{i}") for i in range(5)]
    results = run_in_threads(
        [lambda u=u: projects.group_join(user=u, code=group.invite_code) for u in joiners]
    )
    assert sum(isinstance(r, ProjectGroup) for r in results) == 2, results
    assert results.count("group_full") == 3
    assert Membership.objects.filter(group=group).count() == 3


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_of_one_student_give_one_group(schedule, topic, make_user):
    racer = make_user("racer")
    groups = [
        projects.group_create(user=make_user(f"owner{i}"), name=f"G{i}", topic=topic)
        for i in range(3)
    ]
    calls = [lambda g=g: projects.group_join(user=racer, code=g.invite_code) for g in groups]
    calls += [
        lambda i=i: projects.group_create(user=racer, name=f"Mine{i}", topic=topic)
        for i in range(3)
    ]
    results = run_in_threads(calls)
    assert sum(isinstance(r, ProjectGroup) for r in results) == 1, results
    assert set(results) - {r for r in results if isinstance(r, ProjectGroup)} <= {
        "already_in_group",
        "conflict",
    }
    assert Membership.objects.filter(user=racer).count() == 1


# --- the registration lock ------------------------------------------------------------------


def test_groups_lock_at_the_registration_deadline(group, schedule, other_student):
    deadline = schedule.registration_deadline
    member = group.memberships.get().user
    for attempt in (
        lambda: projects.group_join(user=other_student, code=group.invite_code, now=deadline),
        lambda: projects.group_create(user=other_student, name="Late", own_topic="x", now=deadline),
        lambda: projects.group_leave(user=member, now=deadline + timedelta(days=1)),
    ):
        with pytest.raises(ProjectError, match="Group registration closed") as raised:
            attempt()
        assert raised.value.code == "registration_closed"
    just_before = deadline - timedelta(seconds=1)
    assert projects.group_join(user=other_student, code=group.invite_code, now=just_before)


# --- deliverables ---------------------------------------------------------------------------


def test_reports_must_be_pdf_by_content_not_by_name(group, student):
    with pytest.raises(ProjectError, match="must be a PDF"):
        projects.deliverable_upload(
            user=student, kind="report", file=upload(b"\x89PNG....", "report.pdf")
        )
    with pytest.raises(ProjectError, match="must be a PDF"):
        projects.deliverable_upload(
            user=student, kind="report", file=upload(pptx_bytes(), "report.pdf")
        )
    report = projects.deliverable_upload(user=student, kind="report", file=upload(PDF, "r.pdf"))
    assert (report.ext, report.is_late) == ("pdf", False)


def test_slides_are_pdf_or_pptx_and_a_renamed_docx_is_not_pptx(group, student):
    slides = projects.deliverable_upload(
        user=student, kind="slides", file=upload(pptx_bytes(), "talk.pptx")
    )
    assert slides.ext == "pptx"
    docx = pptx_bytes(marker="word/document.xml")
    with pytest.raises(ProjectError, match="PDF or PPTX"):
        projects.deliverable_upload(user=student, kind="slides", file=upload(docx, "talk.pptx"))


def test_files_are_stored_per_group_under_generated_names(group, student):
    report = projects.deliverable_upload(
        user=student, kind="report", file=upload(PDF, "../../etc/My Report\x00.pdf")
    )
    assert report.file.name.startswith(f"projects/group-{group.pk}/report-")
    assert "My Report" not in report.file.name
    assert report.file_name == "My Report.pdf"
    with report.file.open("rb") as handle:
        assert handle.read() == PDF


def test_late_uploads_are_kept_and_marked_late(group, student, schedule):
    deadline = schedule.deadline
    on_time = projects.deliverable_upload(
        user=student, kind="report", file=upload(PDF, "a.pdf"), now=deadline - timedelta(seconds=1)
    )
    at_deadline = projects.deliverable_upload(
        user=student, kind="report", file=upload(PDF, "b.pdf"), now=deadline
    )
    later = projects.deliverable_upload(
        user=student, kind="report", file=upload(PDF, "c.pdf"), now=deadline + timedelta(days=2)
    )
    assert [on_time.is_late, at_deadline.is_late, later.is_late] == [False, True, True]
    assert group.deliverables.count() == 3
    assert projects.latest_deliverables(group)["report"] == later


def test_a_student_without_a_group_cannot_upload(schedule, student):
    with pytest.raises(ProjectError, match="Join or create a group"):
        projects.deliverable_upload(user=student, kind="report", file=upload(PDF, "a.pdf"))


def test_members_and_instructors_download_a_deliverable(client, report, student, instructor):
    url = reverse("project-deliverable-file", args=[report.pk])
    for user in (student, instructor):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"


def test_anyone_else_gets_a_404_for_a_deliverable(client, report, other_student):
    url = reverse("project-deliverable-file", args=[report.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(other_student)
    assert client.get(url).status_code == 404
    other = projects.group_create(user=other_student, name="Other", own_topic="x")
    assert other.pk != report.group_id
    assert client.get(url).status_code == 404
    page = client.get(reverse("project-mine"))
    assert b"r.pdf" not in page.content and b"Deep Thinkers" not in page.content


def test_a_member_page_shows_the_code_members_and_uploads(client, report, student):
    client.force_login(student)
    page = client.get(reverse("project-mine")).content.decode()
    assert report.group.invite_code in page
    assert "r.pdf" in page and "alice" in page


def test_the_upload_form_on_the_page_stores_a_deliverable(client, group, student):
    client.force_login(student)
    response = client.post(
        reverse("project-upload"), {"kind": "slides", "file": upload(pptx_bytes(), "talk.pptx")}
    )
    assert response.status_code == 302
    assert Deliverable.objects.get(group=group).ext == "pptx"


def test_the_create_and_join_forms_on_the_page(client, schedule, topic, student, other_student):
    client.force_login(student)
    response = client.post(
        reverse("project-create"), {"name": "Pagers", "topic": topic.pk, "description": "plan"}
    )
    assert response.status_code == 302
    group = ProjectGroup.objects.get(name="Pagers")
    client.force_login(other_student)
    response = client.post(reverse("project-join"), {"code": group.invite_code})
    assert response.status_code == 302
    assert group.memberships.count() == 2
