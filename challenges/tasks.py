"""Thin Celery tasks: take an id, call a service."""

from celery import shared_task

from challenges import retention, services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=2,
    max_retries=5,
)
def score_submission(submission_id: int) -> str | None:
    submission = services.submission_score(submission_id=submission_id)
    return submission.status if submission else None


@shared_task(acks_late=True)
def requeue_stuck_submissions() -> int:
    return services.submissions_requeue_stuck()


@shared_task(acks_late=True)
def purge_failed_files() -> int:
    return retention.failed_files_purge()
