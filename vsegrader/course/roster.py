"""The class roster: student accounts from a registrar's CSV export."""

import csv
import io
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from vsegrader.accounts.baseline import BASELINE_USERNAME
from vsegrader.permissions import is_instructor, not_instructor

ROSTER_COLUMNS = ("username", "email", "first_name", "last_name")


@dataclass
class RosterReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class RosterError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


def parse_roster(text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    if missing:
        raise RosterError([f"line 1: required column(s) missing: {', '.join(missing)}"])
    reader.fieldnames = header
    rows, errors, seen = [], [], {}
    for line, raw in enumerate(reader, start=2):
        row = {c: (raw.get(c) or "").strip() for c in ROSTER_COLUMNS}
        errors += row_errors(line, row, seen)
        rows.append(row)
    if errors:
        raise RosterError(errors)
    return rows


def row_errors(line: int, row: dict, seen: dict) -> list[str]:
    errors = []
    username = row["username"]
    if not username:
        errors.append(f"line {line}: username is empty")
    elif not all(ch.isalnum() or ch in "@.+-_" for ch in username) or len(username) > 150:
        errors.append(f"line {line}: username '{username}' may only hold letters, digits and @.+-_")
    elif username.lower() in seen:
        errors.append(f"line {line}: username '{username}' repeats line {seen[username.lower()]}")
    else:
        seen[username.lower()] = line
    try:
        validate_email(row["email"])
    except ValidationError:
        errors.append(f"line {line}: '{row['email']}' is not an e-mail address")
    return errors


@transaction.atomic
def roster_import(*, text: str) -> RosterReport:
    """Creates or updates one student per row; all rows or none."""
    report = RosterReport()
    User = get_user_model()
    for row in parse_roster(text):
        user = User.objects.filter(username__iexact=row["username"]).first()
        if user is None:
            user = User(username=row["username"], is_active=True)
            # A random password nobody knows: Django's reset flow skips unusable passwords,
            # and students choose theirs through it.
            user.set_password(secrets.token_urlsafe(32))
            bucket = report.created
        elif all(getattr(user, c) == row[c] for c in ROSTER_COLUMNS[1:]):
            report.unchanged.append(user.username)
            continue
        else:
            bucket = report.updated
        for column in ROSTER_COLUMNS[1:]:
            setattr(user, column, row[column])
        user.save()
        bucket.append(user.username)
    return report


def students():
    """The course's students: active accounts that are neither instructors nor the baseline."""
    return (
        get_user_model()
        .objects.filter(not_instructor(), is_active=True)
        .exclude(username=BASELINE_USERNAME)
        .order_by("last_name", "first_name", "username")
    )


def is_student(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and not is_instructor(user)
        and user.username != BASELINE_USERNAME
    )


def display_name(user) -> str:
    return user.get_full_name() or user.username
