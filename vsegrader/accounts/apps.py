from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "vsegrader.accounts"
    label = "accounts"
    verbose_name = "Accounts and API tokens"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from vsegrader.accounts import passwords  # noqa: F401 - connects the signal handlers
