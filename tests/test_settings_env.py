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

import dev
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
    "DJANGO_DEBUG",
    "DEBUG",
    "SECRET_KEY",
    "PSEUDONYM_KEY",
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


A_SECRET_KEY = "a-secret-key-for-these-tests-only-" + "x" * 20


def settings_env(tmp_path, variables: dict) -> dict:
    """The environment without the developer's settings, with a secret key and the given
    variables; a variable given as None is left out."""
    env = {key: value for key, value in os.environ.items() if key not in READ_BY_SETTINGS}
    env.update(VSEGRADER_VAR_DIR=str(tmp_path), SECRET_KEY=A_SECRET_KEY)
    for name, value in variables.items():
        env.pop(name) if value is None else env.update({name: value})
    return env


def import_settings(tmp_path, code=READ_SETTINGS, **variables) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=settings_env(tmp_path, variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


def start_django(tmp_path, **variables) -> subprocess.CompletedProcess:
    """`django.setup()` with the site's settings, as `manage.py` and the workers start."""
    variables.setdefault("DJANGO_SETTINGS_MODULE", "vsegrader.settings")
    return import_settings(tmp_path, "import django; django.setup()", **variables)


def refusal(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured")
    return last_line


def read_settings(tmp_path, **variables) -> dict:
    result = import_settings(tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def keys_in(tmp_path, **variables) -> dict:
    code = (
        "import json, vsegrader.settings as s; print(json.dumps([s.SECRET_KEY, s.PSEUDONYM_KEY]))"
    )
    result = import_settings(tmp_path, code, **variables)
    assert result.returncode == 0, result.stderr
    secret_key, pseudonym_key = json.loads(result.stdout.strip().splitlines()[-1])
    return {"SECRET_KEY": secret_key, "PSEUDONYM_KEY": pseudonym_key}


@pytest.mark.parametrize(
    ("variable", "value", "accepted"),
    [
        ("DEBUG", "flase", "1, true, yes, on (on) or 0, false, no, off (off)"),
        ("DJANGO_DEBUG", "maybe", "1, true, yes, on (on) or 0, false, no, off (off)"),
        ("SUBMISSION_MAX_MB", "50MB", "a whole number, 0 or more"),
        ("TRUSTED_PROXY_COUNT", "-1", "a whole number, 0 or more"),
        ("ALLOWED_HOSTS", "grader.vse.cz grader2.vse.cz", "separated by commas"),
        ("CSRF_TRUSTED_ORIGINS", "grader.vse.cz", "http:// or https://"),
        ("VSEGRADER_API_RATE", "120 per minute", "a rate such as 10/min"),
        ("LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ],
)
def test_the_site_refuses_to_start_on_a_value_it_cannot_read(tmp_path, variable, value, accepted):
    last_line = refusal(import_settings(tmp_path, **{variable: value}))

    assert f"{variable}={value!r}" in last_line
    assert accepted in last_line


def test_the_settings_read_well_formed_values_as_they_are_meant(tmp_path):
    settings = read_settings(
        tmp_path,
        DEBUG="off",
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


def test_as_dev_py_serve_starts_the_site_the_settings_are_the_embedded_defaults(
    tmp_path, no_keys_given
):
    settings = read_settings(tmp_path, **dev.serve_environment(tmp_path, debug=False))

    assert settings["DEBUG"] is False
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


# --- DEBUG off unless asked for, and a secret key of the site's own ---------------------------


def test_debug_is_off_unless_asked_for(tmp_path):
    assert read_settings(tmp_path)["DEBUG"] is False


@pytest.mark.parametrize(
    "variables",
    [{"DJANGO_DEBUG": "1"}, {"DJANGO_DEBUG": "yes"}, {"DEBUG": "1"}],
    ids=["DJANGO_DEBUG=1", "DJANGO_DEBUG=yes", "DEBUG=1 (the older name)"],
)
def test_the_environment_turns_debug_on(tmp_path, variables):
    assert read_settings(tmp_path, **variables)["DEBUG"] is True


def test_django_debug_wins_over_the_older_name(tmp_path):
    assert read_settings(tmp_path, DJANGO_DEBUG="0", DEBUG="1")["DEBUG"] is False


def test_with_debug_off_the_site_refuses_to_start_without_a_secret_key(tmp_path):
    last_line = refusal(start_django(tmp_path, SECRET_KEY=None))
    assert "SECRET_KEY must be set when DEBUG is off (it is not set)" in last_line
    assert "python3 dev.py serve" in last_line and "DJANGO_DEBUG=1" in last_line


def test_with_debug_off_the_site_refuses_the_public_development_key(tmp_path):
    result = start_django(tmp_path, SECRET_KEY=environment.DEVELOPMENT_SECRET_KEY)
    assert "(it is the public development key)" in refusal(result)


def test_with_debug_on_a_missing_key_is_the_development_one(tmp_path):
    keys = keys_in(tmp_path, SECRET_KEY=None, DJANGO_DEBUG="1")
    assert keys["SECRET_KEY"] == environment.DEVELOPMENT_SECRET_KEY


def test_the_settings_take_the_keys_dev_py_keeps_in_the_data_folder(tmp_path):
    (tmp_path / "secret_key").write_text("kept-secret-key-" + "s" * 40 + "\n")
    (tmp_path / "pseudonym_key").write_text("kept-pseudonym-key\n")
    assert start_django(tmp_path, SECRET_KEY=None).returncode == 0
    assert keys_in(tmp_path, SECRET_KEY=None) == {
        "SECRET_KEY": "kept-secret-key-" + "s" * 40,
        "PSEUDONYM_KEY": "kept-pseudonym-key",
    }
    given = keys_in(tmp_path, PSEUDONYM_KEY="given")  # the environment wins over the folder
    assert given == {"SECRET_KEY": A_SECRET_KEY, "PSEUDONYM_KEY": "given"}


def test_without_a_kept_or_given_pseudonym_key_pseudonyms_are_keyed_by_the_secret_key(tmp_path):
    assert keys_in(tmp_path)["PSEUDONYM_KEY"] == A_SECRET_KEY


# --- the keys `dev.py serve` makes (dev.py, imported) ------------------------------------------


@pytest.fixture
def no_keys_given(monkeypatch):
    for name in ("SECRET_KEY", "PSEUDONYM_KEY", "SECURE_HTTPS", "DJANGO_DEBUG"):
        monkeypatch.delenv(name, raising=False)


def test_dev_py_makes_a_random_key_once_readable_by_its_owner_only(tmp_path):
    first = dev.kept_key(tmp_path / "secret_key")
    again = dev.kept_key(tmp_path / "secret_key")

    assert first == again == (tmp_path / "secret_key").read_text().strip()
    assert len(first) >= 50 and first != dev.kept_key(tmp_path / "another_key")
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert list(tmp_path.glob("*.tmp")) == []


def test_dev_py_serve_passes_the_kept_keys_and_plain_http_to_what_it_runs(tmp_path, no_keys_given):
    first = dev.serve_environment(tmp_path, debug=False)
    again = dev.serve_environment(tmp_path, debug=False)

    assert first == again  # the next start reuses the keys
    assert first["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    assert first["PSEUDONYM_KEY"] == (tmp_path / "pseudonym_key").read_text().strip()
    assert first["PSEUDONYM_KEY"] != first["SECRET_KEY"]
    assert first["SECURE_HTTPS"] == "0" and "DJANGO_DEBUG" not in first
    assert dev.serve_environment(tmp_path, debug=True)["DJANGO_DEBUG"] == "1"


def test_dev_py_serve_takes_keys_the_environment_gives(tmp_path, no_keys_given, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "given-secret")
    monkeypatch.setenv("PSEUDONYM_KEY", "given-pseudonym")
    environment_ = dev.serve_environment(tmp_path, debug=False)
    assert (environment_["SECRET_KEY"], environment_["PSEUDONYM_KEY"]) == (
        "given-secret",
        "given-pseudonym",
    )
    assert not (tmp_path / "secret_key").exists()


def test_a_folder_that_served_a_course_before_keys_were_kept_keeps_its_pseudonyms(
    tmp_path, no_keys_given
):
    (tmp_path / "vsegrader.sqlite3").write_bytes(b"")  # named with the development key then

    keys = dev.serve_environment(tmp_path, debug=False)

    assert keys["PSEUDONYM_KEY"] == dev.DEVELOPMENT_SECRET_KEY
    assert keys["SECRET_KEY"] != dev.DEVELOPMENT_SECRET_KEY  # the site itself gets a new key
    assert dev.serve_environment(tmp_path, debug=False) == keys


def test_dev_py_and_the_settings_know_the_same_development_key():
    assert dev.DEVELOPMENT_SECRET_KEY == environment.DEVELOPMENT_SECRET_KEY
