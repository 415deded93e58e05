"""API authentication: `Authorization: Token KEY` or `Authorization: Bearer KEY`.

A knox token (hashed, named, maybe expiring) first; then a key of DRF's legacy table, which
the legacy `POST /api/auth/token/` still issues (tokens.py says why).
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxAuthentication
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header
from rest_framework.authtoken.models import Token as LegacyToken

PREFIXES = (b"token", b"bearer")


class ApiTokenAuthentication(KnoxAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in PREFIXES:
            return None  # no header, or one for another scheme (Basic, ...)
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid token header: give `Token KEY` or `Bearer KEY`."
            )
        key = parts[1]
        try:
            return self.authenticate_credentials(key)
        except exceptions.AuthenticationFailed:
            legacy = legacy_user(key)
            if legacy is None:
                raise
            return legacy

    def authenticate_header(self, request):
        return "Token"


def legacy_user(key: bytes):
    try:
        text = key.decode("ascii")
    except UnicodeDecodeError:
        return None
    token = LegacyToken.objects.select_related("user").filter(key=text).first()
    if token is None or not token.user.is_active:
        return None
    return token.user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the header."""

    target_class = "vsegrader.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token KEY` or `Bearer KEY` (a key from the API token page)",
        }
