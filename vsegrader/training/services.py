"""Writes: starting a baseline run, and running it (on the GPU worker, or inline).

A run trains `python -m baselines` in a child process, so that no Celery worker ever
imports torch itself, then submits the predictions through `challenges.submissions.services.
submission_create` as the baseline account: the same path a student's upload takes.
"""

import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from challenges.models import Challenge, Submission
from challenges.submissions.intake import SubmissionRejected, submission_create
from vsegrader.accounts.baseline import baseline_account
from vsegrader.training.models import BaselineRun, baseline_timeout_seconds
from vsegrader.training.run_events import append_log, progress_update
from vsegrader.training.runner import process_alive, run_lines

log = logging.getLogger(__name__)

Echo = Callable[[str], None]

BROKER_DOWN_MESSAGE = (
    "Not sent to a GPU worker: the task broker could not be reached ({error}). "
    "Check the broker (CELERY_BROKER_URL), then run the baseline again."
)
LOST_MESSAGE = "The worker stopped during this run without a word (no news within the time limit)."
WORKER_GONE_MESSAGE = "The worker stopped while training ({why}). Run the baseline again."
SAVE_EVERY_SECONDS = 0.5  # progress writes to the database at most this often


class RunFailed(Exception):
    """A run that cannot go on, for a reason the instructors can act on (the message)."""


# --- starting -------------------------------------------------------------------------------


def baseline_run_start(
    *,
    challenge: Challenge,
    requested_by=None,
    device: str = BaselineRun.Device.AUTO,
    quick: bool = False,
    seed: int = 0,
    enqueue: bool = True,
) -> BaselineRun:
    """Creates a queued run and, once the transaction commits, sends it to the `gpu` queue."""
    if device not in BaselineRun.Device.values:
        raise ValueError(f"Unknown device {device!r}: use one of {', '.join(BaselineRun.Device)}")
    baseline_runs_fail_lost(challenge=challenge)
    with transaction.atomic():
        run = BaselineRun.objects.create(
            challenge=challenge, requested_by=requested_by, device=device, quick=quick, seed=seed
        )
        if enqueue:
            transaction.on_commit(lambda: enqueue_baseline(run.pk))
    return run


def enqueue_baseline(run_id: int) -> bool:
    """Sends the training task. With the broker down the run stays queued, saying why."""
    from vsegrader.training.tasks import train_baseline

    try:
        result = train_baseline.apply_async(args=[run_id], retry=False)
    except Exception as exc:  # kombu raises several types for an unreachable broker
        log.warning("Could not enqueue baseline run %s: %s", run_id, exc)
        message = BROKER_DOWN_MESSAGE.format(error=f"{type(exc).__name__}: {exc}"[:300])
        BaselineRun.objects.filter(pk=run_id, status=BaselineRun.Status.QUEUED).update(
            error=message
        )
        return False
    BaselineRun.objects.filter(pk=run_id).update(task_id=result.id or "")
    return True


def lost_before(now: datetime) -> datetime:
    """A run started before this and still `running` cannot be alive: its limit is past."""
    return now - timedelta(seconds=baseline_timeout_seconds() + 60)


def baseline_runs_fail_lost(*, challenge: Challenge | None = None) -> int:
    """Marks runs whose worker died mid-training (running past any time limit) failed: those
    of one challenge, or (the periodic sweep) of every challenge."""
    now = timezone.now()
    runs = BaselineRun.objects.filter(
        status=BaselineRun.Status.RUNNING, started_at__lt=lost_before(now)
    )
    if challenge is not None:
        runs = runs.filter(challenge=challenge)
    failed = runs.update(status=BaselineRun.Status.FAILED, error=LOST_MESSAGE, finished_at=now)
    if failed:
        log.warning("Marked %s baseline runs failed: running past any time limit", failed)
    return failed


