"""The GPU worker's task. Named `baselines.*` so that CELERY_TASK_ROUTES sends it to the
`gpu` queue; it trains in a child process, so this module (and every worker that
autodiscovers it) never imports torch."""

from celery import shared_task

from vsegrader.training import services


@shared_task(name="baselines.train", acks_late=True, reject_on_worker_lost=True)
def train_baseline(run_id: int) -> str | None:
    run = services.baseline_run_execute(run_id=run_id)
    return run.status if run else None
