"""The settings read the environment through validated helpers (vsegrader/environment.py).

A value that cannot mean what the variable needs stops the site, with a message naming the
variable and what it accepts, instead of silently reading as something else. The helpers
are tested as pure functions; the settings module is imported in a fresh interpreter, as the
site, the workers and `manage.py` import it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from vsegrader import environment

ROOT = Path(__file__).resolve().parent.parent
PRINTED = (
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SUBMISSION_MAX_BYTES",
    "TRUSTED_PROXY_COUNT",
    "SECURE_HTTPS",
    "SUBMISSION_UPLOAD_RATE",
)
READ_SETTINGS = (
    "import json, vsegrader.settings as s; "
    f"print(json.dumps({{name: getattr(s, name) for name in {PRINTED!r}}}))"
)
# Variables a developer's shell may have set that would change what the settings read.
READ_BY_SETTINGS = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SUBMISSION_MAX_MB",
    "TRUSTED_PROXY_COUNT",
    "SECURE_HTTPS",
    "SECURE_COOKIES",
    "SUBMISSION_UPLOAD_RATE",
    "VSEGRADER_API_RATE",
    "LOG_LEVEL",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
)


def import_settings(tmp_path, **variables) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in READ_BY_SETTINGS}
    env.update(VSEGRADER_VAR_DIR=str(tmp_path), **variables)
    return subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_settings(tmp_path, **variables) -> dict:
    result = import_settings(tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("variable", "value", "accepted"),
    [
        ("DEBUG", "flase", "1, true, yes, on (on) or 0, false, no, off (off)"),
        ("SUBMISSION_MAX_MB", "50MB", "a whole number, 0 or more"),
        ("TRUSTED_PROXY_COUNT", "-1", "a whole number, 0 or more"),
        ("ALLOWED_HOSTS", "grader.vse.cz grader2.vse.cz", "separated by commas"),
        ("CSRF_TRUSTED_ORIGINS", "grader.vse.cz", "http:// or https://"),
        ("VSEGRADER_API_RATE", "120 per minute", "a rate such as 10/min"),
        ("LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ],
)
def test_the_site_refuses_to_start_on_a_value_it_cannot_read(tmp_path, variable, value, accepted):
    result = import_settings(tmp_path, **{variable: value})

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured")
    assert f"{variable}={value!r}" in last_line
    assert accepted in last_line


def test_the_settings_read_well_formed_values_as_they_are_meant(tmp_path):
    settings = read_settings(
        tmp_path,
        DEBUG="off",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS=" grader.vse.cz, grader2.vse.cz ,",
        CSRF_TRUSTED_ORIGINS="https://grader.vse.cz",
        SUBMISSION_MAX_MB="20",
        TRUSTED_PROXY_COUNT="1",
        SECURE_HTTPS="No",
        SUBMISSION_UPLOAD_RATE="",
    )

    assert settings == {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["grader.vse.cz", "grader2.vse.cz"],
        "CSRF_TRUSTED_ORIGINS": ["https://grader.vse.cz"],
        "SUBMISSION_MAX_BYTES": 20 * 1024 * 1024,
        "TRUSTED_PROXY_COUNT": 1,
        "SECURE_HTTPS": False,
        "SUBMISSION_UPLOAD_RATE": "",
    }


def test_with_no_environment_the_settings_are_the_embedded_defaults(tmp_path):
    settings = read_settings(tmp_path)

    assert settings["DEBUG"] is True
    assert settings["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "testserver"]
    assert settings["SUBMISSION_MAX_BYTES"] == 50 * 1024 * 1024
    assert settings["TRUSTED_PROXY_COUNT"] == 0
    assert settings["SECURE_HTTPS"] is False
    assert settings["SUBMISSION_UPLOAD_RATE"] == "10/min"


@pytest.mark.parametrize("word", ["1", "true", "YES", " on "])
def test_a_switch_reads_every_word_for_on_as_true(monkeypatch, word):
    monkeypatch.setenv("SOME_SWITCH", word)
    assert environment.env_bool("SOME_SWITCH", False) is True


@pytest.mark.parametrize("word", ["0", "false", "No", "OFF"])
def test_a_switch_reads_every_word_for_off_as_false(monkeypatch, word):
    monkeypatch.setenv("SOME_SWITCH", word)
    assert environment.env_bool("SOME_SWITCH", True) is False


@pytest.mark.parametrize("word", ["", "flase", "2", "y"])
def test_a_switch_refuses_any_other_word_even_an_empty_one(monkeypatch, word):
    monkeypatch.setenv("SOME_SWITCH", word)
    with pytest.raises(ImproperlyConfigured, match="SOME_SWITCH="):
        environment.env_bool("SOME_SWITCH", False)


def test_an_unset_or_empty_number_takes_its_default(monkeypatch):
    monkeypatch.delenv("SOME_NUMBER", raising=False)
    assert environment.env_int("SOME_NUMBER", 7) == 7
    monkeypatch.setenv("SOME_NUMBER", " ")
    assert environment.env_int("SOME_NUMBER", 7) == 7


@pytest.mark.parametrize("value", ["1.5", "ten", "0x10", "-3"])
def test_a_number_refuses_anything_but_a_whole_number_at_its_minimum(monkeypatch, value):
    monkeypatch.setenv("SOME_NUMBER", value)
    with pytest.raises(ImproperlyConfigured, match="a whole number, 0 or more"):
        environment.env_int("SOME_NUMBER", 7)


def test_a_rate_may_be_empty_to_turn_the_limit_off(monkeypatch):
    monkeypatch.setenv("SOME_RATE", "")
    assert environment.env_rate("SOME_RATE", "10/min") == ""
    monkeypatch.setenv("SOME_RATE", "100/hour")
    assert environment.env_rate("SOME_RATE", "10/min") == "100/hour"
