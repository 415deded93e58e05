"""Schemathesis against the served OpenAPI schema, in process over WSGI: every operation, as a
student, an instructor and anonymously, with valid and invalid input. No 5xx, and every answer
as documented: status code, content type, headers, body schema, auth, input rejection.

Two thirds of the cases use real path parameters (the challenge, the student's submission, another
student's, a data file) so that they reach the views' code, not only the 404s.
"""

from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from tests.factories import scored_submission

pytestmark = pytest.mark.django_db

KEYS = {"student": "5" * 40, "instructor": "1" * 40}
PASSWORD = "pw-for-tests-1"
FUZZ = settings(
    max_examples=15,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
# Schema-valid input that the API may still refuse with 400, for rules no schema can state
# (see the field's description): the check that valid input is accepted is skipped there.
BUSINESS_RULES = {"PATCH /api/profile/"}
# What a student may not do at all; every other operation must succeed now and then.
INSTRUCTORS_ONLY = {"GET /api/grades/", "POST /api/challenges/{slug}/rescore/"}
TOKEN = "POST /api/auth/token/"
# Operations that also succeed with a username and password in the body.
LOGINS = {TOKEN, "POST /api/auth/tokens/"}
# Operations whose success needs a state random input never builds (a final submission of a
# challenge taking code, a revealed challenge's stored report, a token of one's own by its
# number): their own tests prove them; here they must only answer as documented.
NEEDS_STATE = {
    "POST /api/submissions/{id}/code/",  # tests/test_insights_code.py
    "GET /api/challenges/{slug}/insights/mine/",  # tests/test_insights_reports.py
    "DELETE /api/auth/tokens/{id}/",  # tests/test_client_tokens.py
}


@pytest.fixture(autouse=True)
def same_connection():
    """As in Django's test client: a request must not close the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def no_throttling(settings):
    """Else 429s would answer most cases (429 stays documented; test_accounts and
    test_login_throttle check it)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None},
    }
    settings.AXES_FAILURE_LIMIT = 10_000


@pytest.fixture
def real_values(challenge, student, other_student, instructor):
    ids = [
        scored_submission(challenge, user, 0.5, 0.6).pk
        for user in (student, other_student, instructor)
    ]
    return {
        "slug": [challenge.slug],
        "id": ids,
        "name": list(challenge.files.values_list("name", flat=True)),
        "credentials": [{"username": "alice", "password": PASSWORD}],
    }


def strategy(operation, mode, real):
    """Generated cases; most of them with real path parameters (or credentials)."""
    generated = operation.as_strategy(generation_mode=mode)
    names = [parameter.name for parameter in operation.path_parameters]
    if names:
        values = st.fixed_dictionaries({name: st.sampled_from(real[name]) for name in names})
        with_real = values.flatmap(
            lambda params: operation.as_strategy(generation_mode=mode, path_parameters=params)
        )
        return st.one_of(generated, with_real, with_real)
    if operation.label in LOGINS and mode == GenerationMode.POSITIVE:
        logins = [
            operation.as_strategy(mode, body=body, media_type="application/json")
            for body in real["credentials"]
        ]
        return st.one_of(generated, *logins)
    return generated


def skipped_checks(operation, case) -> list:
    skipped = [positive_data_acceptance] if operation.label in BUSINESS_RULES else []
    if case.media_type == "multipart/form-data":
        # Every multipart value arrives as text (null as "null", 5 as "5"): a "type" mutation
        # is valid as received, and schemathesis cannot always tell (odd field names).
        skipped.append(negative_data_rejection)
    return skipped


def fuzz(operation, mode, real, headers, statuses: Counter) -> str | None:
    @given(case=strategy(operation, mode, real))
    @FUZZ
    def run(case):
        skipped = skipped_checks(operation, case)
        response = case.call_and_validate(headers=headers, excluded_checks=skipped)
        statuses[response.status_code] += 1

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid
        return None
    except (Exception, BaseExceptionGroup) as failure:  # all are reported at the end
        return f"{operation.label} ({mode.value}): {failure}"
    return None


def modes(operation) -> list[GenerationMode]:
    """Invalid input too, where the operation takes any: the security schemes' header and
    cookie (fuzzed in every case) cannot be made invalid."""
    own_headers = [h for h in operation.headers if "x-original-security-type" not in h.definition]
    inputs = [operation.path_parameters, operation.query, own_headers, operation.body]
    if any(len(container) for container in inputs):
        return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE]


