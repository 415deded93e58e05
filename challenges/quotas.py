"""Submission limits: a daily limit that resets at midnight in the course's zone, and an
optional total limit. Failed submissions do not count; baselines and instructors are exempt.

The check runs inside the transaction that inserts the submission, after locking the
participant's row, so parallel uploads by one student are serialized and never exceed it.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from challenges.models import Challenge, Submission
from vsegrader.refusals import Refused


@dataclass(frozen=True)
class Quota:
    daily_limit: int
    used_today: int
    total_limit: int | None
    used_total: int
    resets_at: datetime

    @property
    def remaining_today(self) -> int:
        return max(self.daily_limit - self.used_today, 0)

    @property
    def remaining_total(self) -> int | None:
        return None if self.total_limit is None else max(self.total_limit - self.used_total, 0)

    @property
    def remaining(self) -> int:
        total = self.remaining_total
        return self.remaining_today if total is None else min(self.remaining_today, total)


class QuotaExceeded(Refused):
    """A participant has used up their daily or total submissions."""


def day_start(now: datetime) -> datetime:
    """Midnight that began the course-zone day of `now` (DST-safe: built from the date)."""
    local = timezone.localtime(now)
    return datetime.combine(local.date(), time.min, tzinfo=local.tzinfo)


def next_day_start(now: datetime) -> datetime:
    local_date = timezone.localtime(now).date() + timedelta(days=1)
    return datetime.combine(local_date, time.min, tzinfo=timezone.get_current_timezone())


def is_exempt(user) -> bool:
    return bool(user.is_staff)


def quota_for(*, challenge: Challenge, user, now: datetime | None = None) -> Quota:
    now = now or timezone.now()
    counted = Submission.objects.filter(
        challenge=challenge, user=user, is_baseline=False
    ).exclude(status=Submission.Status.FAILED)
    used_total = counted.count() if challenge.total_limit else 0
    return Quota(
        daily_limit=challenge.daily_limit,
        used_today=counted.filter(created_at__gte=day_start(now)).count(),
        total_limit=challenge.total_limit or None,
        used_total=used_total,
        resets_at=next_day_start(now),
    )


def lock_participant(user) -> None:
    """Serializes one participant's writes (uploads, final selection, scoring) on
    PostgreSQL; on SQLite the IMMEDIATE transaction already holds the write lock.
    Takes a user or a user id. Always lock the participant before their submissions."""
    user_id = getattr(user, "pk", user)
    get_user_model().objects.select_for_update().filter(pk=user_id).first()


def enforce_quota(*, challenge: Challenge, user, now: datetime) -> None:
    quota = quota_for(challenge=challenge, user=user, now=now)
    if quota.total_limit is not None and quota.remaining_total == 0:
        raise QuotaExceeded(
            f"You have used all {quota.total_limit} submissions allowed on this challenge.",
            "total_limit_reached",
        )
    if quota.remaining_today == 0:
        raise QuotaExceeded(daily_limit_message(quota, now), "daily_limit_reached")


def daily_limit_message(quota: Quota, now: datetime) -> str:
    resets = timezone.localtime(quota.resets_at)
    wait = quota.resets_at - now
    hours, minutes = divmod(int(wait.total_seconds()) // 60, 60)
    return (
        f"You have used all {quota.daily_limit} submissions for today. The count resets at "
        f"midnight Prague time ({resets:%Y-%m-%d %H:%M} {resets.tzname()}), "
        f"in {hours} h {minutes:02d} min."
    )
