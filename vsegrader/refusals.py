"""The one shape of a refused request, shared by every app's services."""


class Refused(Exception):
    """A request refused for a reason the user can act on: `message` says what to do, and
    `code` is a stable name API clients can branch on."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code