def baseline_runs_fail_restarted(*, worker: str, ready_at: datetime) -> int:
    """Called when a worker starts: a run it left `running` in a previous life died with it
    (the whole worker was killed, or its machine went down)."""
    if not worker:
        return 0
    runs = BaselineRun.objects.filter(
        status=BaselineRun.Status.RUNNING, worker=worker, started_at__lt=ready_at
    )
    failed = fail_gone(runs, f"{worker} was restarted without finishing it")
    if failed:
        log.warning("Marked %s baseline runs of %s failed: it restarted", failed, worker)
    return failed


def fail_if_process_died(*, run_id: int, worker: str) -> bool:
    """A redelivered task (its worker process was killed, e.g. out of memory): if the run is
    still `running` by a process of this same worker that no longer exists, it failed."""
    if not worker:
        return False
    running = BaselineRun.objects.filter(
        pk=run_id, status=BaselineRun.Status.RUNNING, worker=worker
    )
    run = running.first()
    if run is None or run.worker_pid is None or process_alive(run.worker_pid):
        return False
    why = f"its process {run.worker_pid} on {worker} died: killed, or out of memory"
    return bool(fail_gone(running.filter(**owned(run)), why))


def fail_gone(runs, why: str) -> int:
    return runs.update(
        status=BaselineRun.Status.FAILED,
        error=WORKER_GONE_MESSAGE.format(why=why),
        finished_at=timezone.now(),
    )


# --- running --------------------------------------------------------------------------------


def baseline_run_execute(
    *, run_id: int, echo: Echo | None = None, worker: str = ""
) -> BaselineRun | None:
    """Trains and submits one run. Idempotent: a run that is finished, or running right now
    elsewhere, is left alone; whatever goes wrong ends the run `failed` with the reason.
    `worker` names the Celery worker running it (empty inline)."""
    if fail_if_process_died(run_id=run_id, worker=worker):
        return BaselineRun.objects.select_related("challenge", "submission").get(pk=run_id)
    run = claim(run_id, worker)
    if run is None:
        return None
    try:
        with tempfile.TemporaryDirectory(prefix=f"baseline-{run.pk}-") as workdir:
            train_and_submit(run, Path(workdir), echo)
    except RunFailed as failed:
        finish(run, BaselineRun.Status.FAILED, error=str(failed))
    except Exception as exc:  # storage, database or a bug: the run must not stay `running`
        log.exception("Baseline run %s crashed", run.pk)
        finish(run, BaselineRun.Status.FAILED, error=f"Internal error: {type(exc).__name__}: {exc}")
    return BaselineRun.objects.select_related("challenge", "submission").get(pk=run.pk)


def claim(run_id: int, worker: str = "") -> BaselineRun | None:
    """Moves a queued run (or one lost by a dead worker) to `running`; None if not ours."""
    now = timezone.now()
    claimable = Q(status=BaselineRun.Status.QUEUED) | Q(
        status=BaselineRun.Status.RUNNING, started_at__lt=lost_before(now)
    )
    claimed = BaselineRun.objects.filter(claimable, pk=run_id).update(
        status=BaselineRun.Status.RUNNING,
        started_at=now,
        finished_at=None,
        error="",
        phase="",
        epoch=None,
        epochs=None,
        metric_name="",
        metric_value=None,
        log="",
        submission=None,
        worker=worker,
        worker_pid=os.getpid(),
    )
    if not claimed:
        return None
    return BaselineRun.objects.select_related("challenge").get(pk=run_id)


def train_and_submit(run: BaselineRun, workdir: Path, echo: Echo | None) -> None:
    data_dir = public_data_folder(run.challenge, workdir / "public")
    out = workdir / "predictions.csv"
    recorder = ProgressRecorder(run, echo)
    timeout = baseline_timeout_seconds()
    outcome = run_lines(
        baseline_command(run, data_dir, out),
        on_line=recorder.feed,
        timeout=timeout,
        cwd=Path(settings.BASE_DIR),
        env=child_env(),
    )
    if not outcome.ok:
        for line in outcome.stderr_tail[-5:]:
            recorder.note(f"stderr: {line}")
    recorder.save()
    if not outcome.ok:
        finish(run, BaselineRun.Status.FAILED, error=outcome.reason(timeout))
    elif not out.is_file() or out.stat().st_size == 0:
        finish(run, BaselineRun.Status.FAILED, error="The training ended without predictions.")
    else:
        submit(run, out)


