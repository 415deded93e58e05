"""Deadlines: a participant's own deadline (extensions), lateness and the private reveal.

Times are stored in UTC and shown in the course's zone (settings.TIME_ZONE). A submission
is on time when it arrives strictly before the deadline: at the deadline second it is late.

Once private scores have been shown to students (first_reveal_at), nothing a student does
changes which of their submissions count: an extension made after that moment is refused in
the admin and by grant_extension (check_extension), and one that exists anyway neither
reopens final selection nor makes later uploads count (counting_deadline). An extension
ending at or before the challenge's deadline is refused the same way: it would change nothing.
"""

from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from challenges.models import Challenge, Extension
from vsegrader.refusals import Refused
from vsegrader.times import course_time


def later_of(deadline: datetime, extension: datetime | None) -> datetime:
    """A deadline as an extension moves it: later, never earlier."""
    return max(deadline, extension) if extension is not None else deadline


def effective_deadline(*, challenge: Challenge, user) -> datetime:
    extension = Extension.objects.filter(challenge=challenge, user=user).first()
    return later_of(challenge.deadline, extension.deadline if extension else None)


def is_late(*, challenge: Challenge, user, at: datetime) -> bool:
    return at >= counting_deadline(challenge=challenge, user=user)


def first_reveal_at(challenge: Challenge) -> datetime:
    """When the private board first opened to students (or will): reveal_at, except that an
    extension made while the board was already open cannot move it, because students had
    seen private scores by then. Extensions are replayed in the order they were made."""
    opens = challenge.deadline
    made = challenge.extensions.order_by("created_at", "pk").values_list("created_at", "deadline")
    for created_at, deadline in made:
        if created_at >= opens:  # the board was open: this and every later one come too late
            break
        opens = max(opens, deadline)
    return opens


def counting_deadline(*, challenge: Challenge, user) -> datetime:
    """Until when the participant's actions change what counts: their own deadline, never
    past the first reveal (an extension made after it does not reopen anything)."""
    return min(effective_deadline(challenge=challenge, user=user), first_reveal_at(challenge))


class ExtensionRefused(Refused):
    pass


def check_extension(*, challenge: Challenge, deadline: datetime, existing=None, now=None):
    """Raises ExtensionRefused when an extension to `deadline` may not be granted now: once
    private scores have been shown, a later deadline would let a student choose with them in
    view ("revealed"; moving an existing extension earlier, or editing its reason, stays
    allowed); and an extension only moves a deadline later (later_of), so one ending at or
    before the challenge's deadline would change nothing ("not_later")."""
    opened = first_reveal_at(challenge)
    moved_later = existing is None or deadline > existing.deadline
    if (now or timezone.now()) >= opened and moved_later:
        raise ExtensionRefused(revealed_message(opened), "revealed")
    if deadline <= challenge.deadline:
        raise ExtensionRefused(not_later_message(challenge), "not_later")


def revealed_message(opened: datetime) -> str:
    return (
        f"The private leaderboard of this challenge was revealed on {course_time(opened)}: "
        "students have seen private scores, so no extension can be granted or moved later now "
        "(it would reopen final selection with private scores in view). Grant extensions "
        "before the deadline."
    )


def not_later_message(challenge: Challenge) -> str:
    return (
        f"An extension must end after the challenge's deadline "
        f"({course_time(challenge.deadline)}): it only ever moves a student's deadline later."
    )


def reveal_at(challenge: Challenge) -> datetime:
    """The private board opens when the last participant's deadline has passed, so that a
    student with an extension cannot read private scores while still submitting."""
    latest = challenge.extensions.aggregate(latest=Max("deadline"))["latest"]
    return later_of(challenge.deadline, latest)


def is_revealed(challenge: Challenge, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= reveal_at(challenge)


def grant_extension(*, challenge: Challenge, user, deadline: datetime, granted_by, reason=""):
    """Grants (or moves) `user`'s extension; raises ExtensionRefused where the admin would
    refuse it (`check_extension`), so no path grants one the admin could not."""
    existing = Extension.objects.filter(challenge=challenge, user=user).first()
    check_extension(challenge=challenge, deadline=deadline, existing=existing)
    extension, _ = Extension.objects.update_or_create(
        challenge=challenge,
        user=user,
        defaults={"deadline": deadline, "granted_by": granted_by, "reason": reason},
    )
    return extension
