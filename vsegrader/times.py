"""The site's one way of writing a moment: in the course's zone, the zone named
("6 Dec 2026, 17:00 CET"), or in UTC for students abroad. Pages (the `when` and `utc_when`
template filters), the admin and services' messages all write dates with these."""

from datetime import UTC, datetime

from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime

DATE_FORMAT = "j M Y, H:i T"


def course_time(value: datetime | None) -> str:
    """'6 Dec 2026, 17:00 CET' ('' for None)."""
    return "" if value is None else date_format(localtime(value), DATE_FORMAT)


def utc_time(value: datetime | None) -> str:
    """The same moment in UTC: '15 Mar 2030, 16:00 UTC' ('' for None)."""
    if value is None:
        return ""
    return date_format(value.astimezone(UTC), DATE_FORMAT.replace("T", "")) + "UTC"
