"""The demo course: five generated challenges that are open now, and accounts to try them."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from challenges.bundles.importing import ImportReport, challenge_import
from challenges.bundles.reader import read_bundle
from demo.bundles import build_demo_bundles
from vsegrader.accounts.baseline import baseline_account
from vsegrader.course.models import (
    DEFAULT_PROJECT_DEADLINE,
    GradeScheme,
    ProjectSettings,
    ProjectTopic,
)
from vsegrader.permissions import make_instructor

DEMO_DAYS_OPEN = 28
DEMO_REGISTRATION_DAYS = 14  # groups lock two weeks after day one, at 23:59
DEMO_PROJECT_DAYS = DEMO_DAYS_OPEN + 18  # as in 2023: challenges 15 March, project 2 April

# The course's project ideas, by family (docs/ARCHITECTURE.md, section 1); groups may also
# bring their own topic.
PROJECT_IDEAS: tuple[tuple[str, str, str], ...] = (
    (
        "Mathy",
        "Distilling a deep network into a shallow one",
        "How small can a student network get before it stops matching its teacher?",
    ),
    (
        "Mathy",
        "Sensitivity of neurons to weight perturbation: wide vs deep",
        "Perturb the weights and measure which neurons matter, in wide and in deep networks.",
    ),
    ("CNN", "Handwritten character classification", ""),
    ("CNN", "Siamese network: the distance between two handwritings", ""),
    ("CNN", "Organ segmentation on the Medical Segmentation Decathlon", ""),
    ("CNN", "Realistic vs unrealistic generated faces", ""),
    ("RNN", "Identifying the spoken language from audio", ""),
    ("RNN", "The area of mathematics of a LaTeX formula", ""),
    ("GAN", "Conditional GANs for Pokémon evolution frames", ""),
    ("GAN", "Mixing faces: the average face", ""),
    ("GAN", "The younger mixed face of two people", ""),
    ("NLP", "Autocomplete from the conversation history", ""),
    ("NLP", "Automatic texting: a Turing test", ""),
    ("NLP", "Generating an image for a group conversation", ""),
)


# The course description's four parts of the challenge grade: "Fitting functions (1D-1D &
# 5D-5D)" (the better of the pair counts, as the 2024 notebook took the best of paired
# challenges), binary face classification, multi-class classification, transfer learning.
DEMO_BEST_OF = [["fitting-1d", "fitting-5d"]]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    is_instructor: bool
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
    reports = [challenge_import(bundle=read_bundle(path), deadline=deadline) for path in paths]
    for report in reports:
        if report.created:  # the course asks for the code behind final submissions
            report.challenge.accepts_code = True
            report.challenge.save(update_fields=["accepts_code"])
    return reports


@transaction.atomic
def demo_accounts() -> list[DemoAccount]:
    User = get_user_model()
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=account.username)
        user.first_name, user.last_name = account.first_name, account.last_name
        user.email = f"{account.username}@example.com"
        make_instructor(user, account.is_instructor)
        user.is_superuser = account.is_instructor
        if not user.check_password(account.password):
            # Only when it differs: a new hash is a password change, which revokes the
            # account's API tokens (vsegrader/accounts/passwords.py), and `dev.py serve`
            # loads the demo on every start.
            user.set_password(account.password)
        user.save()
    baseline_account()
    return list(DEMO_ACCOUNTS)


def demo_project_dates() -> tuple[datetime, datetime]:
    """Registration and deliverables deadlines at 23:59 Prague time, relative to today."""
    today = timezone.localdate()
    return tuple(
        timezone.make_aware(datetime.combine(today + timedelta(days=days), time(23, 59)))
        for days in (DEMO_REGISTRATION_DAYS, DEMO_PROJECT_DAYS)
    )


@transaction.atomic
def demo_course() -> None:
    """Project ideas, the course's grade scheme and project dates the demo can use now.
    The scheme: 30 % challenges in four equal parts (fitting-1d / fitting-5d, best of the
    pair; glasses; mics-mnist; sword-video), 70 % project, 1/2/3/4 at 90/75/60 points, ties
    ranked as on Kaggle. Dates and best-of groups an instructor has changed are kept when
    the demo is loaded again."""
    for order, (family, title, description) in enumerate(PROJECT_IDEAS):
        ProjectTopic.objects.get_or_create(
            family=family, title=title, defaults={"description": description, "order": order}
        )
    scheme = GradeScheme.load()
    if not scheme.best_of:
        scheme.best_of = DEMO_BEST_OF
        scheme.save()
    config = ProjectSettings.load()
    if config.deadline == DEFAULT_PROJECT_DEADLINE:
        config.registration_deadline, config.deadline = demo_project_dates()
        config.save()
