"""The production stack is secure by default (issue #18, items 5 and 6).

`manage.py check --deploy` is clean in the production environment, compose refuses to
start without a SECRET_KEY and puts nginx (buffering, timeouts) in front of gunicorn, whose
threaded workers keep serving while slow clients trickle their bodies in.
"""

import contextlib
import os
import re
import runpy
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.servers import LoggedProcess, free_port, port_open, wait_for

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
NGINX = ROOT / "deploy" / "nginx"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
NGINX_BIN = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
SETTINGS_PRINTED = (
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "TRUSTED_PROXY_COUNT",
)


def production_env(tmp_path, **extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "SECURE_HTTPS", "SECURE_COOKIES"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="grader.example",
        VSEGRADER_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="vsegrader.settings",
    )
    env.update(extra)
    return env


def run_python(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def settings_in(env: dict) -> dict:
    code = (
        "import json, vsegrader.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {SETTINGS_PRINTED!r}}}))"
    )
    result = run_python(["-c", code], env)
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout)


def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


# --- settings ----------------------------------------------------------------------------------


def test_check_deploy_is_clean_in_the_production_environment(tmp_path):
    args = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    result = run_python(args, production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert not re.search(r"\bW0\d\d\b", result.stdout + result.stderr)


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = run_python(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_turns_on_https_cookies_redirect_and_hsts(tmp_path):
    values = settings_in(production_env(tmp_path, TRUSTED_PROXY_COUNT="1"))
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_without_a_trusted_proxy_no_header_can_claim_https(tmp_path):
    values = settings_in(production_env(tmp_path))
    assert values["TRUSTED_PROXY_COUNT"] == 0 and values["SECURE_PROXY_SSL_HEADER"] is None


@pytest.mark.parametrize("switch", ["SECURE_HTTPS", "SECURE_COOKIES"])
def test_a_plain_http_local_try_turns_https_off_explicitly(tmp_path, switch):
    values = settings_in(production_env(tmp_path, **{switch: "0"}))
    assert not values["SECURE_SSL_REDIRECT"] and not values["SESSION_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_the_embedded_default_stays_plain_http(tmp_path, settings, monkeypatch):
    import dev

    for name in ("SECRET_KEY", "PSEUDONYM_KEY", "SECURE_HTTPS"):
        monkeypatch.delenv(name, raising=False)
    env = production_env(tmp_path)
    for name in ("DEBUG", "SECRET_KEY"):
        del env[name]
    env.update(dev.serve_environment(tmp_path, debug=False))
    values = settings_in(env)  # what `python3 dev.py serve` gets
    assert not values["SECURE_SSL_REDIRECT"] and not values["SESSION_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert not settings.SECURE_SSL_REDIRECT  # nor the test suite (tests/settings.py)


# --- compose, nginx, gunicorn --------------------------------------------------------------


def test_compose_has_no_default_secret_and_does_not_turn_https_off():
    environment = yaml.safe_load(COMPOSE.read_text())["x-app"]["environment"]
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", environment["SECRET_KEY"])
    assert environment["SECURE_HTTPS"] == "${SECURE_HTTPS:-1}"
    assert "SECURE_COOKIES" not in environment and "change-me" not in COMPOSE.read_text()
    assert environment["TRUSTED_PROXY_COUNT"] == "1"  # nginx


def test_only_nginx_faces_the_network():
    stack = services()
    published = {name for name, service in stack.items() if service.get("ports")}
    assert published == {"nginx"}
    assert stack["nginx"]["ports"] == ["80:80", "443:443"]
    for volume in stack["nginx"]["volumes"]:
        source = volume.replace("${NGINX_SITE:-https.conf}", "https.conf").split(":")[0]
        if source.startswith("./deploy/nginx/"):
            assert (ROOT / source).is_file(), volume


def test_nginx_buffers_bodies_times_out_slow_clients_and_sets_the_forwarded_headers():
    proxy = (NGINX / "proxy.conf").read_text()
    for directive in (
        "proxy_request_buffering on;",
        "client_body_timeout 20s;",
        "client_header_timeout 10s;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_pass http://vsegrader_web;",
    ):
        assert directive in proxy
    https = (NGINX / "https.conf").read_text()
    assert "return 301 https://$host$request_uri;" in https and "listen 443 ssl;" in https
    for site in ("https.conf", "http.conf"):
        assert "include /etc/nginx/vsegrader-proxy.conf;" in (NGINX / site).read_text()


def test_gunicorn_runs_threaded_workers_with_timeouts():
    conf = runpy.run_path(str(GUNICORN_CONF))
    assert conf["worker_class"] == "gthread" and conf["threads"] >= 2
    assert 0 < conf["timeout"] <= 120 and conf["keepalive"] > 0
    web = " ".join(services()["web"]["command"].split())
    assert "gunicorn vsegrader.wsgi:application --config deploy/gunicorn.conf.py" in web
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"--config", "deploy/gunicorn.conf.py"' in dockerfile


def send_partial_body(port: int) -> socket.socket:
    """A client that declares a 100 kB body and sends one byte of it, to a view that reads
    the body (the token endpoint parses its JSON)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        b"POST /api/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\n"
        b"Content-Length: 100000\r\n\r\n{"
    )
    return sock


def get_status(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(
            b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        return sock.recv(64).split(b"\r\n")[0]


@contextlib.contextmanager
def serving(command: list[str], env: dict, port: int):
    """Runs `command` until the block ends; it must listen on `port`."""
    process = LoggedProcess(command, env)
    try:
        wait_for(lambda: port_open(port) or process.process.poll() is not None, command[0])
        assert process.process.poll() is None, "".join(process.log)
        yield process
    finally:
        process.process.terminate()
        process.process.wait(timeout=30)


def gunicorn(tmp_path, port: int, *options: str) -> contextlib.AbstractContextManager:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "VSEGRADER_VAR_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "gunicorn", "vsegrader.wsgi:application"]
    return serving([*command, "--config", str(GUNICORN_CONF), *options], env, port)


def assert_served_beside_slow_bodies(port: int) -> None:
    slow = [send_partial_body(port) for _ in range(2)]
    try:
        assert get_status(port) == b"HTTP/1.1 200 OK"
    finally:
        for sock in slow:
            sock.close()


def test_two_slow_bodies_do_not_stall_a_normal_request(tmp_path):
    """The reproduction: with one sync worker the GET waited for the slow bodies."""
    port = free_port()
    with gunicorn(tmp_path, port):
        assert_served_beside_slow_bodies(port)


def nginx_conf(tmp_path, port: int, upstream: int) -> Path:
    """deploy/nginx/http.conf as the stack runs it, on spare ports and in `tmp_path`."""
    site = (NGINX / "http.conf").read_text()
    site = site.replace("server web:8000", f"server 127.0.0.1:{upstream}")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("/etc/nginx/vsegrader-proxy.conf", str(NGINX / "proxy.conf"))
    temp = "".join(
        f"{kind}_temp_path {tmp_path / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{\naccess_log off;\n{temp}{site}\n}}\n"
    )
    return conf


@pytest.mark.skipif(NGINX_BIN is None, reason="nginx is not installed")
def test_behind_nginx_even_one_sync_worker_is_not_stalled_by_slow_bodies(tmp_path):
    """nginx reads the whole body before gunicorn sees the request: the worst worker
    (one, sync, one thread) is never held by a slow client."""
    web_port, proxy_port = free_port(), free_port()
    nginx = [NGINX_BIN, "-c", str(nginx_conf(tmp_path, proxy_port, web_port)), "-g", "daemon off;"]
    sync_worker = gunicorn(tmp_path, web_port, "--worker-class", "sync", "--threads", "1")
    with sync_worker, serving(nginx, dict(os.environ), proxy_port):
        assert_served_beside_slow_bodies(proxy_port)
