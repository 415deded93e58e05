"""Failed logins are counted per (username, client address) and per client address; at the
limit, that username at that address, or that address, is refused (429) until the cool-off
has passed, on the login page, the admin's login and POST /api/auth/token/ alike.
tests/test_lockout.py shows that nobody can lock someone else out."""

import os
import re
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"
LIMIT = django_settings.AXES_FAILURE_LIMIT
MESSAGE = re.compile(
    r"Too many failed login attempts: try again in (\d+) minutes? \(after \d\d:\d\d\)\."
)


def html_login(client, username, password, address="127.0.0.1", path="/accounts/login/"):
    data = {"username": username, "password": password}
    return client.post(path, data, REMOTE_ADDR=address)


def admin_login(client, username, password, address="127.0.0.1"):
    return html_login(client, username, password, address, path="/admin/login/?next=/admin/")


def api_login(client, username, password, address="127.0.0.1"):
    body = {"username": username, "password": password}
    return client.post("/api/auth/token/", body, content_type="application/json",
                       REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(login, client, username, times, address="127.0.0.1"):
    return [login(client, username, "wrong", address).status_code for _ in range(times)]


def assert_html_refusal(response):
    assert response.status_code == 429
    text = response.content.decode()
    match = MESSAGE.search(text)
    assert match, text
    assert int(match.group(1)) == 15  # LOGIN_COOLOFF_MINUTES' default
    assert int(response["Retry-After"]) == 15 * 60


def test_the_login_page_refuses_a_username_after_the_limit(client, student):
    assert fail(html_login, client, "alice", LIMIT - 1) == [200] * (LIMIT - 1)
    assert_html_refusal(html_login(client, "alice", "wrong"))
    # The right password does not help until the cool-off is over.
    assert_html_refusal(html_login(client, "alice", PASSWORD))
    assert not logged_in(client)


def test_the_lock_is_per_username_at_that_address(client, student, other_student):
    fail(html_login, client, "alice", LIMIT, address="10.0.0.1")
    assert_html_refusal(html_login(client, "alice", PASSWORD, address="10.0.0.1"))
    # Alice from her own address, and Bob, are unaffected.
    response = html_login(client, "alice", PASSWORD, address="10.0.1.1")
    assert response.status_code == 302 and logged_in(client)


def test_the_lock_is_per_address_across_usernames(client, student, other_student):
    for attempt in range(LIMIT):
        html_login(client, f"nobody{attempt}", "wrong", address="10.0.0.9")
    assert_html_refusal(html_login(client, "bob", PASSWORD, address="10.0.0.9"))
    # A forwarded-for header that the client makes up does not make it another address.
    refused = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD},
                          REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert refused.status_code == 429
    assert html_login(client, "bob", PASSWORD, address="10.0.0.10").status_code == 302


def test_a_success_before_the_limit_logs_in(client, student):
    assert fail(html_login, client, "alice", LIMIT - 1) == [200] * (LIMIT - 1)
    response = html_login(client, "alice", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_the_admin_login_is_throttled_too(client, instructor):
    assert fail(admin_login, client, "ivana", LIMIT - 1) == [200] * (LIMIT - 1)
    assert_html_refusal(admin_login(client, "ivana", "wrong"))
    assert_html_refusal(admin_login(client, "ivana", PASSWORD))
    assert not logged_in(client)
    # The count is shared: the site's login page refuses her as well.
    assert_html_refusal(html_login(client, "ivana", PASSWORD))


def test_the_api_token_endpoint_answers_429_json(client, student, other_student):
    assert fail(api_login, client, "alice", LIMIT - 1) == [401] * (LIMIT - 1)
    for password in ("wrong", PASSWORD):
        refused = api_login(client, "alice", password)
        assert refused.status_code == 429
        assert refused["Content-Type"] == "application/json"
        body = refused.json()
        assert body["code"] == "login_locked" and set(body) == {"detail", "code"}
        assert MESSAGE.fullmatch(body["detail"]), body
        assert int(refused["Retry-After"]) == 15 * 60
    # Another user from another address still gets a token.
    response = api_login(client, "bob", PASSWORD, address="10.0.2.2")
    assert response.status_code == 200 and response.json()["token"]


def test_failures_anywhere_add_up(client, student):
    """The page, the admin and the API share one count per username and address."""
    for index in range(LIMIT - 1):
        login = (html_login, admin_login, api_login)[index % 3]
        login(client, "alice", "wrong", address="10.0.3.1")
    assert api_login(client, "alice", "wrong", address="10.0.3.1").status_code == 429


def test_the_lock_ends_after_the_cool_off(client, student, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    fail(html_login, client, "alice", LIMIT)
    refused = html_login(client, "alice", PASSWORD)
    assert refused.status_code == 429
    assert "try again in 1 minute " in refused.content.decode()  # rounded up
    time.sleep(1.3)
    response = html_login(client, "alice", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_the_limit_is_a_setting(client, student, settings):
    settings.AXES_FAILURE_LIMIT = 2
    assert fail(api_login, client, "alice", 2) == [401, 429]


def test_the_limit_and_cool_off_come_from_the_environment():
    env = {**os.environ, "LOGIN_FAILURE_LIMIT": "4", "LOGIN_COOLOFF_MINUTES": "30"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code = "import vsegrader.settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)"
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True).stdout
    assert output.split() == ["4", "0:30:00"]
    defaults = (django_settings.AXES_FAILURE_LIMIT, django_settings.AXES_COOLOFF_TIME)
    assert defaults == (10, timedelta(minutes=15))


def test_a_login_without_a_request_is_not_counted_nor_refused(client, student):
    """Django's test client login() (and scripts) call authenticate() without a request."""
    assert client.login(username="alice", password=PASSWORD)
    assert not client.login(username="alice", password="wrong")
