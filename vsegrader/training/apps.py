from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "vsegrader.training"
    label = "training"
    verbose_name = "Baseline training"
    default_auto_field = "django.db.models.BigAutoField"
