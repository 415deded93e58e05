"""`vsegrader`: the kaggle CLI's commands and flags, for a vsegrader site.

    vsegrader login [--url URL] [-u USERNAME] [--with-token]
    vsegrader competitions list
    vsegrader competitions files SLUG
    vsegrader competitions download SLUG [-f FILE] [-p PATH] [-o]
    vsegrader competitions submit SLUG -f FILE -m MESSAGE [--wait]
    vsegrader competitions submissions SLUG
    vsegrader competitions leaderboard SLUG (-s | -d) [-p PATH]

`competitions` may be shortened to `c`, and the slug given as `-c SLUG`.
"""

from __future__ import annotations

import argparse
import sys

from vsegrader_client import __version__, commands
from vsegrader_client.errors import CliError

EPILOG = """exit codes: 0 success, 1 other failure, 2 wrong arguments, 3 not logged in or token
refused, 4 server unreachable, 5 file refused (locally or by the scorer), 6 submission
limit reached, 7 submitted after the deadline (scored, does not count).
environment: VSEGRADER_URL and VSEGRADER_TOKEN override ~/.vsegrader/config.json."""


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except CliError as error:
        print(f"vsegrader: {error.message}", file=sys.stderr)
        for line in error.details:
            print(f"  {line}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("vsegrader: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vsegrader",
        description="Download challenge data, check and submit predictions, read leaderboards.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"vsegrader {__version__}")
    parser.add_argument("--url", help="the site's address (default: saved, or VSEGRADER_URL)")
    commands_ = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_account_commands(commands_)
    competitions = commands_.add_parser(
        "competitions", aliases=["c"], help="challenges: list, files, download, submit, ..."
    )
    actions = competitions.add_subparsers(dest="action", metavar="ACTION", required=True)
    add_competition_commands(actions)
    return parser


def add_account_commands(commands_) -> None:
    login = commands_.add_parser("login", help="log in and save an API token")
    login.add_argument("--url", default=argparse.SUPPRESS, help="the site's address")
    login.add_argument("-u", "--username", help="asked for when not given")
    login.add_argument(
        "--with-token", action="store_true",
        help="paste a token from the site's API token page instead of a password",
    )
    login.set_defaults(handler=commands.login)
    logout = commands_.add_parser("logout", help="revoke the saved token and forget it")
    logout.set_defaults(handler=commands.logout)
    whoami = commands_.add_parser("whoami", help="show who the token belongs to")
    whoami.set_defaults(handler=commands.whoami)


def add_competition_commands(actions) -> None:
    listing = actions.add_parser("list", help="the challenges")
    add_format(listing)
    listing.set_defaults(handler=commands.competitions_list)

    files = actions.add_parser("files", help="a challenge's data files")
    add_slug(files)
    add_format(files)
    files.set_defaults(handler=commands.competition_files)

    download = actions.add_parser("download", help="download a challenge's data files")
    add_slug(download)
    download.add_argument("-f", "--file", dest="file_name", help="only this file")
    download.add_argument("-p", "--path", help="folder to download into (default: here)")
    download.add_argument("-o", "--force", action="store_true", help="download even if present")
    add_quiet(download)
    download.set_defaults(handler=commands.competition_download)

    add_submit_command(actions)

    submissions = actions.add_parser("submissions", help="your submissions to a challenge")
    add_slug(submissions)
    add_format(submissions)
    submissions.set_defaults(handler=commands.competition_submissions)

    board = actions.add_parser("leaderboard", help="show or download a leaderboard")
    add_slug(board)
    board.add_argument("-s", "--show", action="store_true", help="print the leaderboard")
    board.add_argument("-d", "--download", action="store_true", help="save it as CSV")
    board.add_argument("-p", "--path", help="folder or .csv file for -d (default: here)")
    board.add_argument(
        "--private", action="store_true",
        help="the private leaderboard (instructors; students after the deadline)",
    )
    add_format(board)
    add_quiet(board)
    board.set_defaults(handler=commands.competition_leaderboard)


def add_submit_command(actions) -> None:
    submit = actions.add_parser(
        "submit", help="check a file locally, then submit it",
        description="Checks the file against the challenge's submission format first: a file "
        "the server would refuse is refused here, and no submission is used.",
    )
    add_slug(submit)
    submit.add_argument("-f", "--file", dest="file_name", required=True, help="the CSV file")
    submit.add_argument("-m", "--message", required=True, help="a description of the submission")
    submit.add_argument("--wait", action="store_true", help="wait for the score and print it")
    submit.add_argument(
        "--timeout", type=float, default=600, help="seconds --wait waits at most (default 600)"
    )
    submit.add_argument(
        "--skip-check", action="store_true", help="upload without checking the file first"
    )
    add_quiet(submit)
    submit.set_defaults(handler=commands.competition_submit)


def add_slug(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slug", nargs="?", metavar="SLUG", help="the challenge (e.g. fitting-1d)")
    parser.add_argument("-c", "--competition", metavar="SLUG", help="the challenge, as -c SLUG")


def add_format(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-v", "--csv", dest="style", action="store_const", const="csv", help="print CSV"
    )
    group.add_argument("--json", dest="style", action="store_const", const="json", help="JSON")
    parser.set_defaults(style="table")


def add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


if __name__ == "__main__":
    raise SystemExit(main())
