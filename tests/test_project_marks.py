"""Group-project marks: history kept with who and when, member adjustments, the marking page,
the groups list and the admin."""

from decimal import Decimal

import pytest
from django.urls import reverse

from vsegrader.course import marks
from vsegrader.course.models import (
    MarkChange,
    Membership,
    ProjectGroup,
    ProjectSettings,
)
from vsegrader.course.projects import ProjectError

# Fixtures: schedule, topic, group, report.
pytest_plugins = ("tests.project_world",)


# --- marks ----------------------------------------------------------------------------------


def test_every_mark_change_is_kept_with_who_and_when(group, instructor, make_user):
    marks.mark_set(group=group, by=instructor, mark=Decimal("80"), feedback="Good.", released=False)
    marks.mark_set(
        group=group, by=instructor, mark=Decimal("85.5"), feedback="Better.", released=True
    )
    history = list(MarkChange.objects.filter(group=group).order_by("id"))
    assert [(c.field, c.old_value, c.new_value) for c in history] == [
        ("mark", "", "80"),
        ("mark", "80", "85.5"),
        ("released", "no", "yes"),
    ]
    assert all(c.changed_by == instructor and c.changed_at for c in history)


def test_a_member_adjustment_is_recorded_per_member(group, instructor, student):
    membership = Membership.objects.get(user=student)
    change = marks.adjustment_set(membership=membership, by=instructor, adjustment=Decimal("-10"))
    assert (change.member, change.old_value, change.new_value) == (student, "0", "-10")
    assert (
        marks.adjustment_set(membership=membership, by=instructor, adjustment=Decimal("-10"))
        is None
    )  # unchanged: no entry


def test_students_cannot_mark(group, student):
    with pytest.raises(ProjectError, match="Only instructors"):
        marks.mark_set(group=group, by=student, mark=Decimal("100"), feedback="", released=True)


def test_the_marking_page_saves_mark_adjustments_and_history(client, group, instructor, student):
    client.force_login(instructor)
    membership = Membership.objects.get(user=student)
    url = reverse("project-group", args=[group.pk])
    response = client.post(
        url,
        {
            "mark": "72.5",
            "feedback": "Clear report.",
            "released": "on",
            f"adjust-{membership.pk}": "5",
        },
    )
    assert response.status_code == 302
    group.refresh_from_db()
    membership.refresh_from_db()
    assert (group.mark, group.mark_released, membership.adjustment) == (
        Decimal("72.5"),
        True,
        Decimal("5"),
    )
    page = client.get(url).content.decode()
    assert "72.5" in page and "ivana" in page


def test_a_student_cannot_open_the_marking_page(client, group, student):
    client.force_login(student)
    assert client.get(reverse("project-group", args=[group.pk])).status_code == 404
    assert client.get(reverse("project-groups")).status_code == 403


def test_instructors_see_every_group_with_its_size_problem(client, group, instructor, report):
    client.force_login(instructor)
    page = client.get(reverse("project-groups")).content.decode()
    assert "Deep Thinkers" in page and "1 of at least 2 members" in page
    detail = client.get(reverse("project-group", args=[group.pk])).content.decode()
    assert "r.pdf" in detail and group.invite_code in detail
    assert client.get(reverse("project-mine")).status_code == 200


def test_the_admin_lists_groups_and_opens_the_single_settings_row(
    client, group, instructor, report
):
    client.force_login(instructor)
    admin_page = client.get(reverse("admin:course_projectgroup_change", args=[group.pk]))
    assert admin_page.status_code == 200 and b"r.pdf" in admin_page.content
    changelist = client.get(reverse("admin:course_projectsettings_changelist"))
    assert changelist.status_code == 302
    assert client.get(changelist["Location"]).status_code == 200
    assert ProjectSettings.objects.count() == 1


def test_the_admin_release_action_keeps_history(client, group, instructor):
    ProjectGroup.objects.filter(pk=group.pk).update(mark=Decimal("90"))
    client.force_login(instructor)
    client.post(
        reverse("admin:course_projectgroup_changelist"),
        {"action": "release_marks", "_selected_action": [group.pk]},
    )
    group.refresh_from_db()
    assert group.mark_released
    assert MarkChange.objects.filter(group=group, field="released", new_value="yes").exists()
