"""What the group-project tests share: a project schedule, a topic, a group, PDF and PPTX
bytes, and a runner of calls in threads with their own connections."""

import io
import threading
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from vsegrader.course import projects
from vsegrader.course.models import (
    ProjectSettings,
    ProjectTopic,
)
from vsegrader.course.projects import ProjectError

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pptx_bytes(marker: str = "ppt/presentation.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(marker, "<presentation/>")
    return buffer.getvalue()


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def schedule(db):
    """Registration open for a week, deliverables due in two."""
    config = ProjectSettings.load()
    config.registration_deadline = timezone.now() + timedelta(days=7)
    config.deadline = timezone.now() + timedelta(days=14)
    config.save()
    return config


@pytest.fixture
def topic(db):
    return ProjectTopic.objects.create(family="CNN", title="Handwritten characters")


@pytest.fixture
def group(schedule, topic, student):
    return projects.group_create(user=student, name="Deep Thinkers", topic=topic)


def run_in_threads(calls) -> list:
    """Runs each call in its own thread (own database connection), all released together;
    returns what each returned or the ProjectError code it raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def work(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except ProjectError as error:
            results[index] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.fixture
def report(group, student):
    return projects.deliverable_upload(user=student, kind="report", file=upload(PDF, "r.pdf"))
