"""The Celery app. Workers: `celery -A vsegrader worker -Q scoring` (and `-Q gpu` for baselines)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vsegrader.settings")

app = Celery("vsegrader")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
