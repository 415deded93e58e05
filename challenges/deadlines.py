"""Deadlines: a participant's own deadline (extensions), lateness and the private reveal.

Times are stored in UTC and shown in the course's zone (settings.TIME_ZONE). A submission
is on time when it arrives strictly before the deadline: at the deadline second it is late.
"""

from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from challenges.models import Challenge, Extension


def effective_deadline(*, challenge: Challenge, user) -> datetime:
    extension = Extension.objects.filter(challenge=challenge, user=user).first()
    if extension is not None and extension.deadline > challenge.deadline:
        return extension.deadline
    return challenge.deadline


def is_late(*, challenge: Challenge, user, at: datetime) -> bool:
    return at >= effective_deadline(challenge=challenge, user=user)


def reveal_at(challenge: Challenge) -> datetime:
    """The private board opens when the last participant's deadline has passed, so that a
    student with an extension cannot read private scores while still submitting."""
    latest = challenge.extensions.aggregate(latest=Max("deadline"))["latest"]
    return max(challenge.deadline, latest) if latest else challenge.deadline


def is_revealed(challenge: Challenge, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= reveal_at(challenge)


def grant_extension(*, challenge: Challenge, user, deadline: datetime, granted_by, reason=""):
    extension, _ = Extension.objects.update_or_create(
        challenge=challenge,
        user=user,
        defaults={"deadline": deadline, "granted_by": granted_by, "reason": reason},
    )
    return extension
