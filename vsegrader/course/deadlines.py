"""Every deadline of the course in one list, a countdown, and an iCalendar (RFC 5545) feed.

The feed is built with `icalendar` (escaping, line folding, CRLF). Times go out in UTC
(`DTSTART:20230315T160000Z`), which every calendar app shows in its user's own zone, so no
VTIMEZONE block is needed. A calendar app fetches the feed without a session, so its URL
carries a per-student secret (CalendarFeed.token) that the student can renew.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event, vDuration

from challenges import selectors
from challenges.rules.deadlines import effective_deadline
from vsegrader.course.models import CalendarFeed, ProjectSettings, new_feed_token

PRODID = "-//vsegrader//course deadlines//EN"
REFRESH_EVERY = timedelta(hours=6)  # how often calendar apps are asked to fetch the feed
ALARM_BEFORE = timedelta(hours=24)  # written -P1D: DTSTART is UTC, so a day is 24 h


@dataclass(frozen=True)
class Deadline:
    uid: str  # stable across fetches, so calendar apps update an event instead of adding one
    title: str
    what: str
    at: datetime
    path: str

    @property
    def utc(self) -> datetime:
        return self.at.astimezone(UTC)


def course_deadlines(*, user) -> list[Deadline]:
    """The challenges this user sees, project registration and deliverables, soonest first."""
    deadlines = [
        Deadline(
            uid=f"challenge-{c.slug}",
            title=f"{c.title}: challenge deadline",
            what="Last submission; the private leaderboard opens after it.",
            at=effective_deadline(challenge=c, user=user),
            path=reverse("challenge-detail", args=[c.slug]),
        )
        for c in selectors.challenge_list(user=user)
    ]
    config = ProjectSettings.load()
    project = reverse("project-mine")
    deadlines += [
        Deadline(
            uid="project-registration",
            title="Group project: registration closes",
            what="Groups lock: no creating, joining or leaving afterwards.",
            at=config.registration_deadline,
            path=project,
        ),
        Deadline(
            uid="project-deliverables",
            title="Group project: report and slides due",
            what="Report (PDF) and slides (PDF or PPTX); later uploads are marked late.",
            at=config.deadline,
            path=project,
        ),
    ]
    return sorted(deadlines, key=lambda d: (d.at, d.uid))


def countdown(at: datetime, now: datetime) -> str:
    """'in 3 days 4 h', 'in 2 h 05 min', 'in 40 s', or 'passed 2 days ago'."""
    left = at - now
    if left <= timedelta(0):
        return f"passed {span(now - at)} ago"
    return f"in {span(left)}"


def span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min"
    return f"{seconds} s"


# --- iCalendar ------------------------------------------------------------------------------


def feed_for(user) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def feed_renew(user) -> CalendarFeed:
    """A new secret: the old feed URL stops working at once."""
    feed = feed_for(user)
    feed.token = new_feed_token()
    feed.save(update_fields=["token", "created_at"])
    return feed


def feed_user(token: str):
    """The active user a feed token belongs to, or None."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    return feed.user if feed and feed.user.is_active else None


def vevent(deadline: Deadline, *, now: datetime, base_url: str, host: str) -> Event:
    local = timezone.localtime(deadline.at)
    description = (
        f"{deadline.what}\nDue {local:%d %B %Y, %H:%M} Prague time "
        f"({local.tzname()}), {deadline.utc:%Y-%m-%d %H:%M} UTC."
    )
    event = Event()
    event.add("uid", f"{deadline.uid}@{host}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", deadline.utc)
    event.add("summary", deadline.title)
    event.add("description", description)
    event.add("url", f"{base_url}{deadline.path}")
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", deadline.title)
    alarm.add("trigger", -ALARM_BEFORE)
    event.add_component(alarm)
    return event


def ics_calendar(deadlines: list[Deadline], *, now: datetime, base_url: str, host: str) -> str:
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Course deadlines")
    calendar.add("x-wr-timezone", "Europe/Prague")
    calendar.add("refresh-interval", REFRESH_EVERY, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_EVERY))
    for deadline in deadlines:
        calendar.add_component(vevent(deadline, now=now, base_url=base_url, host=host))
    return calendar.to_ical(sorted=False).decode("utf-8")