def fuzz_all(role, user, real) -> tuple[dict[str, Counter], list[str]]:
    from vsegrader.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    schema.config.output.truncation.enabled = False
    headers = {"Authorization": f"Token {KEYS[role]}"} if user else {}
    statuses: dict[str, Counter] = {}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes(operation):
            if user:  # a fuzzed revoke must not end the run's authentication
                Token.objects.get_or_create(user=user, defaults={"key": KEYS[role]})
            counter = statuses.setdefault(operation.label, Counter())
            failures.append(fuzz(operation, mode, real, headers, counter))
    report(role, statuses)
    return statuses, [failure for failure in failures if failure]


def report(role, statuses) -> None:
    cases = sum(sum(counter.values()) for counter in statuses.values())
    print(f"\n{role}: {len(statuses)} operations, {cases} cases")
    for label, counter in sorted(statuses.items()):
        print(f"  {label}: {dict(sorted(counter.items()))}")


def succeeded(counter: Counter) -> bool:
    return any(200 <= status < 300 for status in counter)


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_every_operation_answers_as_documented(role, real_values, student, instructor):
    user = {"student": student, "instructor": instructor}[role]
    statuses, failures = fuzz_all(role, user, real_values)
    assert not failures, "\n\n".join(failures)
    assert len(statuses) >= 17
    refused = INSTRUCTORS_ONLY if role == "student" else set()
    # The fuzzing reaches the views' code: each operation succeeded at least once.
    never = {label for label, counter in statuses.items() if not succeeded(counter)}
    assert never - NEEDS_STATE == refused
    assert all(403 in statuses[label] for label in refused)


def test_anonymous_callers_get_nothing_but_a_token(real_values, student):
    statuses, failures = fuzz_all("anonymous", None, real_values)
    assert not failures, "\n\n".join(failures)
    assert {label for label, counter in statuses.items() if succeeded(counter)} == LOGINS
    assert all(401 in counter for label, counter in statuses.items() if label not in LOGINS)


# --- what the fuzzing found, pinned down -----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/submissions/abc/",
        "/api/submissions/-1/",
        "/api/challenges/not%20a%20slug/",
        "/api/challenges/tiny-1d/files/a%2Fb",
        "/api/no-such-thing/",
    ],
)
def test_an_api_url_that_no_route_matches_answers_json_404(student_api, url):
    response = student_api.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_pages_keep_their_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_an_unreadable_body_answers_json_400(student_api):
    too_many_fields = "&".join(f"field{number}=1" for number in range(1500))
    response = student_api.generic(
        "PATCH",
        "/api/profile/",
        too_many_fields,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The request could not be read.", "code": "bad_request"}


def test_a_crash_answers_json_500(student_api, monkeypatch):
    from challenges import selectors

    def crash(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "challenge_list", crash)
    student_api.raise_request_exception = False
    response = student_api.get("/api/challenges/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error.", "code": "server_error"}


def test_a_form_without_is_final_is_refused_not_read_as_false(student_api, challenge, student):
    submission = scored_submission(challenge, student, 0.5, 0.6, is_final=True)
    response = student_api.patch(f"/api/submissions/{submission.pk}/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"] == {"is_final": ["This field is required."]}
    submission.refresh_from_db()
    assert submission.is_final


def test_a_display_name_must_be_text(student_api):
    response = student_api.patch("/api/profile/", {"display_name": 12345}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "display_name: Not a valid string."


@pytest.mark.parametrize("value", ["", "xml"])
def test_an_unknown_gradebook_format_is_a_400(api_client, instructor, value):
    api_client.force_authenticate(instructor)
    response = api_client.get("/api/grades/", {"format": value})
    assert response.status_code == 400
    assert response.json()["detail"] == "format: must be 'json' or 'csv'"


def test_a_submission_cannot_be_a_urlencoded_form(student_api, challenge):
    response = student_api.post(
        "/api/challenges/tiny-1d/submissions/",
        "description=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_every_operation_documents_its_errors():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert "429" in codes, (method, path)
            assert operation["responses"]["429"]["headers"]["Retry-After"]["required"]
            if operation.get("security", [{}]) != [{}]:  # none, or [{}]: open to anyone
                assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            error = operation["responses"]["429"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}