def public_data_folder(challenge: Challenge, folder: Path) -> Path:
    """The challenge's public folder as students download it: each DataFile under its name
    (a top-level folder stays `<name>.zip`; `python -m baselines` reads zips as they are)."""
    folder.mkdir(parents=True)
    files = list(challenge.files.all())
    if not files:
        raise RunFailed(f"Challenge '{challenge.slug}' has no public data files to train on.")
    for data_file in files:
        if Path(data_file.name).name != data_file.name or data_file.name.startswith("."):
            raise RunFailed(f"Refusing the data file name {data_file.name!r}.")
        with data_file.file.open("rb") as source, open(folder / data_file.name, "wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
    return folder


def baseline_command(run: BaselineRun, data_dir: Path, out: Path) -> list[str]:
    python = getattr(settings, "BASELINES_PYTHON", "") or sys.executable
    command = [
        python,
        "-m",
        "baselines",
        run.challenge.slug,
        "--data",
        str(data_dir),
        "--out",
        str(out),
        "--device",
        run.device,
        "--seed",
        str(run.seed),
        "--progress-json",
    ]
    return [*command, "--quick"] if run.quick else command


def child_env() -> dict:
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def submit(run: BaselineRun, predictions: Path) -> None:
    if not BaselineRun.objects.filter(pk=run.pk, **owned(run)).exists():
        return  # failed as lost meanwhile: its predictions do not count
    try:
        with open(predictions, "rb") as handle:
            submission = submission_create(
                challenge=run.challenge,
                user=baseline_account(),
                file=File(handle, name=f"baseline-{run.challenge.slug}.csv"),
                description=submission_description(run),
                is_baseline=True,
            )
    except SubmissionRejected as rejected:
        finish(run, BaselineRun.Status.FAILED, error=f"Submission refused: {rejected.message}")
        return
    finish(run, BaselineRun.Status.SUCCEEDED, submission=submission)


def submission_description(run: BaselineRun) -> str:
    """The baseline's name on the leaderboard ("Baseline: neural network"): boards group
    baseline submissions by description, so it names the model, not the run."""
    return "neural network, quick training" if run.quick else "neural network"


def finish(
    run: BaselineRun, status: str, *, error: str = "", submission: Submission | None = None
) -> None:
    # Only while still ours: a run already failed as lost keeps that verdict.
    BaselineRun.objects.filter(pk=run.pk, **owned(run)).update(
        status=status, error=error, submission=submission, finished_at=timezone.now()
    )


def owned(run: BaselineRun) -> dict:
    """The run as this claim of it left it: not failed as lost, nor claimed again since."""
    return {
        "status": BaselineRun.Status.RUNNING,
        "worker_pid": run.worker_pid,
        "started_at": run.started_at,
    }


class ProgressRecorder:
    """Turns the child's stdout lines into live updates of the run's row."""

    def __init__(self, run: BaselineRun, echo: Echo | None = None):
        self.run_id = run.pk
        self.owned = owned(run)
        self.echo = echo
        self.log = ""
        self.pending: dict = {}
        self.saved_at = 0.0

    def feed(self, line: str) -> None:
        update = progress_update(line)
        self.pending.update(update.fields)
        if update.log:
            self.note(update.log)
        if time.monotonic() - self.saved_at >= SAVE_EVERY_SECONDS:
            self.save()

    def note(self, text: str) -> None:
        self.log = append_log(self.log, text)
        self.pending["log"] = self.log
        if self.echo is not None:
            self.echo(text)

    def save(self) -> None:
        if self.pending:
            BaselineRun.objects.filter(pk=self.run_id, **self.owned).update(**self.pending)
            self.pending = {}
        self.saved_at = time.monotonic()
