"""Password resets that cannot be used to flood a mailbox, and API tokens that end with the
password they were issued under.

Reset mails: at most PASSWORD_RESET_PER_ACCOUNT_HOUR to one account (further requests are
answered as usual, so nobody learns whether an address has an account, but send nothing)
and PASSWORD_RESET_PER_ADDRESS_HOUR requests from one client address (then 429). The hour
starts at the first request; the counts live in the cache (CACHE_URL).

Password changes (the change form, a reset, the admin, `manage.py changepassword`) delete
the account's API token: a leaked token stops working once the password is changed.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.core.cache import cache
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.shortcuts import render

from vsegrader.accounts.clients import client_address

log = logging.getLogger(__name__)
HOUR = 3600


def take(key: str, limit: int) -> bool:
    """Counts one use of `key` in the current hour; False once `limit` are used."""
    cache.add(key, 0, timeout=HOUR)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr, or the cache is unreachable
        cache.add(key, 1, timeout=HOUR)
        count = 1
    return count <= limit


class LimitedPasswordResetForm(PasswordResetForm):
    def get_users(self, email):
        limit = settings.PASSWORD_RESET_PER_ACCOUNT_HOUR
        for user in super().get_users(email):
            if take(f"password-reset:account:{user.pk}", limit):
                yield user
            else:
                log.warning("Password reset mail to account %s not sent: limit reached", user.pk)


class LimitedPasswordResetView(PasswordResetView):
    form_class = LimitedPasswordResetForm

    def form_valid(self, form):
        address = client_address(self.request) or "unknown"
        if not take(f"password-reset:address:{address}", settings.PASSWORD_RESET_PER_ADDRESS_HOUR):
            message = "Too many password reset requests from your address: try again in an hour."
            context = {"message": message}
            response = render(
                self.request, "accounts/password_reset_limited.html", context, status=429
            )
            response["Retry-After"] = str(HOUR)
            return response
        return super().form_valid(form)


@receiver(pre_save, sender=get_user_model(), dispatch_uid="password-change-noted")
def note_password_change(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        instance._password_changed = False
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_changed = stored is not None and stored != instance.password


@receiver(post_save, sender=get_user_model(), dispatch_uid="password-change-revokes-tokens")
def revoke_tokens_on_password_change(sender, instance, created, **kwargs):
    if getattr(instance, "_password_changed", False):
        from vsegrader.accounts import tokens

        tokens.token_revoke(user=instance)
        instance._password_changed = False
