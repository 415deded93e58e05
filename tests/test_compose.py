"""docker-compose.yml must point at modules and queues that exist."""

import importlib
import shlex
from pathlib import Path

import yaml
from django.conf import settings

COMPOSE = Path(__file__).resolve().parent.parent / "docker-compose.yml"


def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def words(command) -> list[str]:
    return command if isinstance(command, list) else shlex.split(command.replace("\n", " "))


def known_queues() -> set[str]:
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    return routed | {settings.CELERY_TASK_DEFAULT_QUEUE, settings.SCORING_BULK_QUEUE}


def test_the_stack_has_every_service_the_design_names():
    assert {"web", "worker", "gpu-worker", "beat", "redis", "postgres"} <= set(services())


def test_every_celery_command_names_an_importable_app_and_known_queues():
    for name, service in services().items():
        argv = words(service.get("command", ""))
        if not argv or argv[0] != "celery":
            continue
        app_module = argv[argv.index("-A") + 1]
        assert importlib.import_module(app_module).celery_app, name
        if "--queues" in argv:
            queues = set(argv[argv.index("--queues") + 1].split(","))
            assert queues <= known_queues(), f"{name} consumes unknown queues {queues}"


def test_the_scoring_workers_consume_the_bulk_queue_too():
    scoring = words(services()["worker"]["command"])
    assert settings.SCORING_BULK_QUEUE in scoring[scoring.index("--queues") + 1].split(",")


def test_the_gpu_worker_alone_consumes_the_gpu_queue_and_reserves_a_gpu():
    stack = services()
    gpu = words(stack["gpu-worker"]["command"])
    assert gpu[gpu.index("--queues") + 1] == "gpu"
    scoring = words(stack["worker"]["command"])
    assert "gpu" not in scoring[scoring.index("--queues") + 1].split(",")
    devices = stack["gpu-worker"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["capabilities"] == ["gpu"]


def test_the_web_command_serves_the_wsgi_application_with_gunicorn():
    command = " ".join(words(services()["web"]["command"]))
    target = command.split("gunicorn ", 1)[1].split()[0]
    module, attribute = target.split(":")
    assert callable(getattr(importlib.import_module(module), attribute))


def test_only_the_gpu_worker_image_installs_torch():
    root = COMPOSE.parent
    assert "torch" not in (root / "requirements" / "runtime.txt").read_text()
    assert "torch==" in (root / "requirements" / "torch.txt").read_text()
    dockerfile = (root / "Dockerfile").read_text()
    assert 'if [ -n "$TORCH_INDEX_URL" ]' in dockerfile
    assert '-r requirements/torch.txt --index-url "$TORCH_INDEX_URL"; fi' in dockerfile
    gpu_args = services()["gpu-worker"]["build"]["args"]
    assert gpu_args.get("TORCH_INDEX_URL")
    assert "TORCH_INDEX_URL" not in str(services()["worker"].get("build", ""))
