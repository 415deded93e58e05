"""Per-user (and, for anonymous callers, per-address) request limits on the API.

The rates live in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (from VSEGRADER_API_RATE
and VSEGRADER_API_ANON_RATE) and are read on every request, so that a changed setting
applies without a restart of the class. A refused request gets 429 with the limit in the
message and a Retry-After header. Anonymous callers are counted by
vsegrader.accounts.clients.client_address: a made-up X-Forwarded-For is not another caller.
"""

import math

from django.core.exceptions import ImproperlyConfigured
from rest_framework import status, throttling
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings

from vsegrader.accounts.clients import client_address

PERIODS = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


class RateLimited(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "throttled"

    def __init__(self, limit: str, wait: float):
        self.wait = max(math.ceil(wait), 1)  # DRF's handler turns it into Retry-After
        super().__init__(f"Too many requests: the limit is {limit}; try again in {self.wait} s.")


def describe_rate(rate: str) -> str:
    """'120/min' -> '120 per minute'."""
    count, period = rate.split("/")
    return f"{int(count)} per {PERIODS[period.strip()[0]]}"


class StatedLimit:
    """Refuses with RateLimited (the limit stated) instead of DRF's generic message."""

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError as missing:
            message = f"No throttle rate set for scope {self.scope!r}"
            raise ImproperlyConfigured(message) from missing

    def get_ident(self, request) -> str:
        return client_address(request) or ""

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if super().allow_request(request, view):
            return True
        raise RateLimited(describe_rate(self.rate), self.wait() or 1)


class UserRateThrottle(StatedLimit, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(StatedLimit, throttling.AnonRateThrottle):
    pass
