"""Baseline runs: the `baselines.train` task on the gpu queue, the child process it trains in,
its live progress, its failures, the instructors' panel and `manage.py runbaseline`."""

import csv
import importlib.util
import os
import re
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from challenges.boards.leaderboards import leaderboard
from challenges.models import Submission
from challenges.submissions.judge import submission_score
from vsegrader.training import services
from vsegrader.training.models import BaselineRun
from vsegrader.training.run_events import append_log, progress_update

ROOT = Path(__file__).resolve().parent.parent
REAL_BASELINES = importlib.util.find_spec("torch") is not None and (ROOT / "baselines").is_dir()
needs_real_baselines = pytest.mark.skipif(
    not REAL_BASELINES, reason="needs torch and the baselines/ package"
)

# A stand-in for `python -m baselines` on the tiny-1d challenge: argv is DATA_DIR OUT_FILE.
PERFECT_TRAINING = """
import json, pathlib, sys
data, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
say = lambda **event: print(json.dumps(event), flush=True)
say(event="start", slug="tiny-1d", device="cpu", epochs=2)
print("files: " + " ".join(sorted(p.name for p in data.iterdir())))
say(event="epoch", epoch=1, epochs=2, metric="val_mse", value=0.5)
say(event="epoch", epoch=2, epochs=2, metric="val_mse", value=0.25)
ids = [line.split(",")[0] for line in (data / "test.csv").read_text().splitlines()[1:]]
out.write_text("id,y\\n" + "".join(f"{i},{int(i) / 2}\\n" for i in ids))
say(event="done", out=str(out), seconds=0.1)
"""
KILLED_TRAINING = """
import json, os, signal
print(json.dumps({"event": "start", "slug": "tiny-1d", "device": "cpu", "epochs": 5}), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""
SLOW_TRAINING = (
    'import time; print(\'{"event": "phase", "name": "warmup"}\', flush=True)\ntime.sleep(60)'
)
SILENT_TRAINING = "pass"


@pytest.fixture
def fake_training(monkeypatch):
    """Replaces the `python -m baselines` command line with a script of the test's own."""

    def use(script: str) -> None:
        monkeypatch.setattr(
            services,
            "baseline_command",
            lambda run, data, out: [sys.executable, "-c", script, str(data), str(out)],
        )

    return use


@pytest.fixture
def sent_tasks(monkeypatch):
    """Records what would go to the broker instead of sending it."""
    from vsegrader.training.tasks import train_baseline

    sent = []

    class Result:
        id = "task-123"

    def apply_async(args, **options):
        sent.append(args)
        return Result()

    monkeypatch.setattr(train_baseline, "apply_async", apply_async)
    return sent


def run_now(challenge, **options) -> BaselineRun:
    run = services.baseline_run_start(challenge=challenge, enqueue=False, **options)
    return services.baseline_run_execute(run_id=run.pk)


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


# --- the panel ------------------------------------------------------------------------------


PANEL = "/challenges/tiny-1d/baseline/"
RUN = "/challenges/tiny-1d/baseline/run/"


@pytest.mark.django_db
def test_only_instructors_see_the_panel(client, challenge, student, instructor):
    assert client.get(PANEL).status_code == 404
    client.force_login(student)
    assert client.get(PANEL).status_code == 404
    client.force_login(instructor)
    response = client.get(PANEL)
    assert response.status_code == 200
    assert b"No baseline run yet." in response.content
    assert b"every 2s" not in response.content


@pytest.mark.django_db
def test_the_panel_shows_live_progress_and_polls_while_a_run_is_active(
    client, challenge, instructor
):
    BaselineRun.objects.create(
        challenge=challenge,
        status="running",
        started_at=timezone.now(),
        device="cuda",
        phase="pretrain",
        epoch=3,
        epochs=20,
        metric_name="val_accuracy",
        metric_value=0.93,
    )
    client.force_login(instructor)
    html = client.get(PANEL).content.decode()
    assert 'hx-trigger="every 2s"' in html and 'hx-get="/challenges/tiny-1d/baseline/"' in html
    assert "pretrain epoch 3/20" in html and "val_accuracy 0.93" in html
    BaselineRun.objects.update(status="failed", error="Training exited with code 2: no GPU")
    html = client.get(PANEL).content.decode()
    assert "every 2s" not in html and "hx-get" not in html.split("<form")[0]
    assert "Training exited with code 2: no GPU" in html


