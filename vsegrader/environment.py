"""Typed, validated reading of the environment for settings.py.

A value that cannot mean what the variable needs stops the site at start-up with a message
naming the variable, the value and what it accepts: `DEBUG=flase` must not read as False.
An unset variable takes its default; an empty one too, except for the on/off switches, where
an empty value is refused like any other word that is neither on nor off.
"""

import os
import re

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
