"""Nobody can lock someone else out (issue #18, item 2).

Failures are counted per (username, address) and per address, the cool-off is not started
again by attempts while locked, and behind a reverse proxy the address is the one the proxy
saw only when TRUSTED_PROXY_COUNT says there is one.
"""

from types import SimpleNamespace

import pytest

from tests.test_login_throttle import PASSWORD, api_login, fail, logged_in
from vsegrader.accounts.clients import client_address, forwarded_address

LIMIT = 10  # LOGIN_FAILURE_LIMIT's default
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
