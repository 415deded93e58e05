"""The Celery app. Workers: `celery -A vsegrader worker -Q scoring,scoring-bulk` (and `-Q gpu`
for baselines)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init

import vsegrader.broker  # noqa: F401 - makes filesystem:// the atomic embedded broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vsegrader.settings")

app = Celery("vsegrader")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fixup closes every database connection before and after each task unless
# this is set, so each scoring paid for a new PostgreSQL connection (a server process fork):
# more CPU than the scoring itself. Connections are kept instead, and recycled below.
app.conf.CELERY_DB_REUSE_MAX = 1 << 62
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def recycle_database_connections(task=None, **kwargs) -> None:
    """As Django does around each request: drop a connection that is broken or older than
    CONN_MAX_AGE; CONN_HEALTH_CHECKS tests a kept one before its next use, so a worker
    outlives a PostgreSQL restart. Not for a task run eagerly inside the caller's transaction."""
    from django.db import close_old_connections

    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()


@worker_process_init.connect
def one_blas_thread_per_process(**kwargs) -> None:
    """Worker processes run side by side: BLAS threads of their own would only compete for
    the same cores (and spin while waiting)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
