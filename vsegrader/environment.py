"""Typed, validated reading of the environment for settings.py.

A value that cannot mean what the variable needs stops the site at start-up with a message
naming the variable, the value and what it accepts: `DEBUG=flase` must not read as False.
An unset variable takes its default; an empty one too, except for the on/off switches, where
an empty value is refused like any other word that is neither on nor off.
"""

import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
# DRF's throttle rates and SUBMISSION_UPLOAD_RATE: a count per second, minute, hour or day.
RATE = re.compile(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def refuse(name: str, value: str, accepted: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"The environment variable {name}={value!r} is not valid: it must be {accepted}."
    )


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    accepted = f"one of {', '.join(TRUE_WORDS)} (on) or {', '.join(FALSE_WORDS)} (off)"
    raise refuse(name, value, accepted)


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise refuse(name, value, f"a whole number, {minimum} or more")
    return number


def env_list(name: str, default: str, *, prefixes: tuple[str, ...] = ()) -> list[str]:
    """Comma-separated items; an item with a space inside (items separated by spaces, not
    commas) is refused, and so is one that lacks every one of `prefixes`, when given."""
    value = env_str(name, default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    for item in items:
        if any(character.isspace() for character in item):
            raise refuse(name, value, "a list of items separated by commas (no spaces inside)")
        if prefixes and not item.startswith(prefixes):
            raise refuse(name, value, f"a comma-separated list of {' or '.join(prefixes)}… items")
    return items


def env_rate(name: str, default: str) -> str:
    """A rate such as 120/min, or empty (no limit)."""
    value = env_str(name, default).strip()
    if value and not RATE.fullmatch(value):
        raise refuse(name, value, "a rate such as 10/min, 100/hour or 1000/day, or empty")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).strip()
    if value.upper() not in choices:
        raise refuse(name, value, f"one of {', '.join(choices)}")
    return value.upper()


# --- the secret key ---------------------------------------------------------------------------

# The key a development checkout used before keys were kept: public, so never with DEBUG off.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-in-production"


def kept_secret(name: str, kept_in: Path) -> str:
    """The variable's value; unset, the key kept in the file `kept_in` (`dev.py serve` makes
    one in its data folder), or "" when there is none."""
    value = env_str(name).strip()
    if value:
        return value
    try:
        return kept_in.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def require_secret_key(key: str, *, debug: bool) -> str:
    """The key to sign with: with DEBUG on a missing one is the development key; with DEBUG
    off a missing key, or the development one (it is public), stops the site."""
    if debug:
        return key or DEVELOPMENT_SECRET_KEY
    if key and key != DEVELOPMENT_SECRET_KEY:
        return key
    problem = "it is the public development key" if key else "it is not set"
    raise ImproperlyConfigured(
        f"SECRET_KEY must be set when DEBUG is off ({problem}). Set SECRET_KEY to a long "
        'random string (python3 -c "import secrets; print(secrets.token_urlsafe(50))"), '
        "run the site with `python3 dev.py serve`, which makes one and keeps it in its data "
        "folder, or turn DEBUG on for development (DJANGO_DEBUG=1)."
    )
