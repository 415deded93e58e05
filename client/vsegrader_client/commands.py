"""Account and configuration commands: login, logout, whoami, config. Each takes the parsed
arguments and returns an exit code, or raises CliError with the one-line reason."""

from __future__ import annotations

import sys

from vsegrader_client import config
from vsegrader_client.api import Api, ApiError, UnknownChallenge
from vsegrader_client.errors import NOT_AUTHORIZED, OK, USAGE, CliError

CONFIG_NAMES = ("url", "competition")


def open_api(args, *, need_token: bool = True) -> Api:
    settings = config.load(getattr(args, "url", None))
    token = settings.require_token() if need_token else settings.token
    return Api(settings.url, token)


def slug_of(args) -> str:
    """The challenge: SLUG, -c SLUG, or the configured default; lower-cased (slugs are)."""
    slug, option = getattr(args, "slug", None), getattr(args, "competition", None)
    if slug and option and slug.lower() != option.lower():
        raise CliError(f"Two challenges given: {slug} and -c {option}.", USAGE)
    chosen = slug or option or config.load(getattr(args, "url", None)).competition
    if not chosen:
        raise CliError(
            "Which challenge? Give its slug (SLUG or -c SLUG), or save a default: "
            "`vsegrader config set competition SLUG`.",
            USAGE,
        )
    return chosen.strip().lower()


# --- login --------------------------------------------------------------------------------


def login(args) -> int:
    settings = config.load(getattr(args, "url", None))
    url = settings.url
    if settings.url_source == "default":
        url = config.normalize_url(ask("Site address (e.g. https://grader.example.org): "))
    with Api(url) as api:
        api.check_site()  # before the password: a wrong address is said at once
        if args.with_token:
            token = read_token()
        else:
            token = password_token(api, args.username, args.name or default_token_name())
    me = whose_token(url, token, pasted=args.with_token)
    saved = config.read_file()
    replaced = revoke_replaced(saved, url, token)
    saved.update({"url": url, "token": token, "username": me["username"]})
    path = config.save(saved)
    role = " (instructor)" if me.get("is_instructor") else ""
    print(f"Logged in to {url} as {me['username']}{role}; the token is saved in {path}.")
    if replaced:
        print("This machine's previous token is revoked: one saved login, one live token.")
    if settings.token_source == "env":
        print("Note: VSEGRADER_TOKEN is set and takes precedence over the saved token.")
    return OK


def whose_token(url: str, token: str, *, pasted: bool) -> dict:
    """The account of a new token; a pasted one the server refuses is said in login's words."""
    with Api(url, token) as api:
        try:
            return api.me()
        except ApiError as error:
            if pasted and error.status == 401:
                reason = f" ({error.detail})" if error.detail else ""
                raise CliError(
                    f"The server refused this token{reason}: copy it again from the site's "
                    "API token page (it is shown once, when made).",
                    NOT_AUTHORIZED,
                ) from None
            raise


def revoke_replaced(saved: dict, url: str, token: str) -> bool:
    """Revokes the token this machine saved for `url` before, which the new one replaces:
    otherwise each login again would leave one more live token nobody has. Best effort: a
    token the server no longer knows, or a server that fails now, leaves the login as it is."""
    old, old_url = saved.get("token"), saved.get("url")
    if not old or old == token or not old_url:
        return False
    try:
        if config.normalize_url(old_url) != url:
            return False  # another site's token is kept (and forgotten with this save)
        with Api(url, old) as api:
            api.revoke_token()
    except CliError:
        return False
    return True


def default_token_name() -> str:
    import socket  # here: 0.01 s that only login needs

    try:
        host = socket.gethostname()
    except OSError:
        host = ""
    return f"vsegrader on {host}"[:100] if host else "vsegrader"


def password_token(api: Api, username: str | None, name: str) -> str:
    username = username or ask("Username: ")
    password = ask("Password: ", secret=True)
    try:
        return api.create_token(username, password, name)
    except ApiError as error:
        if error.status == 401:
            raise CliError(error.detail or "Wrong username or password.", NOT_AUTHORIZED) from None
        raise


def read_token() -> str:
    return ask("Token (from the site's API token page): ", secret=True).strip()


def ask(prompt: str, *, secret: bool = False) -> str:
    """A line from the terminal, or from stdin when it is piped (for scripts)."""
    try:
        if not sys.stdin.isatty():
            answer = sys.stdin.readline().rstrip("\r\n")
        elif secret:
            import getpass  # here: it loads termios, which only login needs

            answer = getpass.getpass(prompt)
        else:
            answer = input(prompt)
    except EOFError:
        answer = ""
    if not answer.strip():
        raise CliError(f"{prompt.split(' (')[0].rstrip(': ')} is required.", USAGE)
    return answer.strip() if not secret else answer


def logout(args) -> int:
    """Revokes this machine's token only: other machines' tokens keep working."""
    settings = config.load(getattr(args, "url", None))
    with Api(settings.url, settings.require_token()) as api:
        try:
            api.revoke_token()
        except ApiError as error:
            if error.status != 401:  # a token the server no longer knows is as good as revoked
                raise
    saved = config.forget_token() if settings.token_source == "file" else None
    where = f" and removed from {saved}" if saved else ""
    print(f"Logged out: this token is revoked on {settings.url}{where}.")
    return OK


def whoami(args) -> int:
    settings = config.load(getattr(args, "url", None))
    with Api(settings.url, settings.require_token()) as api:
        me = api.me()
    source = "VSEGRADER_TOKEN" if settings.token_source == "env" else str(config.config_path())
    role = ", instructor" if me.get("is_instructor") else ""
    name = me.get("display_name") or me["username"]
    print(f"{me['username']} ({name}{role}) on {settings.url}; token from {source}")
    return OK


# --- config -------------------------------------------------------------------------------


def config_view(args) -> int:
    settings = config.load(getattr(args, "url", None))
    token = {"env": "from VSEGRADER_TOKEN", "file": "saved"}.get(settings.token_source, "none")
    if settings.url_source == "default":  # login asks for the address, not knowing one
        print(f"url: none saved (`vsegrader login` asks for it; commands try {settings.url})")
    else:
        print(f"url: {settings.url} ({settings.url_source})")
    print(f"competition: {settings.competition or '(none)'}")
    print(f"username: {settings.username or '(unknown)'}")
    print(f"token: {token}")
    print(f"file: {config.config_path()}")
    return OK


def config_set(args) -> int:
    value = config.normalize_url(args.value) if args.name == "url" else args.value.strip().lower()
    if not value:
        raise CliError(f"Give a value for {args.name}.", USAGE)
    note = unchecked_note(args, value) if args.name == "competition" else ""
    path = config.set_value(args.name, value)
    print(f"{args.name} = {value} (saved in {path}){note}")
    return OK


def unchecked_note(args, slug: str) -> str:
    """'' when the site knows the challenge; a note when it cannot be asked (not logged in,
    unreachable). An unknown slug is refused with the nearest ones, before it is saved."""
    try:
        with open_api(args) as api:
            api.challenge(slug)
    except UnknownChallenge:
        raise
    except CliError as error:
        return f"; not checked: {error.message}"
    return ""


def config_unset(args) -> int:
    path = config.set_value(args.name, None)
    print(f"{args.name} unset (in {path})")
    return OK