@pytest.mark.django_db
def test_starting_a_run_needs_the_csrf_token_and_an_instructor(
    challenge, instructor, student, sent_tasks
):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(RUN, {"mode": "quick"}).status_code == 403  # anonymous, no token
    browser.force_login(instructor)
    assert browser.post(RUN, {"mode": "quick"}).status_code == 403
    assert not BaselineRun.objects.exists()

    token = csrf_token(browser.get(PANEL).content.decode())
    response = browser.post(
        RUN,
        {"mode": "quick", "device": "cpu", "seed": "3", "csrfmiddlewaretoken": token},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    run = BaselineRun.objects.get()
    assert (run.quick, run.device, run.seed, run.requested_by) == (True, "cpu", 3, instructor)
    assert f"Run #{run.pk} queued" in response.content.decode()
    assert 'value="3"' in response.content.decode()  # the panel keeps the chosen seed

    browser.force_login(student)
    assert browser.post(RUN, {"mode": "full", "csrfmiddlewaretoken": token}).status_code == 404
    assert BaselineRun.objects.count() == 1


@pytest.mark.django_db
def test_a_plain_form_post_goes_back_to_the_challenge_and_bad_input_is_explained(
    client, challenge, instructor, sent_tasks
):
    client.force_login(instructor)
    response = client.post(RUN, {"mode": "full", "device": "auto"})
    assert response.status_code == 302
    assert response["Location"] == "/challenges/tiny-1d/#baseline-panel"
    assert BaselineRun.objects.get().quick is False
    response = client.post(RUN, {"mode": "full", "device": "tpu"})
    assert response.status_code == 400 and b"tpu is not one of the available" in response.content
    assert client.get(RUN).status_code == 405


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


# --- manage.py runbaseline ------------------------------------------------------------------


@pytest.mark.django_db
def test_runbaseline_needs_challenges_that_exist(challenge):
    with pytest.raises(CommandError, match="or give --all"):
        call_command("runbaseline")
    with pytest.raises(CommandError, match="No such challenge: nope"):
        call_command("runbaseline", "tiny-1d", "nope")


@pytest.mark.django_db(transaction=True)
def test_runbaseline_all_queues_one_run_per_challenge(challenge, sent_tasks):
    out = StringIO()
    call_command("runbaseline", "--all", "--quick", "--device", "cuda", stdout=out)
    run = BaselineRun.objects.get()
    assert sent_tasks == [[run.pk]] and (run.quick, run.device) == (True, "cuda")
    assert f"tiny-1d: run #{run.pk} queued for the GPU worker" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_runbaseline_says_when_the_broker_is_down(challenge, monkeypatch):
    monkeypatch.setattr(services, "enqueue_baseline", failing_enqueue)
    err = StringIO()
    with pytest.raises(CommandError, match="could not be sent"):
        call_command("runbaseline", "tiny-1d", stdout=StringIO(), stderr=err)
    assert "Not sent to a GPU worker" in err.getvalue()


def failing_enqueue(run_id: int) -> bool:
    BaselineRun.objects.filter(pk=run_id).update(
        error=services.BROKER_DOWN_MESSAGE.format(error="x")
    )
    return False


@pytest.mark.django_db(transaction=True)
def test_runbaseline_wait_follows_the_run_to_its_end(challenge, fake_training, monkeypatch):
    fake_training(PERFECT_TRAINING)

    def worker_at_once(run_id: int) -> bool:
        return services.baseline_run_execute(run_id=run_id) is not None

    monkeypatch.setattr(services, "enqueue_baseline", worker_at_once)
    out = StringIO()
    call_command("runbaseline", "tiny-1d", "--wait", stdout=out)
    assert "tiny-1d: succeeded · epoch 2/2 · val_mse 0.25" in out.getvalue()
    assert re.search(r"run #\d+ succeeded, submission #\d+ queued", out.getvalue())


@pytest.mark.django_db
def test_runbaseline_inline_trains_and_scores_here_and_fails_loudly(challenge, fake_training):
    fake_training(PERFECT_TRAINING)
    out = StringIO()
    call_command("runbaseline", "tiny-1d", "--inline", stdout=out)
    assert "tiny-1d: epoch 2/2 val_mse=0.25" in out.getvalue()
    assert re.search(r"run #\d+ succeeded, submission #\d+ scored, public 0\b", out.getvalue())
    fake_training(KILLED_TRAINING)
    with pytest.raises(CommandError, match="1 of 1 baseline runs failed"):
        call_command("runbaseline", "tiny-1d", "--inline", stdout=out)
