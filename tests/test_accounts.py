"""API tokens (the browser page, revoking through the API), /api/me/, per-user throttling,
and a check that every operation of the OpenAPI schema is exercised by some test."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from knox.models import AuthToken
from rest_framework.authtoken.models import Token

from tests.cli_helpers import fresh_throttle_counts_fixture  # noqa: F401 - autouse fixture
from vsegrader.accounts.models import TokenLabel
from vsegrader.accounts.throttling import describe_rate

pytestmark = pytest.mark.django_db
TESTS = Path(__file__).resolve().parent


def throttle_rates(user: str | None, anon: str | None = None):
    rates = {"user": user, "anon": anon}
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    )


def authorized(api_client, key: str):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client


# --- the token page -----------------------------------------------------------------------


def test_the_token_page_needs_a_login(client):
    response = client.get("/accounts/token/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_created_token_is_shown_once_with_the_login_instructions(client, student):
    client.force_login(student)
    assert "You have no API token." in client.get("/accounts/token/").content.decode()
    created = client.post("/accounts/token/", {"action": "create", "name": "laptop"})
    key = re.search(r'<code id="new-token">([0-9a-f]+)</code>', created.content.decode())[1]
    page = created.content.decode()
    assert "vsegrader login --url http://testserver" in page and "--with-token" in page
    assert "no-store" in created["Cache-Control"]
    later = client.get("/accounts/token/").content.decode()
    assert key not in later and "laptop" in later
    assert not AuthToken.objects.filter(digest=key).exists()  # stored hashed, not as typed


def test_a_second_token_leaves_the_first_working(client, student, api_client):
    client.force_login(student)
    first = new_key(client, "laptop")
    second = new_key(client, "gpu box")
    assert first != second
    assert authorized(api_client, first).get("/api/me/").status_code == 200
    assert authorized(api_client, second).get("/api/me/").status_code == 200


def test_revoking_on_the_page_deletes_only_that_token(client, student, api_client):
    client.force_login(student)
    first, second = new_key(client, "laptop"), new_key(client, "notebook")
    laptop = TokenLabel.objects.get(name="laptop")
    response = client.post("/accounts/token/", {"action": "revoke", "id": laptop.id}, follow=True)
    assert "Token revoked." in response.content.decode()
    assert authorized(api_client, first).get("/api/me/").status_code == 401
    assert authorized(api_client, second).get("/api/me/").status_code == 200


def new_key(client, name: str) -> str:
    page = client.post("/accounts/token/", {"action": "create", "name": name}).content.decode()
    return re.search(r'<code id="new-token">([0-9a-f]+)</code>', page)[1]


def test_the_token_page_refuses_a_post_without_the_csrf_token(student):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(student)
    assert browser.post("/accounts/token/", {"action": "create"}).status_code == 403
    assert not AuthToken.objects.filter(user=student).exists()


def test_an_unknown_action_is_a_400(client, student):
    client.force_login(student)
    assert client.post("/accounts/token/", {"action": "steal"}).status_code == 400


# --- the API ------------------------------------------------------------------------------


def test_me_tells_who_the_token_belongs_to(api_client, student, instructor):
    student.first_name, student.last_name = "Alice", "Novak"
    student.save()
    me = authorized(api_client, Token.objects.create(user=student).key).get("/api/me/").json()
    assert (me["username"], me["full_name"], me["is_instructor"]) == ("alice", "Alice Novak", False)
    assert me["display_name"]  # the leaderboard name (a pseudonym until one is chosen)
    api_client.force_authenticate(instructor)
    assert api_client.get("/api/me/").json()["is_instructor"] is True


def test_the_profile_api_reads_and_sets_the_display_name(api_client, student):
    api_client.force_authenticate(student)
    assert api_client.get("/api/profile/").json()["display_name"]
    changed = api_client.patch("/api/profile/", {"display_name": "Overfit"}, format="json")
    assert changed.json() == {"display_name": "Overfit"}
    assert api_client.get("/api/me/").json()["display_name"] == "Overfit"
    refused = api_client.patch("/api/profile/", {"display_name": "x"}, format="json")
    assert refused.status_code == 400 and refused.json()["detail"].startswith("display_name: ")


def test_revoking_through_the_api_ends_the_token(api_client, student):
    key = Token.objects.create(user=student).key
    response = authorized(api_client, key).post("/api/auth/token/revoke/")
    assert response.status_code == 204
    again = api_client.get("/api/me/")
    assert again.status_code == 401 and again.json() == {
        "detail": "Invalid token.",
        "code": "authentication_failed",
    }


def test_revoking_needs_authentication(api_client):
    assert api_client.post("/api/auth/token/revoke/").status_code == 401


# --- throttling ---------------------------------------------------------------------------


def test_a_user_over_the_rate_gets_a_429_that_states_the_limit(api_client, student, other_student):
    with throttle_rates("3/min"):
        api_client.force_authenticate(student)
        assert [api_client.get("/api/me/").status_code for _ in range(3)] == [200] * 3
        refused = api_client.get("/api/me/")
        assert refused.status_code == 429
        body = refused.json()
        assert body["code"] == "throttled"
        assert re.fullmatch(
            r"Too many requests: the limit is 3 per minute; try again in \d+ s\.", body["detail"]
        )
        assert 1 <= int(refused["Retry-After"]) <= 60
        api_client.force_authenticate(other_student)  # the limit is per user
        assert api_client.get("/api/me/").status_code == 200


def test_anonymous_callers_are_limited_per_address(api_client, student):
    with throttle_rates(None, "2/hour"):
        body = {"username": "alice", "password": "nope"}
        codes = [
            api_client.post("/api/auth/token/", body, format="json").status_code for _ in range(3)
        ]
        assert codes == [401, 401, 429]
        detail = api_client.post("/api/auth/token/", body).json()["detail"]
        assert "the limit is 2 per hour" in detail


def test_the_default_rates_come_from_the_environment():
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert describe_rate(rates["user"]) == "120 per minute"
    assert describe_rate(rates["anon"]) == "30 per minute"
    assert describe_rate("5/s") == "5 per second" and describe_rate("1000/day") == "1000 per day"


# --- every operation of the schema is tested ---------------------------------------------

CALL = re.compile(r"\.(get|post|put|patch|delete)\(\s*f?[\"'](/api/[^\"'?]*)")
# Operations that tests exercise without naming the path (the CLI's own HTTP calls):
# (method, schema path) -> the test that does.
INDIRECTLY_COVERED = {
    (
        "get",
        "/api/challenges/{slug}/leaderboard/download/",
    ): "test_cli.py::test_leaderboard_shows_and_downloads",
}


def schema_operations() -> set[tuple[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    methods = {"get", "post", "put", "patch", "delete"}
    return {(method, path) for path, item in paths.items() for method in item if method in methods}


def called_in_tests() -> set[tuple[str, str]]:
    calls = set()
    for source in TESTS.glob("test_*.py"):
        for method, literal in CALL.findall(source.read_text()):
            calls.add((method, re.sub(r"\{[^}]*\}", "X", literal)))
    return calls


def is_called(method: str, path: str, calls) -> bool:
    pattern = re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path)) + "$")
    return any(m == method and pattern.match(literal) for m, literal in calls)


def test_every_operation_in_the_openapi_schema_is_exercised_by_a_test():
    calls = called_in_tests()
    untested = sorted(
        f"{method.upper()} {path}"
        for method, path in schema_operations()
        if not is_called(method, path, calls) and (method, path) not in INDIRECTLY_COVERED
    )
    assert not untested, (
        "API operations no test calls (write one, or name it in INDIRECTLY_COVERED): "
        + ", ".join(untested)
    )


def test_the_indirectly_covered_operations_name_tests_that_exist():
    operations = schema_operations()
    for operation, reference in INDIRECTLY_COVERED.items():
        file_name, test_name = reference.split("::")
        assert operation in operations, f"{operation} is no longer in the schema"
        assert f"def {test_name}(" in (TESTS / file_name).read_text(), reference
