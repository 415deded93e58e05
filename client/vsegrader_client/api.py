"""The vsegrader REST API over HTTP (httpx). Errors become CliError with a one-line reason.

The server answers errors as JSON {"detail": "...", "code": "..."}; `detail` is shown as is.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import quote

from vsegrader_client import __version__
from vsegrader_client.errors import (
    FAILED,
    INVALID_FILE,
    LIMIT_REACHED,
    NOT_AUTHORIZED,
    UNREACHABLE,
    USAGE,
    CliError,
)

if TYPE_CHECKING:
    import httpx

TIMEOUT_S, CONNECT_TIMEOUT_S = 60.0, 10.0
CHUNK = 256 * 1024
LIMIT_CODES = {"daily_limit_reached", "total_limit_reached"}
FILE_CODES = {"file_empty", "file_missing", "file_too_large"}
FIRST_POLL_S, LONGEST_POLL_S = 0.05, 2.0  # waiting for a score (see Api.poll)
MAX_THROTTLE_WAIT = 60  # seconds a polling loop sleeps when the server says "too many requests"


class ApiError(CliError):
    """An error answer: `detail` and `code` as the server sent them, `message` explained."""

    def __init__(
        self, message: str, exit_code: int, status: int, detail: str | None, code: str | None
    ):
        super().__init__(message, exit_code)
        self.status = status
        self.detail = detail
        self.code = code
        self.retry_after: float | None = None


class UnknownChallenge(CliError):
    """No challenge by that slug on the site (the message names the nearest ones)."""


def segment(text: str) -> str:
    """One URL path segment (a slug or a file name), escaped."""
    return quote(str(text), safe="")


def load_httpx():
    """httpx, imported when the first request is made (`vsegrader --help` needs none of it).
    Its own command line (httpx._main, which imports click, rich and pygments when they are
    installed: about 0.07 s) is kept from loading: this program never runs it."""
    if "httpx" not in sys.modules:
        blocked = sys.modules.setdefault("httpx._main", None) is None
        try:
            import httpx  # noqa: F401
        finally:
            if blocked:
                del sys.modules["httpx._main"]  # whoever imports it later gets it
    return sys.modules["httpx"]


def needs_certificates(url: str) -> bool:
    """Whether a connection may use TLS. An http:// site without a proxy never does: every
    request goes to that site (redirects are not followed), so loading the certificate
    bundle (about 0.08 s) is skipped."""
    proxied = any(name.lower().endswith("_proxy") for name in os.environ)
    return proxied or not url.lower().startswith("http://")


def connection_limits(httpx, url: str):
    """No kept-alive connections to a plain http:// site: a new connection there costs a
    fraction of a millisecond, but a reused one waits about 40 ms for every answer from a
    server that writes the headers and the body apart without TCP_NODELAY (Django's
    runserver): its body waits for our delayed acknowledgement. HTTPS keeps them (a new
    connection costs a TLS handshake)."""
    if needs_certificates(url):
        return httpx.Limits()
    return httpx.Limits(max_keepalive_connections=0)


class Api:
    def __init__(self, url: str, token: str | None = None, *, timeout=None, transport=None):
        httpx = load_httpx()
        self.url = url.rstrip("/")
        self.transport_errors = (httpx.TransportError, httpx.InvalidURL)
        headers = {"User-Agent": f"vsegrader-client/{__version__}", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Token {token}"
        try:
            self.http = httpx.Client(
                base_url=self.url,
                headers=headers,
                timeout=timeout or httpx.Timeout(TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
                transport=transport,
                verify=needs_certificates(self.url),
                limits=connection_limits(httpx, self.url),
            )
        except (httpx.InvalidURL, ValueError, TypeError) as error:
            raise CliError(f"Not a usable address: {self.url!r} ({error})", USAGE) from None

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- requests --------------------------------------------------------------------------

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            response = self.http.request(method, path, **kwargs)
        except self.transport_errors as error:
            raise self.unreachable(error) from error
        raise_for_error(response)
        return response

    def json(self, method: str, path: str, **kwargs) -> Any:
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as error:
            raise CliError(
                f"The server at {self.url} did not answer JSON to {method} {path}; "
                "is this the address of a vsegrader site?"
            ) from error

    def unreachable(self, error: Exception) -> CliError:
        reason = str(error) or type(error).__name__
        return CliError(f"Could not reach the server at {self.url}: {reason}", UNREACHABLE)

    # --- endpoints -------------------------------------------------------------------------

    def check_site(self) -> None:
        """Raises CliError unless `url` answers like a vsegrader site (asked before a
        password is typed, so that a wrong address is said at once)."""
        try:
            response = self.http.get("/api/me/")
        except self.transport_errors as error:
            raise self.unreachable(error) from error
        detail, code = error_detail(response)
        if response.status_code in (401, 403) and detail and code:
            return
        raise CliError(
            f"{self.url} is not a vsegrader site (GET /api/me/ answered "
            f"{response.status_code} without the API's JSON); check the address.",
            FAILED,
        )

    def create_token(self, username: str, password: str, name: str = "vsegrader") -> str:
        body = {"username": username, "password": password, "name": name}
        return self.json("POST", "/api/auth/tokens/", json=body)["token"]

    def revoke_token(self) -> None:
        self.request("POST", "/api/auth/token/revoke/")

    def me(self) -> dict:
        return self.json("GET", "/api/me/")

    def challenges(self) -> list[dict]:
        return self.json("GET", "/api/challenges/")

    def challenge(self, slug: str) -> dict:
        return self.about(slug, f"/api/challenges/{segment(slug)}/")

    def status(self, slug: str) -> dict:
        return self.about(slug, f"/api/challenges/{segment(slug)}/status/")

    def status_list(self) -> list[dict]:
        return self.json("GET", "/api/status/")

    def about(self, slug: str, path: str) -> Any:
        """GET a challenge's resource; an unknown slug is named, with the nearest ones."""
        try:
            return self.json("GET", path)
        except ApiError as error:
            if error.status != 404:
                raise
            raise self.unknown_challenge(slug) from None

    def unknown_challenge(self, slug: str) -> CliError:
        import difflib

        slugs = [c.get("slug", "") for c in self.challenges()]
        close = difflib.get_close_matches(slug.lower(), slugs, n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        listed = "" if close else f" (challenges: {', '.join(slugs) or 'none'})"
        return UnknownChallenge(f"No challenge {slug!r} on {self.url}{hint}{listed}", FAILED)

    def submissions(self, slug: str) -> list[dict]:
        return self.about(slug, f"/api/challenges/{segment(slug)}/submissions/")

    def submission(self, submission_id: int) -> dict:
        return self.json("GET", f"/api/submissions/{int(submission_id)}/")

    def set_final(self, submission_id: int, final: bool) -> dict:
        path = f"/api/submissions/{int(submission_id)}/"
        return self.json("PATCH", path, json={"is_final": final})

    def leaderboard(self, slug: str, split: str = "public") -> dict:
        path = f"/api/challenges/{segment(slug)}/leaderboard/"
        return self.json("GET", path, params={"split": split})

    def submit(self, slug: str, name: str, data, description: str, on_bytes=None) -> dict:
        """Uploads `data` (bytes) as the file `name`; `on_bytes(n)` is told of progress."""
        body = CountingReader(data, on_bytes)
        files = {"file": (name, body, "text/csv")}
        path = f"/api/challenges/{segment(slug)}/submissions/"
        return self.json("POST", path, files=files, data={"description": description})

    def download(self, path: str, target: Path, on_start=None, on_bytes=None, params=None) -> int:
        """Streams a file to `target` (through a temporary file, so that an interrupted
        download leaves nothing half-written); returns its size."""
        temporary = target.with_name(f".{target.name}.part")
        try:
            with self.http.stream("GET", path, params=params) as response:
                if response.is_error:
                    response.read()
                raise_for_error(response)
                if on_start:
                    on_start(int(response.headers.get("Content-Length") or 0))
                size = write_stream(response.iter_bytes(CHUNK), temporary, on_bytes)
        except BaseException as error:
            temporary.unlink(missing_ok=True)
            if isinstance(error, self.transport_errors):
                raise self.unreachable(error) from error
            raise
        os.replace(temporary, target)
        return size

    def fetch_bytes(self, path: str) -> bytes:
        return self.request("GET", path).content

    def poll(
        self,
        submission_id: int,
        timeout: float,
        interval: float = FIRST_POLL_S,
        since: float | None = None,
    ) -> dict:
        """The submission once it is scored or failed; waits at most `timeout` seconds.

        Asked first `interval` after `since` (time.monotonic() when the upload's answer came,
        which already said "queued"; default: now), then at intervals growing by a quarter
        up to LONGEST_POLL_S: a local site scores a small file in about 0.05 s, a busy one
        may take minutes."""
        started = time.monotonic() if since is None else since
        deadline = started + timeout
        time.sleep(max(started + interval - time.monotonic(), 0))
        while True:
            interval = min(interval * 1.25, LONGEST_POLL_S)
            try:
                submission = self.submission(submission_id)
            except ApiError as error:
                if error.status != 429:
                    raise
                time.sleep(min(error.retry_after or interval, MAX_THROTTLE_WAIT))
                continue
            if submission.get("status") in ("scored", "failed"):
                return submission
            if time.monotonic() >= deadline:
                raise CliError(
                    f"Submission {submission_id} is still {submission.get('status')} after "
                    f"{timeout:g} s; see `vsegrader competitions submissions "
                    f"{submission.get('challenge', 'SLUG')}` later."
                )
            time.sleep(interval)


def write_stream(chunks: Iterator[bytes], target: Path, on_bytes=None) -> int:
    size = 0
    with open(target, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
            size += len(chunk)
            if on_bytes:
                on_bytes(len(chunk))
    return size


class CountingReader:
    """A file-like view of bytes that reports how much httpx has read (for a progress bar).
    tell/seek let httpx work out the length, so the upload is not chunk-encoded."""

    def __init__(self, data: bytes, on_bytes: Callable[[int], None] | None = None):
        self._data = memoryview(data)
        self._position = 0
        self._on_bytes = on_bytes

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size is None or size < 0 else self._position + size
        chunk = bytes(self._data[self._position : end])
        self._position += len(chunk)
        if self._on_bytes and chunk:
            self._on_bytes(len(chunk))
        return chunk

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: len(self._data)}
        self._position = max(0, base[whence] + offset)
        return self._position


def raise_for_error(response: httpx.Response) -> None:
    if response.is_success:
        return
    detail, code = error_detail(response)
    status = response.status_code
    if response.is_redirect:
        where = response.headers.get("Location", "elsewhere")
        message = f"The server redirects to {where}; give that address with --url."
        raise ApiError(message, FAILED, status, None, None)
    error = ApiError(explain(status, detail, code), exit_code(response, code), status, detail, code)
    retry_after = response.headers.get("Retry-After", "")
    error.retry_after = float(retry_after) if retry_after.isdigit() else None
    raise error


def error_detail(response: httpx.Response) -> tuple[str | None, str | None]:
    try:
        body = response.json()
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    detail = body.get("detail")
    return (str(detail) if detail is not None else None), body.get("code")


def explain(status: int, detail: str | None, code: str | None) -> str:
    if status == 401:
        reason = f" ({detail})" if detail else ""
        return f"The server refused your token{reason}: run `vsegrader login` to get a new one."
    if detail:
        return detail
    if status >= 500:
        return f"The server failed ({status}); try again later."
    if status == 404:
        return "Not found (404): check the challenge's slug and the server's address."
    return f"The server refused the request ({status})."


def exit_code(response: httpx.Response, code: str | None) -> int:
    if response.status_code == 401:
        return NOT_AUTHORIZED
    if code in LIMIT_CODES:
        return LIMIT_REACHED
    if code in FILE_CODES:
        return INVALID_FILE
    return FAILED
