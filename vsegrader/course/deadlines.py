"""Every deadline of the course in one list, a countdown, and an iCalendar (RFC 5545) feed.

The feed is written by hand: a handful of VEVENTs needs no library. Times go out in UTC
(`DTSTART:20230315T160000Z`), which every calendar app shows in its user's own zone, so no
VTIMEZONE block is needed. A calendar app fetches the feed without a session, so its URL
carries a per-student secret (CalendarFeed.token) that the student can renew.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from challenges import selectors
from vsegrader.course.models import CalendarFeed, ProjectSettings, new_feed_token

PRODID = "-//vsegrader//course deadlines//EN"
FOLD_AT = 75  # octets per line, CRLF excluded (RFC 5545 §3.1)


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
        Deadline(uid=f"challenge-{c.slug}", title=f"{c.title}: challenge deadline",
                 what="Last submission; the private leaderboard opens after it.",
                 at=selectors.effective_deadline(challenge=c, user=user),
                 path=reverse("challenge-detail", args=[c.slug]))
        for c in selectors.challenge_list(user=user)
    ]
    config = ProjectSettings.load()
    project = reverse("project-mine")
    deadlines += [
        Deadline(uid="project-registration", title="Group project: registration closes",
                 what="Groups lock: no creating, joining or leaving afterwards.",
                 at=config.registration_deadline, path=project),
        Deadline(uid="project-deliverables", title="Group project: report and slides due",
                 what="Report (PDF) and slides (PDF or PPTX); later uploads are marked late.",
                 at=config.deadline, path=project),
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


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Splits a content line into lines of at most 75 octets, never inside a UTF-8 character;
    each continuation starts with one space."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = FOLD_AT if not parts else FOLD_AT - 1  # the leading space counts
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def vevent(deadline: Deadline, *, now: datetime, base_url: str, host: str) -> list[str]:
    local = timezone.localtime(deadline.at)
    description = (f"{deadline.what}\nDue {local:%d %B %Y, %H:%M} Prague time "
                   f"({local.tzname()}), {deadline.utc:%Y-%m-%d %H:%M} UTC.")
    return [
        "BEGIN:VEVENT",
        f"UID:{deadline.uid}@{host}",
        f"DTSTAMP:{stamp(now)}",
        f"DTSTART:{stamp(deadline.at)}",
        f"SUMMARY:{escape(deadline.title)}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{base_url}{deadline.path}",
        "TRANSP:TRANSPARENT",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{escape(deadline.title)}",
        "TRIGGER:-PT24H",
        "END:VALARM",
        "END:VEVENT",
    ]


def ics_calendar(deadlines: list[Deadline], *, now: datetime, base_url: str, host: str) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Course deadlines",
        "X-WR-TIMEZONE:Europe/Prague",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
    ]
    for deadline in deadlines:
        lines += vevent(deadline, now=now, base_url=base_url, host=host)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
