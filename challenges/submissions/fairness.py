"""Fair scoring: one student's burst of uploads never waits in front of other students'.

A submission goes to the ordinary `scoring` queue when it is its author's oldest one still
waiting for a score, and to the bulk queue (setting SCORING_BULK_QUEUE, e.g. "scoring-bulk";
empty or unset: everything goes to `scoring`) when an older one of theirs is still queued or
being scored. Workers consume both (`celery worker -Q scoring,scoring-bulk`); Celery takes
from the queues of a worker in turn, so an upload in `scoring` waits behind at most one bulk
task per free worker process, however many a student has sent.

Nothing is lost: the queue is only a route, the row stays `queued` until it is scored, and
the periodic requeue sends a stuck row again through the same rule (the oldest waiting one
of each student to `scoring`), so even a worker that reads only `scoring` drains the rest.
"""

from django.conf import settings
from django.db.models import Subquery

from challenges.models import Submission

IN_FLIGHT = (Submission.Status.QUEUED, Submission.Status.SCORING)


def bulk_queue() -> str:
    return getattr(settings, "SCORING_BULK_QUEUE", "") or ""


def scoring_queue_for(submission_id: int) -> str | None:
    """The bulk queue when the author has an older submission waiting; else None (the task's
    own route, `scoring`). One query."""
    bulk = bulk_queue()
    if not bulk:
        return None
    author = Submission.objects.filter(pk=submission_id).values("user_id")
    older_waiting = Submission.objects.filter(
        user_id=Subquery(author), pk__lt=submission_id, status__in=IN_FLIGHT
    ).exists()
    return bulk if older_waiting else None
