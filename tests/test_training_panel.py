"""Baseline runs as instructors start them: the panel on the challenge page and
`manage.py runbaseline`."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tests.training_world import (
    KILLED_TRAINING,
    PERFECT_TRAINING,
)
from vsegrader.training import services
from vsegrader.training.models import BaselineRun

pytest_plugins = ("tests.training_world",)  # fake_training, sent_tasks


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
