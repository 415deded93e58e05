"""Generated display names: stable per account, unique, and not derivable without the key."""

import hashlib
import hmac
import re

from django.conf import settings

ADJECTIVES = [
    "Agile",
    "Bold",
    "Brave",
    "Bright",
    "Calm",
    "Clever",
    "Cosmic",
    "Curious",
    "Daring",
    "Eager",
    "Fierce",
    "Gentle",
    "Golden",
    "Happy",
    "Humble",
    "Jolly",
    "Keen",
    "Lively",
    "Lucky",
    "Merry",
    "Mighty",
    "Nimble",
    "Noble",
    "Patient",
    "Plucky",
    "Proud",
    "Quick",
    "Quiet",
    "Rapid",
    "Silent",
    "Sly",
    "Smart",
    "Snappy",
    "Steady",
    "Stellar",
    "Sunny",
    "Swift",
    "Tidy",
    "Vivid",
    "Wise",
    "Witty",
    "Zesty",
]
ANIMALS = [
    "Badger",
    "Beaver",
    "Bison",
    "Cheetah",
    "Crane",
    "Dolphin",
    "Eagle",
    "Falcon",
    "Ferret",
    "Fox",
    "Gecko",
    "Heron",
    "Ibex",
    "Jaguar",
    "Koala",
    "Lemur",
    "Lynx",
    "Marmot",
    "Moose",
    "Narwhal",
    "Ocelot",
    "Otter",
    "Owl",
    "Panda",
    "Pelican",
    "Puffin",
    "Quokka",
    "Raven",
    "Salmon",
    "Seal",
    "Sparrow",
    "Stork",
    "Tapir",
    "Tiger",
    "Toucan",
    "Walrus",
    "Weasel",
    "Wolf",
    "Wombat",
    "Yak",
]
# The number is a bijection of the account id below this prime, so two accounts never share
# a pseudonym; the key-dependent multiplier keeps it from revealing the id.
_PRIME = 1_000_003
PSEUDONYM_PATTERN = re.compile(r"^[A-Z][a-z]+ [A-Z][a-z]+ \d+$")


def _digest(user_id: int, key: str) -> bytes:
    return hmac.new(key.encode(), str(user_id).encode(), hashlib.sha256).digest()


def pseudonym(user_id: int, key: str) -> str:
    digest = _digest(user_id, key)
    multiplier = 1 + int.from_bytes(_digest(0, key)[:4], "big") % (_PRIME - 1)
    number = (user_id * multiplier) % _PRIME
    adjective = ADJECTIVES[digest[0] % len(ADJECTIVES)]
    animal = ANIMALS[digest[1] % len(ANIMALS)]
    return f"{adjective} {animal} {number}"


TEAM_NUMBER_BITS = 52  # exact in a float64 too, so a spreadsheet shows every digit


def team_number(user_id: int, key: str) -> int:
    """A student's team id on boards and in the Kaggle CSV: an HMAC of the account id,
    stable, unrelated to the roster order, and not the database id (collisions: about one
    in 10^10 for a thousand students)."""
    digest = hmac.new(key.encode(), f"team:{user_id}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> (64 - TEAM_NUMBER_BITS)


def looks_generated(name: str) -> bool:
    """Chosen names may not look like generated ones, or one could impersonate another."""
    return bool(PSEUDONYM_PATTERN.match(name.strip()))


def pseudonym_for(user_id: int) -> str:
    """The student's pseudonym on this site, keyed by `settings.PSEUDONYM_KEY`."""
    return pseudonym(user_id, settings.PSEUDONYM_KEY + ":pseudonym")


def team_number_for(user_id: int) -> int:
    """The student's opaque, stable team id on this site, keyed by `settings.PSEUDONYM_KEY`."""
    return team_number(user_id, settings.PSEUDONYM_KEY + ":team")


def student_team_id(user_id: int) -> str:
    return f"u{team_number_for(user_id)}"
