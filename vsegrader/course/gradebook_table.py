"""What the gradebook page lists: rows kept by a filter, in the order asked for, and the
filter in words (the page and its CSV download name the same filter)."""

from dataclasses import dataclass

from vsegrader.course.gradebook import Row, name_key


@dataclass(frozen=True)
class Filter:
    query: str = ""  # words, each found in the name, username, e-mail or group
    grade: str = ""  # one grade of the scale, or "" for any

    @property
    def active(self) -> bool:
        return bool(self.query.split() or self.grade)

    def keeps(self, row: Row) -> bool:
        text = " ".join([row.username, row.first_name, row.last_name, row.email, row.group])
        words = self.query.lower().split()
        return all(word in text.lower() for word in words) and (
            not self.grade or row.grade == self.grade
        )

    def describe(self) -> str:
        """ "name, username, e-mail or group contains “owls”; grade 2", or "" for none."""
        parts = []
        if self.query.split():
            words = " and ".join(f"“{word}”" for word in self.query.split())
            parts.append(f"name, username, e-mail or group contains {words}")
        if self.grade:
            parts.append(f"grade {self.grade}")
        return "; ".join(parts)


SORT_KEYS = {
    "name": lambda row: (name_key(row.name), row.username.lower()),
    "username": lambda row: row.username.lower(),
    "group": lambda row: row.group.lower(),
    "challenges": lambda row: row.challenge_points,
    "project": lambda row: row.project_mark,
    "final": lambda row: row.final_points,
    "grade": lambda row: row.grade,
}


def sort_rows(rows: list[Row], key: str = "name", descending: bool = False) -> list[Row]:
    """Sorted by a known key or `mark:<slug>`; missing values go last either way. "name" is
    the name the page shows ("First Last", else the username), so no row sorts by a blank."""
    if key.startswith("mark:"):
        slug = key[len("mark:") :]
        value_of = lambda row: row.marks.get(slug)  # noqa: E731
    else:
        value_of = SORT_KEYS.get(key, SORT_KEYS["name"])
    known = [row for row in rows if value_of(row) is not None]
    missing = [row for row in rows if value_of(row) is None]
    return sorted(known, key=value_of, reverse=descending) + missing
