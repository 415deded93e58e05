"""Writes and reads of API tokens (django-rest-knox: several named tokens per user, stored
as SHA-512 digests, optional expiry).

Keys of DRF's old one-token-per-user table (`rest_framework.authtoken`) still authenticate
(see authentication.py): migration 0002 moved every existing one into knox, and the legacy
`POST /api/auth/token/` endpoint, which scripts written against it rely on, still hands one
out. Revoking "all of a user's tokens" (a password change) removes both kinds.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.authtoken.models import Token as LegacyToken

from vsegrader.accounts.models import TokenLabel

MAX_EXPIRY_DAYS = 3650


@transaction.atomic
def token_create(*, user, name: str, expiry_days: int | None = None) -> tuple[AuthToken, str]:
    """A new token named `name`; returns it and its key (shown once, never stored)."""
    expiry = timedelta(days=expiry_days) if expiry_days else None
    instance, key = AuthToken.objects.create(user=user, expiry=expiry)
    TokenLabel.objects.create(token=instance, name=(name or "unnamed").strip()[:100])
    return instance, key


def token_list(*, user) -> list[TokenLabel]:
    """The user's live tokens, oldest first (expired ones are deleted on the way)."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return list(TokenLabel.objects.filter(token__user=user).select_related("token").order_by("id"))


def token_revoke_one(*, user, label_id: int) -> bool:
    """Deletes one of the user's tokens by its number; False if there is no such token."""
    deleted, _ = AuthToken.objects.filter(user=user, label__id=label_id).delete()
    return bool(deleted)


def token_revoke_current(*, auth) -> None:
    """Deletes the token a request was authenticated with (knox or legacy), only that one."""
    if isinstance(auth, (AuthToken, LegacyToken)):
        auth.delete()


def token_revoke(*, user) -> bool:
    """Deletes every token of the user, of both kinds; False if there was none."""
    knox_deleted, _ = AuthToken.objects.filter(user=user).delete()
    legacy_deleted, _ = LegacyToken.objects.filter(user=user).delete()
    return bool(knox_deleted or legacy_deleted)
