"""The demo course: five generated challenges that are open now, and accounts to try them."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from challenges.bundles.demo import build_demo_bundles
from challenges.bundles.reader import read_bundle
from challenges.importing import ImportReport, challenge_import

DEMO_DAYS_OPEN = 28
BASELINE_USERNAME = "baseline"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    is_staff: bool
    first_name: str
    last_name: str


DEMO_ACCOUNTS = (
    DemoAccount("instructor", "instructor-demo", True, "Ivana", "Instructor"),
    DemoAccount("student1", "student-demo", False, "Adam", "Novák"),
    DemoAccount("student2", "student-demo", False, "Bára", "Svobodová"),
    DemoAccount("student3", "student-demo", False, "Cyril", "Dvořák"),
)


def demo_bundle_dir() -> Path:
    return Path(settings.VAR_DIR) / "bundles"


def demo_deadline() -> datetime:
    """17:00 Prague time (the course's usual hour), four weeks after today."""
    day = timezone.localdate() + timedelta(days=DEMO_DAYS_OPEN)
    return timezone.make_aware(datetime.combine(day, time(17, 0)))


def demo_load(*, seed: int = 2023, scale: float = 1.0) -> list[ImportReport]:
    """Builds (or reuses) the demo bundles and imports them, closing 4 weeks after day one."""
    deadline = demo_deadline()
    paths = build_demo_bundles(demo_bundle_dir(), seed=seed, scale=scale)
    return [challenge_import(bundle=read_bundle(path), deadline=deadline) for path in paths]


@transaction.atomic
def demo_accounts() -> list[DemoAccount]:
    User = get_user_model()
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=account.username)
        user.first_name, user.last_name = account.first_name, account.last_name
        user.email = f"{account.username}@example.com"
        user.is_staff = user.is_superuser = account.is_staff
        user.set_password(account.password)
        user.save()
    baseline_account()
    return list(DEMO_ACCOUNTS)


def baseline_account():
    """The participant that baseline models submit as; it cannot log in."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=BASELINE_USERNAME, defaults={"first_name": "Baseline", "email": ""}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user
