"""The GPU worker's task. Named `baselines.*` so that CELERY_TASK_ROUTES sends it to the
`gpu` queue; it trains in a child process, so this module (and every worker that
autodiscovers it) never imports torch."""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import DatabaseError, connections
from django.utils import timezone

from vsegrader.training import services

log = logging.getLogger(__name__)


@shared_task(bind=True, name="baselines.train", acks_late=True, reject_on_worker_lost=True)
def train_baseline(self, run_id: int) -> str | None:
    run = services.baseline_run_execute(run_id=run_id, worker=self.request.hostname or "")
    return run.status if run else None


@shared_task(name="training.fail_lost_baseline_runs")  # the default queue: not a GPU's
def fail_lost_baseline_runs() -> int:
    """Periodic (celery beat): ends runs whose worker died unnoticed, once past any limit."""
    return services.baseline_runs_fail_lost()


@worker_ready.connect
def fail_runs_left_by_a_previous_life(sender=None, **kwargs) -> None:
    """A worker that starts trains nothing yet: runs still `running` under its name died
    with its previous process (SIGKILL, a crash, a reboot)."""
    hostname = getattr(sender, "hostname", "") or ""
    try:
        services.baseline_runs_fail_restarted(worker=hostname, ready_at=timezone.now())
    except DatabaseError:  # the database may be down at start: the time-limit sweep remains
        log.exception("Could not check the baseline runs of %s", hostname)
    finally:
        connections.close_all()  # the worker's main process does not keep one open
