"""Exit codes and the error types the command line reports.

Every failure ends the program with a non-zero code and a one-line reason on stderr;
scripts can tell the kinds apart by the code.
"""

from __future__ import annotations

OK = 0
FAILED = 1  # anything not listed below: a server error, an unknown challenge, a refused request
USAGE = 2  # wrong arguments (argparse's own code)
NOT_AUTHORIZED = 3  # not logged in, or the token was refused (revoked, wrong)
UNREACHABLE = 4  # no answer from the server (network down, wrong URL, timeout)
INVALID_FILE = 5  # the file was refused: by the local check, or by the scorer with --wait
LIMIT_REACHED = 6  # the daily or total submission limit is used up
LATE = 7  # accepted after the deadline: it is scored but does not count


class CliError(Exception):
    """A failure to report: `message` is the one-line reason, `details` optional extra lines."""

    def __init__(self, message: str, exit_code: int = FAILED, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.details = details or []


class RefusedFile(CliError):
    """A file refused before it was uploaded (exit 5): `summary` says what is wrong in one
    line, `details` holds the problem lines and the hints under it. str() shows them all,
    so that a notebook's traceback has the hints too."""

    NOT_SUBMITTED = "Not submitted (no submission used): "

    def __init__(self, summary: str, details: list[str] | None = None, *, submitting=True):
        prefix = self.NOT_SUBMITTED if submitting else ""
        super().__init__(prefix + summary, INVALID_FILE, details)
        self.summary = summary

    def __str__(self) -> str:
        return "\n  ".join([self.message, *self.details])
