"""A participant's display name on student-visible leaderboards."""

import unicodedata

from django.db import IntegrityError, transaction

from challenges.models import Competitor
from challenges.pseudonyms import looks_generated


class DisplayNameRefused(Exception):
    pass


def clean_display_name(name: str) -> str:
    name = " ".join("".join(ch for ch in name if unicodedata.category(ch)[0] != "C").split())
    if not 3 <= len(name) <= 40:
        raise DisplayNameRefused("A display name has 3 to 40 characters.")
    if looks_generated(name):
        raise DisplayNameRefused(
            "Names like 'Adjective Animal 123' are reserved for generated pseudonyms; pick "
            "another."
        )
    if name.lower() in {"baseline", "instructor", "admin"} or name.lower().startswith("baseline"):
        raise DisplayNameRefused("That name is reserved.")
    return name


def display_name_set(*, user, name: str) -> Competitor:
    name = clean_display_name(name)
    taken = Competitor.objects.filter(display_name__iexact=name).exclude(user=user).exists()
    if taken:
        raise DisplayNameRefused("That display name is taken; pick another.")
    try:
        with transaction.atomic():
            competitor, _ = Competitor.objects.update_or_create(
                user=user, defaults={"display_name": name}
            )
    except IntegrityError as clash:  # the same name chosen by someone else just now
        raise DisplayNameRefused("That display name is taken; pick another.") from clash
    return competitor
