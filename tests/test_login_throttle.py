"""Failed logins are counted per (username, client address) and per client address; at the
limit, that username at that address, or that address, is refused (429) until the cool-off
has passed, on the login page, the admin's login and POST /api/auth/token/ alike.

Nobody can lock someone else out: the cool-off is not started again by attempts while
locked, and behind a reverse proxy the address is the one the proxy saw only when
TRUSTED_PROXY_COUNT says there is one."""

import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings

from tests.conftest import ROOT
from vsegrader.accounts.clients import client_address, forwarded_address

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
    return client.post(
        "/api/auth/token/", body, content_type="application/json", REMOTE_ADDR=address
    )


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
    refused = client.post(
        "/accounts/login/",
        {"username": "bob", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
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
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    assert output.split() == ["4", "0:30:00"]
    defaults = (django_settings.AXES_FAILURE_LIMIT, django_settings.AXES_COOLOFF_TIME)
    assert defaults == (10, timedelta(minutes=15))


def test_a_login_without_a_request_is_not_counted_nor_refused(client, student):
    """Django's test client login() (and scripts) call authenticate() without a request."""
    assert client.login(username="alice", password=PASSWORD)
    assert not client.login(username="alice", password="wrong")


# --- nobody can lock someone else out -----------------------------------------------------

RIVAL, VICTIM, PROXY = "10.6.6.6", "10.1.1.1", "10.0.0.2"


def request_from(remote: str, forwarded_for: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return SimpleNamespace(META=meta)


def test_without_trusted_proxies_the_address_is_the_tcp_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from(RIVAL, "1.2.3.4")) == RIVAL


def test_behind_one_proxy_the_address_is_the_one_the_proxy_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the address it saw.
    assert client_address(request_from(PROXY, f"1.2.3.4, {RIVAL}")) == RIVAL
    assert client_address(request_from(PROXY)) == PROXY


def test_the_forwarded_entry_is_counted_from_the_right():
    assert forwarded_address("a, b, c", 2) == "b"
    assert forwarded_address("c", 3) == "c"


@pytest.mark.django_db
def test_a_rival_cannot_lock_the_victim_out_from_another_address(client, student):
    assert fail(api_login, client, "alice", LIMIT, address=RIVAL)[-1] == 429
    response = api_login(client, "alice", PASSWORD, address=VICTIM)
    assert response.status_code == 200 and response.json()["token"]
    # The attacker's own address stays locked, even with the right password.
    refused = api_login(client, "alice", PASSWORD, address=RIVAL)
    assert refused.status_code == 429 and refused.json()["code"] == "login_locked"


@pytest.mark.django_db
def test_an_address_failing_on_many_usernames_is_locked_for_all(client, student):
    for attempt in range(LIMIT):
        api_login(client, f"nobody{attempt}", "wrong", address=RIVAL)
    assert api_login(client, "alice", PASSWORD, address=RIVAL).status_code == 429
    assert api_login(client, "alice", PASSWORD, address=VICTIM).status_code == 200


def failure_records() -> dict:
    """axes' counts in the per-process cache: key -> (count, expiry)."""
    from django.core.cache import cache

    return {
        key: (cache._cache[key], cache._expire_info[key])
        for key in cache._cache
        if key.startswith(":1:axes")
    }


@pytest.mark.django_db
def test_attempts_while_locked_do_not_restart_the_cool_off(client, student):
    fail(api_login, client, "alice", LIMIT, address=RIVAL)
    at_lock = failure_records()
    assert len(at_lock) == 2  # (alice, address) and address
    fail(api_login, client, "alice", 5, address=RIVAL)
    assert api_login(client, "alice", PASSWORD, address=RIVAL).status_code == 429
    assert failure_records() == at_lock  # neither counted nor their expiry moved


@pytest.mark.django_db
def test_behind_a_proxy_each_client_has_its_own_count(client, student, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    def via_proxy(address, password):
        data = {"username": "alice", "password": password}
        return client.post(
            "/accounts/login/", data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address
        )

    for _ in range(LIMIT):
        via_proxy(RIVAL, "wrong")
    assert via_proxy(RIVAL, PASSWORD).status_code == 429
    response = via_proxy(VICTIM, PASSWORD)
    assert response.status_code == 302 and logged_in(client)


@pytest.mark.django_db
def test_a_made_up_forwarded_for_does_not_dodge_the_anonymous_api_throttle(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": None, "anon": "5/min"},
    }
    codes = [
        client.post(
            "/api/auth/token/",
            {},
            content_type="application/json",
            REMOTE_ADDR=RIVAL,
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}",
        ).status_code
        for n in range(8)
    ]
    assert codes.count(429) == 3


def test_the_lockout_settings_count_per_username_and_address_and_per_address(settings):
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address"]
    assert settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is False
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT == 0
