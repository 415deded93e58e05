"""Writes: a user's API token (DRF's one token per user). Creating one replaces the old."""

from django.db import transaction
from rest_framework.authtoken.models import Token


@transaction.atomic
def token_create(*, user) -> Token:
    """A new token for `user`; the previous one, if any, stops working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def token_revoke(*, user) -> bool:
    """Deletes the user's token; False if there was none."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)


def token_get(*, user) -> Token | None:
    return Token.objects.filter(user=user).first()
