"""Moves every key of DRF's plain-text token table into knox (hashed), so that the tokens
students already use keep working, and deletes the plain-text rows."""

from django.db import migrations
from knox.crypto import hash_token
from knox.settings import CONSTANTS


def move_tokens(apps, schema_editor):
    legacy = apps.get_model("authtoken", "Token")
    knox_token = apps.get_model("knox", "AuthToken")
    label = apps.get_model("accounts", "TokenLabel")
    for old in legacy.objects.all():
        new = knox_token(
            digest=hash_token(old.key),
            token_key=old.key[: CONSTANTS.TOKEN_KEY_LENGTH],
            user_id=old.user_id,
            expiry=None,
        )
        new.save(force_insert=True)
        knox_token.objects.filter(pk=new.pk).update(created=old.created)
        label.objects.create(token=new, name="token created before named tokens")
        old.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(move_tokens, migrations.RunPython.noop)]
