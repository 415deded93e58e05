"""`vsegrader`: the kaggle CLI's commands and flags, for a vsegrader site.

    vsegrader login [--url URL] [-u USERNAME] [--with-token] [--name NAME]
    vsegrader config view | set NAME VALUE | unset NAME
    vsegrader competitions list [--search TEXT] [--sort-by FIELD]
    vsegrader competitions files|download|submit|submissions|submission|status|final|unfinal
    vsegrader competitions leaderboard SLUG (-s | -d) [-p PATH]
    vsegrader completion bash|zsh

`competitions` may be shortened to `c`, and the slug given as `-c SLUG` (or left out when
`vsegrader config set competition SLUG` chose a default). Global options (`--url`) may come
before or after the subcommand.
"""

from __future__ import annotations

import os
import sys

from vsegrader_client import warmup

# Before the other modules load: a large file's check then finds pyarrow (nearly) imported.
warmup.start_for_arguments(sys.argv[1:])

import argparse  # noqa: E402

from vsegrader_client import __version__, board, commands, completion, submitting  # noqa: E402
from vsegrader_client.errors import FAILED, CliError  # noqa: E402

EPILOG = """exit codes: 0 success, 1 other failure, 2 wrong arguments, 3 not logged in or token
refused, 4 server unreachable, 5 file refused (locally or by the scorer), 6 submission
limit reached, 7 submitted after the deadline (scored, does not count), 130 interrupted.
environment: VSEGRADER_URL, VSEGRADER_TOKEN and VSEGRADER_COMPETITION override
~/.vsegrader/config.json."""


def main(argv: list[str] | None = None) -> int:
    """Runs one command; every failure is one `vsegrader: ...` line on stderr and an exit
    code from the table in EPILOG, never a traceback."""
    try:
        args = build_parser().parse_args(argv)
        code = args.handler(args) or 0
        sys.stdout.flush()  # here, not at exit: a closed pipe is then ours to end quietly
        return code
    except CliError as error:
        report(error.message, error.details)
        return error.exit_code
    except KeyboardInterrupt:
        report("interrupted")
        return 130
    except BrokenPipeError:
        quiet_broken_pipe()
        return 0
    except OSError as error:
        report(os_error_text(error))
        return FAILED
    except Exception as error:  # noqa: BLE001 - the promise is one line, not a traceback
        report(f"unexpected error ({type(error).__name__}: {error}); please report it")
        return FAILED
    finally:
        warmup.finish()


def report(message: str, details: list[str] | None = None) -> None:
    try:
        print(f"vsegrader: {one_line(message)}", file=sys.stderr)
        for line in details or []:
            print(f"  {one_line(line)}", file=sys.stderr)
    except (BrokenPipeError, ValueError):
        pass


def one_line(text: str) -> str:
    """Control characters (a newline in an argument, say) shown escaped, not obeyed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def quiet_broken_pipe() -> None:
    """The reader of our output went away (`vsegrader c list | head -1`): end quietly, and
    keep Python from complaining when it flushes stdout at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def os_error_text(error: OSError) -> str:
    reason = error.strerror or str(error) or type(error).__name__
    where = f" ({error.filename})" if error.filename else ""
    return f"{reason}{where}"


class Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise CliError(f"{message} (see `{self.prog} --help`)", 2)

    def parse_args(self, args=None, namespace=None):
        """As argparse's, but an option the command does not know points at that command's
        help (argparse finds it only after every subcommand has parsed, at the top)."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            action = getattr(parsed, "action", None) or getattr(parsed, "config_action", None)
            where = " ".join(filter(None, [self.prog, getattr(parsed, "command", None), action]))
            raise CliError(f"unrecognized arguments: {' '.join(extras)} (see `{where} --help`)", 2)
        return parsed


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="vsegrader",
        description="Download challenge data, check and submit predictions, read leaderboards.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"vsegrader {__version__}")
    add_globals(parser, default=None)
    commands_ = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands_.required = True
    add_account_commands(commands_)
    competitions = commands_.add_parser(
        "competitions", aliases=["c"], help="challenges: list, files, download, submit, ..."
    )
    add_globals(competitions)
    actions = competitions.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    actions.required = True
    board.add_commands(actions, add_globals)
    submitting.add_commands(actions, add_globals)
    completion.add_command(commands_, parser)
    return parser


def add_globals(parser: argparse.ArgumentParser, default=argparse.SUPPRESS) -> None:
    """--url, accepted before or after the subcommand."""
    parser.add_argument(
        "--url", default=default, help="the site's address (default: saved, or VSEGRADER_URL)"
    )


def add_account_commands(commands_) -> None:
    login = commands_.add_parser("login", help="log in and save an API token")
    add_globals(login)
    login.add_argument("-u", "--username", help="asked for when not given")
    login.add_argument(
        "--with-token",
        action="store_true",
        help="paste a token from the site's API token page instead of a password",
    )
    login.add_argument("--name", help="the token's name on the token page (default: host name)")
    login.set_defaults(handler=commands.login)
    for name, handler, text in (
        ("logout", commands.logout, "revoke this machine's token and forget it"),
        ("whoami", commands.whoami, "show who the token belongs to"),
    ):
        sub = commands_.add_parser(name, help=text)
        add_globals(sub)
        sub.set_defaults(handler=handler)
    add_config_command(commands_)


def add_config_command(commands_) -> None:
    config = commands_.add_parser("config", help="view or change saved settings (url, competition)")
    add_globals(config)
    actions = config.add_subparsers(dest="config_action", metavar="ACTION", parser_class=Parser)
    actions.required = True
    view = actions.add_parser("view", help="show the settings in force and where they come from")
    view.set_defaults(handler=commands.config_view)
    setter = actions.add_parser("set", help="save a setting: url or competition")
    setter.add_argument("name", choices=commands.CONFIG_NAMES)
    setter.add_argument("value")
    setter.set_defaults(handler=commands.config_set)
    unset = actions.add_parser("unset", help="forget a saved setting")
    unset.add_argument("name", choices=commands.CONFIG_NAMES)
    unset.set_defaults(handler=commands.config_unset)


if __name__ == "__main__":
    raise SystemExit(main())
