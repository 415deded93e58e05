"""Group projects: creating and joining groups, and their deliverables (marks: marks.py).

Every write that checks a limit (group size, one group per student, the registration lock)
runs in one transaction after locking the rows it depends on (the group, the student), so
parallel requests are serialized: on PostgreSQL by SELECT ... FOR UPDATE, on SQLite by the
IMMEDIATE transactions the settings configure, which take the database's write lock at BEGIN.
The unique student column of Membership backs "one group per student" in the database too.
"""

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from vsegrader.course import pptx
from vsegrader.course.models import (
    Deliverable,
    Membership,
    ProjectGroup,
    ProjectSettings,
    ProjectTopic,
)
from vsegrader.course.roster import is_student
from vsegrader.permissions import visible_to
from vsegrader.refusals import Refused

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ACCEPTED = {Deliverable.Kind.REPORT: ("pdf",), Deliverable.Kind.SLIDES: ("pdf", "pptx")}


class ProjectError(Refused):
    """A refused request; `message` tells the student what to do."""


def local(moment: datetime) -> str:
    shown = timezone.localtime(moment)
    return f"{shown:%d %B %Y, %H:%M} Prague time ({shown.tzname()})"


# --- reads --------------------------------------------------------------------------------


def project_settings() -> ProjectSettings:
    return ProjectSettings.load()


def registration_open(now: datetime | None = None) -> bool:
    return (now or timezone.now()) < project_settings().registration_deadline


def group_of(user) -> ProjectGroup | None:
    if not user.is_authenticated:
        return None
    membership = Membership.objects.select_related("group__topic").filter(user=user).first()
    return membership.group if membership else None


def topics_by_family() -> dict[str, list[ProjectTopic]]:
    families: dict[str, list[ProjectTopic]] = {}
    for topic in ProjectTopic.objects.all():
        families.setdefault(topic.family, []).append(topic)
    return families


def members(group: ProjectGroup) -> QuerySet[Membership]:
    return group.memberships.select_related("user")


def groups_overview() -> QuerySet[ProjectGroup]:
    """Every group for the instructors' list, with members and upload counts."""
    return (
        ProjectGroup.objects.select_related("topic")
        .annotate(
            member_count=Count("memberships", distinct=True),
            upload_count=Count("deliverables", distinct=True),
        )
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("user"))
        )
    )


def latest_deliverables(group: ProjectGroup) -> dict[str, Deliverable]:
    latest: dict[str, Deliverable] = {}
    for deliverable in group.deliverables.all():  # newest first
        latest.setdefault(deliverable.kind, deliverable)
    return latest


def deliverable_get(*, deliverable_id: int, user) -> Deliverable:
    """A file its group's members and instructors may download; anyone else gets a 404."""
    deliverables = Deliverable.objects.select_related("group")
    deliverables = visible_to(user, deliverables, "group__memberships__user")
    deliverable = deliverables.filter(pk=deliverable_id).first()
    if deliverable is None:
        raise Http404("No such file.")
    return deliverable


# --- groups -------------------------------------------------------------------------------


def require_student(user) -> None:
    if not is_student(user):
        raise ProjectError("Only students take part in group projects.", "not_a_student")


def require_registration_open(config: ProjectSettings, now: datetime) -> None:
    if now >= config.registration_deadline:
        raise ProjectError(
            f"Group registration closed on {local(config.registration_deadline)}; "
            "ask an instructor to change a group.",
            "registration_closed",
        )


def lock_student(user) -> None:
    """Serializes one student's group changes on PostgreSQL (SQLite: the IMMEDIATE lock)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def require_no_group(user) -> None:
    current = Membership.objects.select_related("group").filter(user=user).first()
    if current is not None:
        raise ProjectError(
            f"You are already in the group '{current.group.name}'; leave it first.",
            "already_in_group",
        )


def clean_name(name: str) -> str:
    text = " ".join("".join(ch for ch in name if unicodedata.category(ch)[0] != "C").split())
    if not text:
        raise ProjectError("Give your group a name.", "name_missing")
    return text[:80]


def group_create(
    *,
    user,
    name: str,
    topic: ProjectTopic | None = None,
    own_topic: str = "",
    description: str = "",
    now: datetime | None = None,
) -> ProjectGroup:
    """A new group with its creator as the first member; others join with its invite code."""
    require_student(user)
    name, own_topic = clean_name(name), own_topic.strip()[:200]
    if topic is None and not own_topic:
        raise ProjectError("Choose a topic from the idea list or name your own.", "topic_missing")
    try:
        with transaction.atomic():
            require_registration_open(project_settings(), now or timezone.now())
            lock_student(user)
            require_no_group(user)
            if ProjectGroup.objects.filter(name__iexact=name).exists():
                raise ProjectError(f"A group named '{name}' exists already.", "name_taken")
            group = ProjectGroup.objects.create(
                name=name,
                topic=topic,
                own_topic="" if topic else own_topic,
                description=description.strip()[:2000],
                created_by=user,
            )
            Membership.objects.create(group=group, user=user)
    except IntegrityError as error:  # a parallel request won the race the checks saw open
        raise ProjectError(
            "Someone registered the same group name or your account at the same moment; "
            "reload the page and try again.",
            "conflict",
        ) from error
    return group


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def group_join(*, user, code: str, now: datetime | None = None) -> ProjectGroup:
    require_student(user)
    try:
        with transaction.atomic():
            config = project_settings()
            require_registration_open(config, now or timezone.now())
            lock_student(user)  # always the student before the group: no lock-order deadlock
            require_no_group(user)
            group = (
                ProjectGroup.objects.select_for_update()
                .filter(invite_code=normalize_code(code))
                .first()
            )
            if group is None:
                raise ProjectError(
                    "No group has this invitation code; check it with your group.", "bad_code"
                )
            if group.memberships.count() >= config.max_members:
                raise ProjectError(
                    f"The group '{group.name}' is full: a group has at most "
                    f"{config.max_members} members.",
                    "group_full",
                )
            Membership.objects.create(group=group, user=user)
    except IntegrityError as error:
        raise ProjectError(
            "You joined a group at the same moment in another window; reload the page.", "conflict"
        ) from error
    return group


def group_leave(*, user, now: datetime | None = None) -> None:
    """Leaves the group before the lock; an empty group without uploads disappears."""
    with transaction.atomic():
        require_registration_open(project_settings(), now or timezone.now())
        lock_student(user)
        membership = Membership.objects.select_related("group").filter(user=user).first()
        if membership is None:
            raise ProjectError("You are not in a group.", "no_group")
        group = ProjectGroup.objects.select_for_update().get(pk=membership.group_id)
        membership.delete()
        if not group.memberships.exists() and not group.deliverables.exists():
            group.delete()


def group_size_problem(group: ProjectGroup, count: int | None = None) -> str:
    """Why a group's size is not allowed yet ("" when it is)."""
    config = project_settings()
    count = group.memberships.count() if count is None else count
    if count < config.min_members:
        return f"{count} of at least {config.min_members} members"
    if count > config.max_members:
        return f"{count} members, more than {config.max_members}"
    return ""


