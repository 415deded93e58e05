"""What a login refused for too many failures looks like (django-axes calls these).

Settings: AXES_FAILURE_LIMIT (LOGIN_FAILURE_LIMIT) failures by one client address for one
username lock that username at that address, and as many failures by one address (any
usernames) lock that address, for AXES_COOLOFF_TIME (LOGIN_COOLOFF_MINUTES) after its last
counted failure. Attempts while locked are not counted, so they do not start it again. A
username is never locked for everyone: failures from an attacker's address cannot keep its
owner out (the owner logs in from their own address). The address is
vsegrader.accounts.clients.client_address (TRUSTED_PROXY_COUNT).
"""

import logging
import math

from axes.backends import AxesStandaloneBackend
from axes.handlers.cache import AxesCacheHandler
from axes.helpers import get_cool_off
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import formats, timezone
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses a locked-out login. A call without a request (Django's test client login(),
    a script) has no address to count by and is let through to the next backend, where
    axes' own backend would raise."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class FailOpenCacheHandler(AxesCacheHandler):
    """Counts failed logins in the cache. While the cache's Redis is down, logins go on
    uncounted (django-redis ignores most errors, but not every one axes meets)."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        try:
            super().user_login_failed(sender, credentials, request, **kwargs)
        except RedisError as error:
            log.warning("Failed login not counted, the cache is unreachable: %s", error)

    def user_logged_in(self, sender, request, user, **kwargs):
        try:
            super().user_logged_in(sender, request, user, **kwargs)
        except RedisError as error:
            log.warning("Failed logins not reset, the cache is unreachable: %s", error)


def cool_off_minutes(request) -> int:
    return max(math.ceil(get_cool_off(request).total_seconds() / 60), 1)


def lockout_message(request) -> str:
    minutes = cool_off_minutes(request)
    retry_at = timezone.localtime() + get_cool_off(request)
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"Too many failed login attempts: try again in {minutes} {unit} "
        f"(after {formats.time_format(retry_at, 'H:i')})."
    )


def lockout_response(request, original_response=None, credentials=None):
    """429 with the reason and when to retry: JSON on the API (the API's error shape), a
    page elsewhere (the site's login and the admin's)."""
    retry_after = str(int(get_cool_off(request).total_seconds()))
    if request.path.startswith("/api/"):
        body = {"detail": lockout_message(request), "code": "login_locked"}
        response = JsonResponse(body, status=429)
    else:
        context = {"message": lockout_message(request)}
        response = render(request, "registration/login_locked.html", context, status=429)
    response["Retry-After"] = retry_after
    return response
