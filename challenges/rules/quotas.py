"""Submission limits: a daily limit that resets at midnight in the course's zone, an
optional total limit, a daily cap on failed submissions, and one upload rate per student.
Baselines and instructors are exempt.

A failed submission frees its daily slot but counts against the failed cap; one still being
checked counts against both, so a student's uploads a day never exceed daily + failed cap.
The rate (SUBMISSION_UPLOAD_RATE, by default the API's per-user rate) counts a student's
stored uploads on every challenge, whether they came through the page or the API.

The checks run inside the transaction that inserts the submission, after locking the
participant's row, so parallel uploads by one student are serialized and never exceed them.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from challenges.models import Challenge, Submission
from vsegrader.permissions import is_instructor
from vsegrader.refusals import Refused

IN_FLIGHT = (Submission.Status.QUEUED, Submission.Status.SCORING)
RATE_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Quota:
    daily_limit: int
    used_today: int
    total_limit: int | None
    used_total: int
    resets_at: datetime
    failed_daily_limit: int = 0
    failed_today: int = 0
    checking_today: int = 0  # uploaded today and not scored yet: may still fail

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

    @property
    def failed_remaining_today(self) -> int:
        return max(self.failed_daily_limit - self.failed_today - self.checking_today, 0)


@dataclass(frozen=True)
class UploadRate:
    uploads: int
    seconds: int

    def __str__(self) -> str:
        unit = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}.get(self.seconds)
        return f"{self.uploads} uploads per {unit or f'{self.seconds} s'}"


class QuotaExceeded(Refused):
    """A participant has used up their daily, total or failed submissions."""


class UploadRateExceeded(Refused):
    """A participant uploads faster than the site's rate; `retry_after` is in seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, "upload_rate_exceeded")
        self.retry_after = retry_after


def day_start(now: datetime) -> datetime:
    """Midnight that began the course-zone day of `now` (DST-safe: built from the date)."""
    local = timezone.localtime(now)
    return datetime.combine(local.date(), time.min, tzinfo=local.tzinfo)


def next_day_start(now: datetime) -> datetime:
    local_date = timezone.localtime(now).date() + timedelta(days=1)
    return datetime.combine(local_date, time.min, tzinfo=timezone.get_current_timezone())


def is_exempt(user) -> bool:
    return is_instructor(user)


def failed_cap(challenge: Challenge) -> int:
    """Failed submissions a day: the challenge's cap, never fewer than its daily limit (a
    challenge that allows N uploads a day lets a student spend them on broken files)."""
    return max(challenge.failed_daily_limit, challenge.daily_limit)


def quota_for(*, challenge: Challenge, user, now: datetime | None = None) -> Quota:
    now = now or timezone.now()
    mine = Submission.objects.filter(challenge=challenge, user=user, is_baseline=False)
    return quota_from(challenge, mine.aggregate(**usage_counts(now)), now)


def usage_counts(now: datetime) -> dict[str, Count]:
    """What a Quota counts, as aggregates over a participant's own (not baseline)
    submissions: one query for one challenge (`quota_for`) or, grouped by challenge, for
    every card of the list page (`boards/status.py`)."""
    failed = Q(status=Submission.Status.FAILED)
    today = Q(created_at__gte=day_start(now))
    return {
        "used_today": Count("pk", filter=today & ~failed),
        "failed_today": Count("pk", filter=today & failed),
        "checking_today": Count("pk", filter=today & Q(status__in=IN_FLIGHT)),
        "used_total": Count("pk", filter=~failed),
    }


def quota_from(challenge: Challenge, counts: Mapping[str, int], now: datetime) -> Quota:
    """The Quota of `usage_counts` (a missing count is 0: no submission yet)."""
    return Quota(
        daily_limit=challenge.daily_limit,
        used_today=counts.get("used_today") or 0,
        total_limit=challenge.total_limit or None,
        used_total=counts.get("used_total") or 0,
        resets_at=next_day_start(now),
        failed_daily_limit=failed_cap(challenge),
        failed_today=counts.get("failed_today") or 0,
        checking_today=counts.get("checking_today") or 0,
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
    if quota.failed_remaining_today == 0:
        raise QuotaExceeded(failed_limit_message(quota, now), "failed_daily_limit_reached")


def until_reset(quota: Quota, now: datetime) -> str:
    resets = timezone.localtime(quota.resets_at)
    hours, minutes = divmod(int((quota.resets_at - now).total_seconds()) // 60, 60)
    return (
        f"The count resets at midnight Prague time ({resets:%Y-%m-%d %H:%M} {resets.tzname()}), "
        f"in {hours} h {minutes:02d} min."
    )


def daily_limit_message(quota: Quota, now: datetime) -> str:
    return f"You have used all {quota.daily_limit} submissions for today. {until_reset(quota, now)}"


def failed_limit_message(quota: Quota, now: datetime) -> str:
    return (
        f"{quota.failed_today + quota.checking_today} of your submissions today failed "
        f"validation or are still being checked, the most allowed a day is "
        f"{quota.failed_daily_limit}. Check your file's format locally (e.g. `vsegrader "
        f"competitions submit` checks it before uploading). {until_reset(quota, now)}"
    )


# --- the upload rate --------------------------------------------------------------------


def parse_rate(text: str | None) -> UploadRate | None:
    """'10/min' → 10 uploads per 60 s, as DRF writes rates; empty or None: no limit."""
    if not text:
        return None
    count, _, period = text.partition("/")
    seconds = RATE_PERIODS.get(period.strip()[:1].lower())
    if seconds is None or not count.strip().isdigit():
        raise ValueError(f"an upload rate looks like '10/min', not {text!r}")
    return UploadRate(uploads=int(count), seconds=seconds)


def upload_rate() -> UploadRate | None:
    """SUBMISSION_UPLOAD_RATE, else the API's per-user throttle rate: the page form and the
    API then share the API's rate instead of the page having none."""
    if hasattr(settings, "SUBMISSION_UPLOAD_RATE"):
        return parse_rate(settings.SUBMISSION_UPLOAD_RATE)
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES") or {}
    return parse_rate(rates.get("user"))


def enforce_upload_rate(*, user, now: datetime) -> None:
    """Counts the student's stored uploads (every challenge, page and API alike) in the
    rate's window; call it with the participant locked."""
    rate = upload_rate()
    if rate is None:
        return
    window = Submission.objects.filter(
        user=user, is_baseline=False, created_at__gt=now - timedelta(seconds=rate.seconds)
    )
    times = list(
        window.order_by("-created_at").values_list("created_at", flat=True)[: rate.uploads]
    )
    if len(times) < rate.uploads:
        return
    wait = times[-1] + timedelta(seconds=rate.seconds) - now
    retry_after = max(1, math.ceil(wait.total_seconds()))
    raise UploadRateExceeded(
        f"You are uploading too fast: at most {rate}, through the page and the API together."
        f" Try again in {retry_after} s.",
        retry_after,
    )
