"""Baseline runs: the `baselines.train` task on the gpu queue, the child process it trains in,
its live progress, its failures, the instructors' panel and `manage.py runbaseline`."""

import csv
import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from challenges.boards.leaderboards import leaderboard
from challenges.models import Submission
from challenges.submissions.judge import submission_score
from tests.training_world import (
    KILLED_TRAINING,
    PERFECT_TRAINING,
    ROOT,
    SILENT_TRAINING,
    SLOW_TRAINING,
    needs_real_baselines,
    run_now,
)
from vsegrader.training import services
from vsegrader.training.models import BaselineRun
from vsegrader.training.run_events import append_log, progress_update

pytest_plugins = ("tests.training_world",)  # fake_training, sent_tasks


# --- progress lines (no database) -----------------------------------------------------------


def test_progress_lines_become_row_fields_and_short_log_lines():
    start = progress_update('{"event":"start","slug":"glasses","device":"cuda","epochs":20}\n')
    assert start.fields == {"device": "cuda", "epochs": 20, "epoch": 0}
    assert start.log == "start on cuda, 20 epochs"
    assert progress_update('{"event":"phase","name":"pretrain"}').fields == {
        "phase": "pretrain",
        "epoch": 0,
    }
    phase = progress_update('{"event":"phase","name":"finetune","epochs":8}')
    assert phase.fields == {"phase": "finetune", "epoch": 0, "epochs": 8}
    assert phase.log == "phase finetune, 8 epochs"
    epoch = progress_update(
        '{"event":"epoch","epoch":3,"epochs":20,"metric":"val_accuracy","value":0.93}'
    )
    assert epoch.fields == {
        "epoch": 3,
        "epochs": 20,
        "metric_name": "val_accuracy",
        "metric_value": 0.93,
    }
    assert epoch.log == "epoch 3/20 val_accuracy=0.93"
    assert progress_update('{"event":"done","out":"p.csv","seconds":12.34}').log == "done in 12.3 s"


def test_lines_that_are_not_known_events_are_kept_as_text_and_change_nothing():
    assert progress_update("Epoch 1: 100%|####| 10/10").fields == {}
    assert progress_update("Epoch 1: 100%|####| 10/10").log == "Epoch 1: 100%|####| 10/10"
    assert progress_update('{"event":"surprise"}').fields == {}
    assert progress_update("[1, 2]").log == "[1, 2]"
    assert progress_update("   \n") == progress_update("")
    assert len(progress_update("x" * 1000).log) == 200


def test_wrong_types_and_non_finite_values_are_ignored():
    update = progress_update('{"event":"epoch","epoch":"3","epochs":true,"metric":7,"value":NaN}')
    assert update.fields == {}
    assert update.log == "epoch ?/?"


def test_the_log_keeps_only_its_last_lines():
    log = ""
    for number in range(100):
        log = append_log(log, f"line {number}")
    assert log.splitlines() == [f"line {number}" for number in range(40, 100)]


# --- the task, its queue, and no torch in the workers -----------------------------------------


def test_the_task_is_registered_as_baselines_train_and_routed_to_the_gpu_queue():
    from vsegrader.celery import app
    from vsegrader.training.tasks import train_baseline

    assert train_baseline.name == "baselines.train"
    assert app.tasks["baselines.train"].name == "baselines.train"
    router = app.amqp.router
    assert router.route({}, "baselines.train", args=(1,), kwargs={})["queue"].name == "gpu"
    scoring = router.route({}, "challenges.tasks.score_submission", args=(1,), kwargs={})
    assert scoring["queue"].name == "scoring"


