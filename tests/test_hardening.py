"""The low-severity findings of issue #18 (item 6), each reproduced and refused or bounded:
download content types, opaque team ids, look-alike display names, password-reset mail
floods, a PPTX zip with 400k entries, and API tokens that outlive a password change.
"""

import io
import zipfile

import pandas as pd
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token

from challenges.boards.pseudonyms import student_team_id, team_number, team_number_for
from challenges.rules.profiles import (
    DisplayNameRefused,
    clean_display_name,
    display_name_set,
    skeleton,
)
from tests.factories import scored_submission
from vsegrader.accounts import passwords
from vsegrader.course import pptx

PASSWORD = "pw-for-tests-1"


# --- content types -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/api"])
def test_a_submission_named_html_is_served_as_csv(client, challenge, student, prefix):
    submission = scored_submission(challenge, student, 1.0, 1.0, content=b"<script>x</script>")
    submission.file_name = "evil.html"
    submission.save()
    client.force_login(student)
    response = client.get(f"{prefix}/submissions/{submission.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


# --- team ids --------------------------------------------------------------------------------


def test_a_team_number_is_stable_keyed_and_not_the_account_id():
    numbers = [team_number(user_id, "key") for user_id in range(1, 50)]
    assert numbers == [team_number(user_id, "key") for user_id in range(1, 50)]
    assert len(set(numbers)) == 49 and numbers != sorted(numbers)
    assert all(0 <= n < 2**52 and n not in range(1, 50) for n in numbers)
    assert team_number(1, "another key") != numbers[0]


@pytest.mark.django_db
def test_the_leaderboard_and_the_kaggle_csv_show_no_database_ids(
    client, challenge, student, other_student, make_user
):
    scored_submission(challenge, student, 1.0, 1.0)
    scored_submission(challenge, other_student, 2.0, 2.0)
    baseline = scored_submission(challenge, make_user("base"), 3.0, 3.0, is_baseline=True)
    client.force_login(student)
    rows = client.get(f"/api/challenges/{challenge.slug}/leaderboard/").json()["rows"]
    ids = {row["team_id"] for row in rows}
    assert ids == {
        student_team_id(student.pk),
        student_team_id(other_student.pk),
        f"b{baseline.pk}",
    }  # baselines keep their ids
    assert not ids & {f"u{student.pk}", f"u{other_student.pk}"}
    csv = client.get(f"/api/challenges/{challenge.slug}/leaderboard/download/")
    frame = pd.read_csv(io.StringIO(csv.content.decode()))
    assert sorted(frame["TeamId"]) == sorted(
        [team_number_for(student.pk), team_number_for(other_student.pk)]
    )
    assert frame["TeamId"].dtype.kind == "i"  # notebooks still read a number


# --- display names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Вaseline: ResNet",  # Cyrillic В
        "ＢＡＳＥＬＩＮＥ",  # fullwidth
        "Ιnstructor",  # Greek capital iota
        "аdmin",  # Cyrillic а
        "Мighty Fox 12",  # a generated pseudonym's shape, Cyrillic М
    ],
)
def test_look_alike_letters_do_not_pass_the_reserved_name_check(name):
    with pytest.raises(DisplayNameRefused):
        clean_display_name(name)


def test_a_name_is_stored_in_nfkc_form_and_other_scripts_stay_allowed():
    assert clean_display_name("Ｎｅｏ  Ｒｕｎ") == "Neo Run"
    assert clean_display_name("Вадим") == "Вадим"
    assert skeleton("Аlice") == skeleton("alice")


@pytest.mark.django_db
def test_a_name_that_looks_like_a_taken_one_is_taken(student, other_student):
    display_name_set(user=student, name="Alice Wonder")
    with pytest.raises(DisplayNameRefused, match="taken"):
        display_name_set(user=other_student, name="Аlice Wonder")  # Cyrillic А


# --- password reset mails ----------------------------------------------------------------------


def reset(client, email, address="10.0.0.1"):
    return client.post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_reset_mails_to_one_account_are_limited(client, student, settings):
    codes = [reset(client, student.email, address=f"10.0.0.{n}").status_code for n in range(8)]
    assert codes == [302] * 8  # the answer does not tell whether a mail went out
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_ACCOUNT_HOUR == 3


@pytest.mark.django_db
def test_reset_requests_from_one_address_are_limited(client, student, settings):
    codes = [reset(client, f"nobody{n}@example.com").status_code for n in range(10)]
    assert codes == [302] * settings.PASSWORD_RESET_PER_ADDRESS_HOUR
    refused = reset(client, student.email)
    assert refused.status_code == 429 and "Too many password reset" in refused.content.decode()
    assert mail.outbox == []
    assert reset(client, student.email, address="10.0.0.2").status_code == 302
    assert len(mail.outbox) == 1


def test_a_count_refuses_past_its_limit():
    assert [passwords.take("test-take-key", 2) for _ in range(3)] == [True, True, False]


# --- PPTX check --------------------------------------------------------------------------------


def zip_bytes(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in names:
            archive.writestr(name, b"")
    return buffer.getvalue()


def test_a_small_pptx_is_recognised():
    deck = zip_bytes(["[Content_Types].xml", "ppt/presentation.xml", "ppt/slides/slide1.xml"])
    assert pptx.is_pptx(SimpleUploadedFile("deck.pptx", deck))


def test_a_zip_with_a_huge_directory_is_refused_without_parsing_it(monkeypatch):
    names = ["ppt/presentation.xml", *(f"x/{n}" for n in range(30_000))]
    upload = SimpleUploadedFile("deck.pptx", zip_bytes(names))

    def parse(*args, **kwargs):
        raise AssertionError("the central directory was parsed")

    monkeypatch.setattr(pptx.zipfile, "ZipFile", parse)
    assert not pptx.is_pptx(upload)
    assert upload.tell() == 0


def test_a_zip_without_an_end_record_is_not_a_pptx():
    assert not pptx.is_pptx(SimpleUploadedFile("deck.pptx", b"PK\x03\x04" + b"\0" * 100))


# --- API tokens and password changes ------------------------------------------------------


@pytest.mark.django_db
def test_changing_the_password_revokes_the_api_token(client, student):
    token = Token.objects.create(user=student)
    client.force_login(student)
    new = "a-new-password-for-alice-9"
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": new,
            "new_password2": new,
        },
    )
    assert response.status_code == 302
    assert not Token.objects.filter(key=token.key).exists()


@pytest.mark.django_db
def test_a_reset_by_the_admin_or_a_script_revokes_it_too(student):
    Token.objects.create(user=student)
    student.set_password("another-password-77")
    student.save()
    assert not Token.objects.filter(user=student).exists()


@pytest.mark.django_db
def test_other_account_changes_and_logins_keep_the_token(client, student):
    token = Token.objects.create(user=student)
    student.first_name = "Alice"
    student.save()
    response = client.post(
        "/api/auth/token/",
        {"username": "alice", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200  # a login hands out a new token...
    assert Token.objects.filter(key=token.key).exists()  # ...and keeps the one there was
