"""Project marks: a group's mark, feedback and release, each member's adjustment, and the
history of every change (who changed what, from what to what)."""

from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet

from vsegrader.course.models import MarkChange, Membership, ProjectGroup
from vsegrader.course.projects import ProjectError
from vsegrader.permissions import is_instructor


def shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return format(Decimal(value).normalize(), "f")


def record(group, field: str, old, new, by, member=None) -> MarkChange | None:
    if shown(old) == shown(new):
        return None
    return MarkChange.objects.create(
        group=group,
        member=member,
        field=field,
        old_value=shown(old),
        new_value=shown(new),
        changed_by=by,
    )


def refuse_unless_instructor(user) -> None:
    """The service's refusal (a `ProjectError`); views use `vsegrader.permissions`."""
    if not is_instructor(user):
        raise ProjectError("Only instructors mark projects.", "not_an_instructor")


def mark_set(
    *, group: ProjectGroup, by, mark: Decimal | None, feedback: str, released: bool
) -> list[MarkChange]:
    """Sets the group's mark (percent), feedback and release; records each changed value."""
    refuse_unless_instructor(by)
    if mark is not None and not 0 <= mark <= 100:
        raise ProjectError("The project mark is a percentage from 0 to 100.", "bad_mark")
    with transaction.atomic():
        locked = ProjectGroup.objects.select_for_update().get(pk=group.pk)
        changes = [
            record(locked, "mark", locked.mark, mark, by),
            record(locked, "released", locked.mark_released, released, by),
        ]
        locked.mark, locked.feedback, locked.mark_released = mark, feedback.strip(), released
        locked.save(update_fields=["mark", "feedback", "mark_released"])
    return [change for change in changes if change]


def adjustment_set(*, membership: Membership, by, adjustment: Decimal) -> MarkChange | None:
    """Moves one member's project mark by `adjustment` percentage points (-100..100)."""
    refuse_unless_instructor(by)
    if not -100 <= adjustment <= 100:
        raise ProjectError("An adjustment lies between -100 and 100 points.", "bad_adjustment")
    with transaction.atomic():
        locked = (
            Membership.objects.select_for_update().select_related("group").get(pk=membership.pk)
        )
        change = record(
            locked.group, "adjustment", locked.adjustment, adjustment, by, member=locked.user
        )
        locked.adjustment = adjustment
        locked.save(update_fields=["adjustment"])
    return change


def mark_history(group: ProjectGroup) -> QuerySet[MarkChange]:
    return group.mark_changes.select_related("member", "changed_by")
