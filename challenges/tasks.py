"""Thin Celery tasks: take an id, call a service."""

from celery import shared_task

from challenges.submissions import intake, judge, retention


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=2,
    max_retries=5,
)
def score_submission(submission_id: int) -> str | None:
    submission = judge.submission_score(submission_id=submission_id)
    return submission.status if submission else None


@shared_task(acks_late=True)
def requeue_stuck_submissions() -> int:
    return intake.submissions_requeue_stuck()


@shared_task(acks_late=True)
def purge_failed_files() -> int:
    return retention.failed_files_purge()


@shared_task(acks_late=True)
def compute_insights(challenge_id: int | None = None) -> int:
    """One challenge's insight reports; without an id, every revealed challenge whose
    reports are missing or stale (beat runs it so; a rescore or moderation makes them stale)."""
    from challenges.insights import services as insights

    ids = [challenge_id] if challenge_id else insights.stale_revealed_challenges()
    return sum(insights.insights_compute(challenge_id=pk) for pk in ids)
