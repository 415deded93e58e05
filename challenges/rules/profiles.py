"""A participant's display name on student-visible leaderboards.

A name is stored in Unicode NFKC form (fullwidth and styled letters become plain ones). The
checks compare its skeleton: every letter replaced by the ASCII letter it looks like (data:
the confusable_homoglyphs package, from Unicode's confusables.txt), lower-cased, with the
ASCII look-alikes (1 I l |, 0 O, rn m) folded. So "Вaseline: ResNet" with a Cyrillic В is
refused like "Baseline: ResNet", and nobody takes a name that looks like someone else's.
"""

import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables
from django.db import IntegrityError, transaction

from challenges.boards.pseudonyms import looks_generated
from challenges.models import Competitor

RESERVED = ("baseline", "instructor", "admin")
RESERVED_PREFIXES = ("baseline",)
ASCII_FOLD = str.maketrans({"1": "l", "i": "l", "|": "l", "!": "l", "0": "o"})


class DisplayNameRefused(Exception):
    pass


@lru_cache(maxsize=4096)
def ascii_lookalike(char: str) -> str:
    """The ASCII letter or digit `char` looks like; `char` itself if none (or it is ASCII)."""
    if char.isascii():
        return char
    found = confusables.is_confusable(char, greedy=True, preferred_aliases=[]) or []
    for entry in found:
        for homoglyph in entry["homoglyphs"]:
            if len(homoglyph["c"]) == 1 and homoglyph["c"].isascii() and homoglyph["c"].isalnum():
                return homoglyph["c"]
    return char


def lookalike_text(name: str) -> str:
    """`name` with every letter that has an ASCII look-alike replaced by it (case kept)."""
    return "".join(ascii_lookalike(char) for char in unicodedata.normalize("NFKC", name))


def skeleton(name: str) -> str:
    """What `name` looks like: two names with the same skeleton are mistaken for each other."""
    folded = lookalike_text(name).lower().translate(ASCII_FOLD).replace("rn", "m")
    return " ".join(folded.split())


def normalise(name: str) -> str:
    name = unicodedata.normalize("NFKC", name)
    return " ".join("".join(ch for ch in name if unicodedata.category(ch)[0] != "C").split())


def is_reserved(name: str) -> bool:
    shape = skeleton(name)
    reserved = {skeleton(word) for word in RESERVED}
    return shape in reserved or shape.startswith(tuple(skeleton(p) for p in RESERVED_PREFIXES))


def clean_display_name(name: str) -> str:
    name = normalise(name)
    if not 3 <= len(name) <= 40:
        raise DisplayNameRefused("A display name has 3 to 40 characters.")
    if looks_generated(name) or looks_generated(lookalike_text(name)):
        raise DisplayNameRefused(
            "Names like 'Adjective Animal 123' are reserved for generated pseudonyms; pick another."
        )
    if is_reserved(name):
        raise DisplayNameRefused("That name is reserved.")
    return name


def is_taken(name: str, user) -> bool:
    """Another participant's name that is the same, or looks the same."""
    others = Competitor.objects.exclude(user=user).exclude(display_name="")
    if others.filter(display_name__iexact=name).exists():
        return True
    shape = skeleton(name)
    names = others.values_list("display_name", flat=True).iterator()
    return any(skeleton(other) == shape for other in names)


def display_name_set(*, user, name: str) -> Competitor:
    name = clean_display_name(name)
    if is_taken(name, user):
        raise DisplayNameRefused("That display name is taken; pick another.")
    try:
        with transaction.atomic():
            competitor, _ = Competitor.objects.update_or_create(
                user=user, defaults={"display_name": name}
            )
    except IntegrityError as clash:  # the same name chosen by someone else just now
        raise DisplayNameRefused("That display name is taken; pick another.") from clash
    return competitor
