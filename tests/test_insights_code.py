"""Code attached to a final submission: the checks on upload, who may download it, and its
similarity across the class on the integrity page."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.insights import code, services
from challenges.insights.models import AttachedCode, InsightReport, IntegrityDismissal
from tests.code_samples import DISGUISED, ORIGINAL, UNRELATED
from tests.insight_world import ALICE, BOB, import_bundle, predictions_csv, write_label_bundle

pytestmark = pytest.mark.django_db


def notebook(*cells: str) -> bytes:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {"cell_type": "markdown", "source": "# My solution"},
                *({"cell_type": "code", "source": c, "outputs": []} for c in cells),
            ],
        }
    ).encode()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def pets(tmp_path):
    challenge = import_bundle(write_label_bundle(tmp_path), revealed=True)
    challenge.accepts_code = True
    challenge.save()
    return challenge


def final(challenge, user, labels=ALICE):
    from tests.factories import scored_submission

    return scored_submission(
        challenge, user, 1.0, 0.5, minutes_ago=120, is_final=True, content=predictions_csv(labels)
    )


def test_a_student_attaches_a_notebook_to_their_final_submission_from_the_page(
    client, pets, student
):
    submission = final(pets, student)
    client.force_login(student)
    listing = client.get(f"/challenges/{pets.slug}/my-submissions/").content.decode()
    assert f'action="/submissions/{submission.pk}/code/"' in listing
    code = {"code": upload("m.ipynb", notebook("x=1"))}
    response = client.post(f"/submissions/{submission.pk}/code/", code)
    assert response["Location"] == f"/challenges/{pets.slug}/submissions/"  # where the form is
    attached = AttachedCode.objects.get(submission=submission)
    assert (attached.kind, attached.file_name) == ("ipynb", "m.ipynb")
    assert "m.ipynb" in client.get(f"/challenges/{pets.slug}/my-submissions/").content.decode()


def test_a_new_attachment_replaces_the_old_one(pets, student):
    submission = final(pets, student)
    code.code_attach(submission=submission, user=student, upload=upload("a.py", b"x = 1\n"))
    code.code_attach(submission=submission, user=student, upload=upload("b.py", ORIGINAL.encode()))
    attached = AttachedCode.objects.get(submission=submission)
    assert attached.file_name == "b.py" and attached.fingerprints
    assert AttachedCode.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("model.exe", b"MZ", "code_type"),
        ("m.ipynb", b"{not json", "code_not_notebook"),
        ("m.ipynb", b'{"cells": "no", "nbformat": 4}', "code_not_notebook"),
        ("m.ipynb", b"[1, 2]", "code_not_notebook"),
        ("s.py", b"def f(:\n", "code_not_python"),
        ("s.py", b"x = 1\x00\n", "code_not_text"),
        ("s.py", b"\xff\xfe x = 1", "code_not_text"),
        ("s.py", b"#" * (code.MAX_CODE_BYTES + 1), "code_too_large"),
    ],
)
def test_it_refuses_code_that_is_not_what_it_claims(pets, student, name, content, reason):
    submission = final(pets, student)
    with pytest.raises(code.CodeRefused) as refused:
        code.code_attach(submission=submission, user=student, upload=upload(name, content))
    assert refused.value.code == reason and not AttachedCode.objects.exists()


def test_it_refuses_a_submission_not_marked_final_or_a_challenge_that_collects_no_code(
    pets, student
):
    submission = final(pets, student)
    submission.is_final = False
    submission.save()
    with pytest.raises(code.CodeRefused, match="final"):
        code.code_attach(submission=submission, user=student, upload=upload("a.py", b"x = 1\n"))
    submission.is_final = True
    submission.save()
    pets.accepts_code = False
    pets.save()
    with pytest.raises(code.CodeRefused) as refused:
        code.code_attach(submission=submission, user=student, upload=upload("a.py", b"x = 1\n"))
    assert refused.value.code == "code_not_collected"


def test_the_api_attaches_code_and_refuses_others_submissions(
    api_client, pets, student, other_student, instructor
):
    mine, theirs = final(pets, student), final(pets, other_student, BOB)
    api_client.force_authenticate(student)
    answer = api_client.post(
        f"/api/submissions/{mine.pk}/code/",
        {"code": upload("s.py", b"x = 1\n")},
        format="multipart",
    )
    assert answer.status_code == 201 and answer.json()["kind"] == "py"
    bad = api_client.post(
        f"/api/submissions/{mine.pk}/code/", {"code": upload("s.py", b"(")}, format="multipart"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "code_not_python"
    other = api_client.post(
        f"/api/submissions/{theirs.pk}/code/", {"code": upload("s.py", b"")}, format="multipart"
    )
    assert other.status_code == 404
    api_client.force_authenticate(instructor)
    staff = api_client.post(
        f"/api/submissions/{mine.pk}/code/", {"code": upload("s.py", b"")}, format="multipart"
    )
    assert staff.status_code == 403 and AttachedCode.objects.get().size == 6


def test_instructors_download_code_as_an_attachment_and_students_only_their_own(
    client, pets, student, other_student, instructor
):
    submission = final(pets, student)
    code.code_attach(submission=submission, user=student, upload=upload("m.ipynb", notebook()))
    url = f"/submissions/{submission.pk}/code/"
    client.force_login(instructor)
    answer = client.get(url)
    assert answer.status_code == 200 and answer.content == notebook()
    assert answer["Content-Type"] == "application/x-ipynb+json"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Disposition"].startswith("attachment;")
    client.force_login(student)
    assert client.get(url).status_code == 200
    client.force_login(other_student)
    assert client.get(url).status_code == 404


def test_copied_code_is_flagged_on_the_integrity_page_and_can_be_dismissed(
    client, pets, student, other_student, instructor, make_user
):
    carol = make_user("carol")
    sources = {student: ORIGINAL, other_student: DISGUISED, carol: UNRELATED}
    for user, source in sources.items():
        submission = final(pets, user, BOB if user == carol else ALICE)
        code.code_attach(
            submission=submission, user=user, upload=upload("m.ipynb", notebook(source))
        )
    assert services.insights_compute(challenge_id=pets.pk)
    flags = InsightReport.objects.get(challenge=pets, kind="integrity").data["flags"]
    copied = [f for f in flags if f["kind"] == "code"]
    assert [{f["user_a"], f["user_b"]} for f in copied] == [{student.pk, other_student.pk}]
    assert copied[0]["similarity"] >= 0.6 and copied[0]["shared"] >= 8
    client.force_login(instructor)
    url = f"/challenges/{pets.slug}/insights/integrity/"
    page = client.get(url).content.decode()
    assert "shared fingerprints, similarity" in page and "/code/" in page
    client.post(url, {"user_a": student.pk, "user_b": other_student.pk, "note": "pair work"})
    assert IntegrityDismissal.objects.get(challenge=pets).note == "pair work"
    assert "dismissed: pair work" in client.get(url).content.decode()


def test_attaching_code_makes_the_stored_reports_stale(pets, student):
    submission = final(pets, student)
    services.insights_compute(challenge_id=pets.pk)
    assert not services.is_stale(pets)
    code.code_attach(submission=submission, user=student, upload=upload("a.py", b"x = 1\n"))
    assert services.is_stale(pets)