def test_loading_every_task_module_of_the_workers_does_not_import_torch():
    code = (
        "import sys, django; django.setup()\n"
        "from vsegrader.celery import app\n"
        "app.loader.import_default_modules()\n"
        "import challenges.tasks, vsegrader.training.tasks, vsegrader.training.services\n"
        "assert {'baselines.train', 'challenges.tasks.score_submission'} <= set(app.tasks)\n"
        "print('torch' in sys.modules)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


# --- running a run --------------------------------------------------------------------------


@needs_real_baselines
@pytest.mark.django_db
def test_an_inline_quick_run_of_fitting_1d_enters_the_leaderboard_as_a_baseline(tmp_path):
    from challenges.bundles.importing import challenge_import
    from challenges.bundles.reader import read_bundle
    from demo.bundles.fitting import build_fitting_1d

    folder = tmp_path / "fitting-1d"
    folder.mkdir()
    build_fitting_1d(folder, 2023, 0.1)
    open_until = timezone.now() + timedelta(days=28)  # as the demo course: open now
    challenge = challenge_import(bundle=read_bundle(folder), deadline=open_until).challenge
    out = StringIO()
    call_command("runbaseline", "fitting-1d", "--quick", "--inline", "--device", "cpu", stdout=out)

    run = BaselineRun.objects.get()
    assert run.status == "succeeded", run.error + "\n" + run.log
    assert (run.device, run.quick, run.error) == ("cpu", True, "")
    assert run.epochs and run.epoch == run.epochs and run.metric_value is not None
    assert "done in" in run.log and "run #1 succeeded" in out.getvalue()
    submission = run.submission
    assert (submission.status, submission.is_baseline) == ("scored", True)
    assert submission.user.username == "baseline"
    rows = leaderboard(challenge=challenge, split="private")
    assert [(r.rank, r.is_baseline, r.submission_id) for r in rows] == [(None, True, submission.pk)]
    assert rows[0].score < constant_prediction_mse(folder) / 5


def constant_prediction_mse(bundle: Path) -> float:
    """The private MSE of the trivial baseline: the training mean everywhere."""
    with open(bundle / "public" / "train.csv") as handle:
        train = [float(row["y"]) for row in csv.DictReader(handle)]
    mean = sum(train) / len(train)
    with open(bundle / "solution.csv") as handle:
        truth = [float(r["y"]) for r in csv.DictReader(handle) if r["Usage"] == "Private"]
    return sum((y - mean) ** 2 for y in truth) / len(truth)


@pytest.mark.django_db
def test_a_run_rebuilds_the_public_folder_reports_progress_and_submits_as_the_baseline(
    challenge, fake_training
):
    fake_training(PERFECT_TRAINING)
    run = run_now(challenge, quick=True, seed=7)
    assert run.status == "succeeded", run.error
    assert (run.epoch, run.epochs, run.metric_name, run.metric_value) == (2, 2, "val_mse", 0.25)
    assert "files: extra.zip sample_submission.csv test.csv train.csv" in run.log
    assert run.log.splitlines()[-1] == "done in 0.1 s"
    assert run.started_at <= run.finished_at
    submission = run.submission
    assert submission.is_baseline and submission.user.username == "baseline"
    assert submission.description == "neural network, quick training"
    assert submission_score(submission_id=submission.pk).public_score == 0.0


@pytest.mark.django_db
def test_runs_of_one_kind_share_one_baseline_row_on_the_leaderboard(challenge, fake_training):
    fake_training(PERFECT_TRAINING)
    for quick in (False, False, True):
        submission_score(submission_id=run_now(challenge, quick=quick).submission_id)
    rows = leaderboard(challenge=challenge, split="public")
    assert sorted((row.name, row.rank) for row in rows) == [
        ("Baseline: neural network", None),
        ("Baseline: neural network, quick training", None),
    ]


@pytest.mark.django_db
def test_a_failing_training_ends_failed_with_its_reason_and_can_run_again(challenge, fake_training):
    # The real command: there is no baseline for the slug 'tiny-1d'.
    failed = run_now(challenge)
    assert failed.status == "failed" and failed.submission is None
    assert failed.error.startswith("Training exited with code ")
    assert ": " in failed.error and failed.finished_at is not None
    assert "stderr: " in failed.log

    fake_training(PERFECT_TRAINING)
    again = run_now(challenge)
    assert again.status == "succeeded" and again.pk != failed.pk
    assert BaselineRun.objects.get(pk=failed.pk).status == "failed"


@pytest.mark.django_db
def test_a_killed_training_names_the_signal(challenge, fake_training):
    fake_training(KILLED_TRAINING)
    run = run_now(challenge)
    assert run.status == "failed"
    assert run.error == (
        "The training process was killed by SIGKILL (out of memory, or stopped by hand)."
    )
    assert run.log == "start on cpu, 5 epochs" and run.epochs == 5


@pytest.mark.django_db
def test_a_training_past_the_time_limit_is_stopped(challenge, fake_training, settings):
    settings.BASELINE_TIMEOUT_SECONDS = 1
    fake_training(SLOW_TRAINING)
    run = run_now(challenge)  # the slow training never ends by itself: it was stopped
    assert run.status == "failed" and run.phase == "warmup"
    assert run.error == "Stopped after the time limit of 1 s (BASELINE_TIMEOUT_SECONDS)."


@pytest.mark.django_db
def test_a_training_that_writes_no_predictions_fails(challenge, fake_training):
    fake_training(SILENT_TRAINING)
    run = run_now(challenge)
    assert (run.status, run.error) == ("failed", "The training ended without predictions.")


@pytest.mark.django_db
def test_predictions_the_challenge_refuses_fail_the_run_with_the_message(
    challenge, fake_training, tmp_path
):
    fake_training("import pathlib, sys; pathlib.Path(sys.argv[2]).write_bytes(b'')")
    assert run_now(challenge).error == "The training ended without predictions."
    fake_training("import pathlib, sys; pathlib.Path(sys.argv[2]).write_bytes(b'x' * 2_000_000)")
    run = run_now(challenge)  # tiny-1d accepts at most 1 MB
    assert run.status == "failed" and run.error.startswith("Submission refused: ")


@pytest.mark.django_db
def test_a_challenge_without_public_files_fails_the_run_saying_so(challenge, fake_training):
    fake_training(PERFECT_TRAINING)
    challenge.files.all().delete()
    run = run_now(challenge)
    assert (run.status, run.error) == (
        "failed",
        "Challenge 'tiny-1d' has no public data files to train on.",
    )


@pytest.mark.django_db
def test_a_finished_run_is_not_trained_twice(challenge, fake_training):
    fake_training(PERFECT_TRAINING)
    run = run_now(challenge)
    assert services.baseline_run_execute(run_id=run.pk) is None
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_a_run_whose_worker_died_is_failed_when_the_next_one_starts(challenge):
    lost = BaselineRun.objects.create(
        challenge=challenge, status="running", started_at=timezone.now() - timedelta(hours=2)
    )
    assert lost.is_lost and not lost.is_active
    services.baseline_run_start(challenge=challenge, enqueue=False)
    lost.refresh_from_db()
    assert (lost.status, lost.error) == ("failed", services.LOST_MESSAGE)


# --- sending to the worker ------------------------------------------------------------------


@pytest.mark.django_db
def test_starting_a_run_sends_it_once_the_transaction_commits(
    challenge, instructor, sent_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.baseline_run_start(challenge=challenge, requested_by=instructor, quick=True)
        assert sent_tasks == []
    assert sent_tasks == [[run.pk]]
    run.refresh_from_db()
    assert (run.status, run.task_id, run.error, run.is_active) == ("queued", "task-123", "", True)


@pytest.mark.django_db
def test_a_broker_that_is_down_leaves_the_run_queued_saying_so(
    challenge, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from vsegrader.training.tasks import train_baseline

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(train_baseline, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.baseline_run_start(challenge=challenge)
    run.refresh_from_db()
    assert run.status == "queued" and not run.is_active
    assert run.error.startswith("Not sent to a GPU worker: the task broker could not be reached")
    assert "Connection refused" in run.error


def test_an_unknown_device_is_refused():
    with pytest.raises(ValueError, match="Unknown device 'tpu'"):
        services.baseline_run_start(challenge=None, device="tpu")