# --- deliverables -----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    ext: str
    sha256: str
    size: int


def sniff(file: UploadedFile) -> str:
    """'pdf' or 'pptx' by content; '' for anything else, whatever its name says."""
    file.seek(0)
    head = file.read(5)
    file.seek(0)
    if head == b"%PDF-":
        return "pdf"
    return "pptx" if pptx.is_pptx(file) else ""  # reads the zip's end first: bounded


def check_deliverable(*, kind: str, file: UploadedFile | None) -> CheckedFile:
    if kind not in ACCEPTED:
        raise ProjectError("Choose what you upload: the report or the slides.", "bad_kind")
    if file is None or file.size == 0:
        raise ProjectError("Choose a file to upload; this one is empty.", "file_missing")
    if file.size > settings.SUBMISSION_MAX_BYTES:
        limit = settings.SUBMISSION_MAX_BYTES // (1024 * 1024)
        raise ProjectError(f"The file is too large: the limit is {limit} MB.", "file_too_large")
    ext = sniff(file)
    if ext not in ACCEPTED[kind]:
        wanted = " or ".join(e.upper() for e in ACCEPTED[kind])
        raise ProjectError(
            f"The {Deliverable.Kind(kind).label} must be a {wanted} file; this file's content "
            "is not (a renamed file does not count).",
            "bad_file_type",
        )
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return CheckedFile(ext=ext, sha256=digest.hexdigest(), size=file.size)


def display_file_name(name: str | None, ext: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()[:200]
    return text or f"upload.{ext}"


def deliverable_upload(
    *, user, kind: str, file: UploadedFile | None, now: datetime | None = None
) -> Deliverable:
    """Stores an upload; one after the project deadline is accepted and marked late. A group
    keeps its newest `versions_kept()` uploads of each kind (and its newest on-time one):
    older ones are deleted, rows and files, so no group can fill the disk."""
    group = group_of(user)
    if group is None:
        raise ProjectError("Join or create a group before uploading.", "no_group")
    checked = check_deliverable(kind=kind, file=file)
    now = now or timezone.now()
    deliverable = Deliverable(
        group=group,
        kind=kind,
        ext=checked.ext,
        size=checked.size,
        sha256=checked.sha256,
        file_name=display_file_name(file.name, checked.ext),
        uploaded_by=user,
        uploaded_at=now,
        is_late=now >= project_settings().deadline,
    )
    with transaction.atomic():
        # Serializes the group's uploads, so parallel ones cannot both skip the pruning.
        ProjectGroup.objects.select_for_update().filter(pk=group.pk).first()
        deliverable.file.save(f"upload.{checked.ext}", file, save=False)
        deliverable.save()
        pruned = prune_versions(group, kind)
        transaction.on_commit(lambda: delete_files(pruned))
    return deliverable


def versions_kept() -> int:
    """Uploads of one kind a group keeps (setting PROJECT_DELIVERABLE_VERSIONS, default 5)."""
    return max(1, getattr(settings, "PROJECT_DELIVERABLE_VERSIONS", 5))


def prune_versions(group: ProjectGroup, kind: str) -> list[str]:
    """Deletes the group's uploads of `kind` older than the newest `versions_kept()`, except
    the newest on-time one (the version a late upload must not push out); returns the names
    of their files, to delete once the transaction commits."""
    versions = list(
        group.deliverables.filter(kind=kind)
        .order_by("-uploaded_at", "-id")
        .values_list("pk", "file", "is_late")
    )
    keep = {pk for pk, _, _ in versions[: versions_kept()]}
    keep.add(next((pk for pk, _, late in versions if not late), None))
    doomed = [(pk, name) for pk, name, _ in versions if pk not in keep]
    Deliverable.objects.filter(pk__in=[pk for pk, _ in doomed]).delete()
    return [name for _, name in doomed]


def delete_files(names: list[str]) -> None:
    storage = Deliverable._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def content_type(deliverable: Deliverable) -> str:
    return CONTENT_TYPES.get(deliverable.ext, "application/octet-stream")
