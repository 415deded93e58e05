"""Several named API tokens per student (django-rest-knox): created with a password or on
the token page, listed, revoked one by one, optionally expiring, stored hashed; `Bearer`
as well as `Token`; a password change revokes them all; old DRF keys keep working."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.authtoken.models import Token as LegacyToken

from tests.cli_helpers import fresh_throttle_counts_fixture  # noqa: F401 - autouse fixture
from vsegrader.accounts import tokens

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-1"


def new_token(api_client, name: str, **extra) -> dict:
    body = {"username": "alice", "password": PASSWORD, "name": name, **extra}
    response = api_client.post("/api/auth/tokens/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def me(api_client, header: str):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    return api_client.get("/api/me/")


def test_a_student_gets_several_named_tokens_that_all_work(api_client, student):
    laptop, gpu = new_token(api_client, "laptop"), new_token(api_client, "gpu box")
    assert laptop["token"] != gpu["token"] and (laptop["name"], gpu["name"]) == (
        "laptop",
        "gpu box",
    )
    assert me(api_client, f"Token {laptop['token']}").status_code == 200
    assert me(api_client, f"Token {gpu['token']}").status_code == 200
    listed = api_client.get("/api/auth/tokens/").json()
    assert [(t["name"], t["current"]) for t in listed] == [("laptop", False), ("gpu box", True)]


def test_bearer_is_accepted_as_well_as_token(api_client, student):
    key = new_token(api_client, "curl")["token"]
    assert me(api_client, f"Bearer {key}").json()["username"] == "alice"
    assert me(api_client, f"bearer {key}").status_code == 200
    assert me(api_client, "Bearer not-a-key").status_code == 401


def test_revoking_the_token_in_use_leaves_the_others_working(api_client, student):
    laptop, script = new_token(api_client, "laptop")["token"], new_token(api_client, "script")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {laptop}")
    assert api_client.post("/api/auth/token/revoke/").status_code == 204
    assert me(api_client, f"Token {laptop}").status_code == 401
    assert me(api_client, f"Token {script['token']}").status_code == 200


def test_one_token_is_revoked_by_its_number_and_only_by_its_owner(api_client, student, make_user):
    laptop, script = new_token(api_client, "laptop"), new_token(api_client, "script")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {script['token']}")
    number = laptop["id"]
    assert api_client.delete(f"/api/auth/tokens/{number}/").status_code == 204
    assert api_client.delete(f"/api/auth/tokens/{number}/").status_code == 404
    make_user("bob")
    body = {"username": "bob", "password": PASSWORD, "name": "bob's"}
    bob = api_client.post("/api/auth/tokens/", body, format="json").json()
    bobs = bob["id"]
    assert api_client.delete(f"/api/auth/tokens/{bobs}/").status_code == 404
    assert me(api_client, f"Token {bob['token']}").status_code == 200


def test_a_wrong_password_gets_no_token(api_client, student):
    body = {"username": "alice", "password": "nope", "name": "x"}
    response = api_client.post("/api/auth/tokens/", body, format="json")
    assert (
        response.status_code == 401 and response.json()["detail"] == "Wrong username or password."
    )
    assert not AuthToken.objects.exists()


def test_an_expired_token_is_refused_and_forgotten(api_client, student):
    made = new_token(api_client, "a week", expiry_days=7)
    row = AuthToken.objects.get()
    assert row.expiry - timezone.now() > timedelta(days=6)
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))
    assert me(api_client, f"Token {made['token']}").status_code == 401
    assert not AuthToken.objects.exists()


def test_keys_are_stored_only_as_digests(api_client, student):
    key = new_token(api_client, "laptop")["token"]
    row = AuthToken.objects.get()
    assert row.digest == hash_token(key) and key not in (row.digest, row.token_key)


def test_a_password_change_revokes_every_token_of_both_kinds(api_client, student):
    knox_key = new_token(api_client, "laptop")["token"]
    legacy = LegacyToken.objects.create(user=student)
    student.set_password("another-password-77")
    student.save()
    assert me(api_client, f"Token {knox_key}").status_code == 401
    assert me(api_client, f"Token {legacy.key}").status_code == 401


def test_a_legacy_drf_key_still_authenticates(api_client, student):
    legacy = LegacyToken.objects.create(user=student)
    assert me(api_client, f"Bearer {legacy.key}").json()["username"] == "alice"


def test_the_migration_moves_legacy_keys_into_knox_hashed(api_client, student):
    legacy = LegacyToken.objects.create(user=student)
    migration = importlib.import_module("vsegrader.accounts.migrations.0002_move_legacy_tokens")
    migration.move_tokens(apps, None)
    assert not LegacyToken.objects.exists()
    moved = AuthToken.objects.get()
    assert moved.digest == hash_token(legacy.key) and moved.label.name.startswith("token created")
    assert me(api_client, f"Token {legacy.key}").status_code == 200


def test_token_create_names_and_lists_tokens_for_the_page(student):
    tokens.token_create(user=student, name="  notebook  ", expiry_days=30)
    listed = tokens.token_list(user=student)
    assert [label.name for label in listed] == ["notebook"] and listed[0].token.expiry
