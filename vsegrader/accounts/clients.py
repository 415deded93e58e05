"""The client's address, as far as the site can trust it.

With TRUSTED_PROXY_COUNT = 0 (the default: gunicorn or runserver faces the network) it is
the TCP peer, and a client-supplied X-Forwarded-For is ignored. Behind N reverse proxies
that each append the address they saw (nginx: `$proxy_add_x_forwarded_for`), it is the
N-th entry from the right of X-Forwarded-For: the one the outermost trusted proxy wrote.
Entries further left were written by the client and are never used. The same rule as
DRF's NUM_PROXIES, which settings sets from the same value for the API throttle.
"""

from django.conf import settings


def forwarded_address(forwarded_for: str, proxies: int) -> str | None:
    """The entry that the outermost of `proxies` trusted proxies appended."""
    entries = [entry.strip() for entry in forwarded_for.split(",")]
    entry = entries[-min(proxies, len(entries))]
    return entry or None


def client_address(request) -> str | None:
    """The address failed logins and anonymous API calls are counted by."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded_for.strip():
        return remote
    return forwarded_address(forwarded_for, proxies) or remote
