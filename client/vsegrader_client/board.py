"""Reading commands: list, files, download, submissions, submission, status (in
standing.py), final, unfinal, leaderboard."""

from __future__ import annotations

import argparse
from pathlib import Path

from vsegrader_client.api import Api, segment
from vsegrader_client.commands import open_api, slug_of
from vsegrader_client.errors import OK, USAGE, CliError
from vsegrader_client.output import Progress, human_size, readable_time, show, show_record
from vsegrader_client.standing import show_status

SUBMISSION_COLUMNS = [
    "ref",
    "fileName",
    "date",
    "description",
    "status",
    "publicScore",
    "privateScore",
    "error",
]
LEADERBOARD_COLUMNS = ["rank", "teamId", "teamName", "submissionDate", "score"]
LIST_COLUMNS = [
    "ref",
    "title",
    "deadline",
    "metric",
    "isOpen",
    "dailyLimit",
    "teamCount",
    "userHasEntered",
]
FILE_COLUMNS = ["name", "size", "creationDate"]
SORT_KEYS = {"deadline": "deadline", "title": "title", "teamCount": "teamCount", "ref": "ref"}
ERROR_WIDTH = 60


def add_commands(actions, add_globals) -> None:
    def parser(name: str, text: str, handler, *, slug: bool = True, style: bool = True):
        sub = actions.add_parser(name, help=text)
        add_globals(sub)
        if slug:
            add_slug(sub)
        if style:
            add_format(sub)
        sub.set_defaults(handler=handler)
        return sub

    listing = parser("list", "the challenges", competitions_list, slug=False)
    listing.add_argument("-s", "--search", help="only challenges whose slug or title has TEXT")
    listing.add_argument("--sort-by", choices=sorted(SORT_KEYS), default="deadline")
    parser("files", "a challenge's data files", competition_files)
    download = parser("download", "download a challenge's data", competition_download, style=False)
    download.add_argument("-f", "--file", dest="file_name", help="only this file, as it is")
    download.add_argument("-p", "--path", help="folder to download into (default: here)")
    download.add_argument("-o", "--force", action="store_true", help="download even if present")
    download.add_argument(
        "--unzip",
        action="store_true",
        help="the files themselves, not SLUG.zip; zip archives among them are extracted",
    )
    add_quiet(download)
    parser("submissions", "your submissions to a challenge", competition_submissions)
    one = parser(
        "submission", "one submission, with the whole message", show_submission, slug=False
    )
    one.add_argument("submission_id", type=int, metavar="ID")
    parser("status", "left today, reset time, deadline, best score, rank, finals", show_status)
    for name, final in (("final", True), ("unfinal", False)):
        mark = parser(
            name,
            f"{'mark' if final else 'unmark'} a submission as final",
            mark_final,
            slug=False,
            style=False,
        )
        mark.add_argument("submission_id", type=int, metavar="ID")
        mark.set_defaults(final=final)
    board = parser("leaderboard", "show or download a leaderboard", competition_leaderboard)
    board.add_argument("-s", "--show", action="store_true", help="print the leaderboard")
    board.add_argument("-d", "--download", action="store_true", help="save it as SLUG.zip")
    board.add_argument("-p", "--path", help="folder for -d (default: here)")
    board.add_argument(
        "--private",
        action="store_true",
        help="the private leaderboard (instructors; students after the deadline)",
    )
    add_quiet(board)


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


# --- listings -----------------------------------------------------------------------------


def competitions_list(args) -> int:
    with open_api(args) as api:
        challenges = api.challenges()
        counts = {row["slug"]: row for row in api.status_list()}
    rows = [list_row(c, counts.get(c["slug"], {})) for c in challenges]
    if args.search:
        text = args.search.lower()
        rows = [r for r in rows if text in r["ref"].lower() or text in (r["title"] or "").lower()]
    key = SORT_KEYS[args.sort_by]
    rows.sort(
        key=lambda row: (row[key] is None, row[key] if row[key] is not None else 0),
        reverse=key == "teamCount",
    )
    show(LIST_COLUMNS, rows, args.style)
    return OK


def list_row(challenge: dict, counts: dict) -> dict:
    return {
        "ref": challenge["slug"],
        "title": challenge.get("title"),
        "deadline": challenge.get("deadline"),
        "metric": challenge.get("metric"),
        "isOpen": challenge.get("is_open"),
        "dailyLimit": challenge.get("daily_limit"),
        "teamCount": counts.get("team_count"),
        "userHasEntered": counts.get("user_has_entered"),
    }


def competition_files(args) -> int:
    with open_api(args) as api:
        challenge = api.challenge(slug_of(args))
    human = args.style == "table"
    rows = [
        {
            "name": f["name"],
            "size": human_size(f["size"]) if human else f["size"],
            "creationDate": f.get("created_at"),
        }
        for f in challenge.get("files", [])
    ]
    show(FILE_COLUMNS, rows, args.style)
    return OK


def competition_submissions(args) -> int:
    with open_api(args) as api:
        submissions = api.submissions(slug_of(args))
    short = args.style == "table"
    show(SUBMISSION_COLUMNS, [submission_row(s, short) for s in submissions], args.style)
    return OK


def submission_row(s: dict, short: bool = False) -> dict:
    return {
        "ref": s["id"],
        "fileName": s.get("file_name"),
        "date": s.get("created_at"),
        "description": s.get("description"),
        "status": status_text(s),
        "publicScore": s.get("public_score"),
        "privateScore": s.get("private_score"),
        "error": shorten(s.get("error")) if short else s.get("error") or None,
    }


def shorten(error: str | None) -> str:
    first = (error or "").strip().splitlines()[0] if (error or "").strip() else ""
    return first if len(first) <= ERROR_WIDTH else first[: ERROR_WIDTH - 1] + "…"


def status_text(submission: dict) -> str:
    marks = [name for name in ("late", "final") if submission.get(f"is_{name}")]
    status_ = submission.get("status", "")
    return f"{status_} ({', '.join(marks)})" if marks else status_


def show_submission(args) -> int:
    with open_api(args) as api:
        s = api.submission(args.submission_id)
    if args.style != "table":
        row = {**submission_row(s), "challenge": s.get("challenge")}
        show_record([*SUBMISSION_COLUMNS, "challenge"], row, args.style)
        return OK
    print(f"Submission {s['id']} to {s.get('challenge')}: {status_text(s)}")
    print(f"  file: {s.get('file_name')}  sent: {readable_time(s.get('created_at'))}")
    print(f"  description: {s.get('description') or ''}")
    for label, key in (("public score", "public_score"), ("private score", "private_score")):
        if s.get(key) is not None:
            print(f"  {label}: {s[key]:.6g}")
    if s.get("error"):
        print("  message:")
        for line in str(s["error"]).splitlines():
            print(f"    {line}")
    return OK


def mark_final(args) -> int:
    with open_api(args) as api:
        s = api.set_final(args.submission_id, args.final)
    state = "marked final" if s.get("is_final") else "no longer final"
    print(f"Submission {s['id']} is {state}.")
    return OK


# --- leaderboards and downloads -----------------------------------------------------------


def competition_leaderboard(args) -> int:
    if not (args.show or args.download):
        raise CliError("Say what to do with the leaderboard: -s (show) or -d (download).", USAGE)
    slug, split = slug_of(args), "private" if args.private else "public"
    with open_api(args) as api:
        if args.download:
            download_board(api, slug, split, args)
        if args.show:
            board = api.leaderboard(slug, split)
            show(LEADERBOARD_COLUMNS, [leaderboard_row(row) for row in board["rows"]], args.style)
    return OK


def download_board(api: Api, slug: str, split: str, args) -> None:
    """Like kaggle: SLUG.zip holding SLUG-public-leaderboard.csv."""
    folder = prepare_folder(Path(args.path or "."))
    target = folder / f"{slug}.zip"
    path = f"/api/challenges/{segment(slug)}/leaderboard/download/"
    import tempfile  # here: most commands write no archive

    with tempfile.TemporaryDirectory() as scratch:
        csv_path = Path(scratch) / f"{slug}-{split}-leaderboard.csv"
        progress = Progress(f"Downloading {csv_path.name}", quiet=args.quiet)
        api.download(path, csv_path, progress.start, progress.update, params={"split": split})
        progress.close()
        write_zip(target, [csv_path])
    print(f"Downloaded the {split} leaderboard to {target}")


def leaderboard_row(row: dict) -> dict:
    return {
        "rank": row.get("rank"),
        "teamId": team_id(row.get("team_id")),
        "teamName": row.get("team_name") or row.get("name"),
        "submissionDate": row.get("last_submission"),
        "score": row.get("score"),
    }


def team_id(value):
    """The Kaggle CSV's form: a student's team number ('u2' in the API -> 2); a baseline's
    'b<submission>' as it is (baselines are not among the CSV's ranked rows)."""
    text = str(value or "")
    return int(text[1:]) if text.startswith("u") and text[1:].isdigit() else value


def prepare_folder(folder: Path) -> Path:
    if folder.exists() and not folder.is_dir():
        raise CliError(f"{folder} is a file, not a folder: give a folder with -p.", USAGE)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise CliError(f"Cannot make the folder {folder}: a file is in the way.", USAGE) from None
    return folder


def write_zip(target: Path, files: list[Path]) -> None:
    import zipfile  # here: most commands write no archive

    partial = target.with_name(f".{target.name}.part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.name)
    partial.replace(target)


def competition_download(args) -> int:
    folder = prepare_folder(Path(args.path or "."))
    with open_api(args) as api:
        slug = slug_of(args)
        challenge = api.challenge(slug)
        files = chosen_files(challenge, args.file_name)
        if args.file_name or args.unzip:
            for data_file in files:
                path = download_one(api, slug, data_file, folder, args)
                if args.unzip:
                    extract_archive(path, folder)
            return OK
        target = folder / f"{slug}.zip"
        if target.exists() and not args.force:
            print(f"{target} is already here; -o downloads it again.")
            return OK
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            paths = [download_one(api, slug, f, Path(scratch), args, say=False) for f in files]
            write_zip(target, paths)
    print(f"Downloaded {target} ({len(files)} files; --unzip for the files themselves)")
    return OK


def extract_archive(path: Path, folder: Path) -> None:
    """Extracts a downloaded zip archive into `folder` and removes it, as kaggle's --unzip
    does; any other file stays as it is. (zipfile keeps members inside `folder`: it drops
    leading slashes and '..' from their names.)"""
    import zipfile

    if not zipfile.is_zipfile(path):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            archive.extractall(folder)
    except (zipfile.BadZipFile, OSError) as error:
        raise CliError(f"Cannot extract {path.name}: {error}") from None
    path.unlink()
    print(f"Extracted {path.name} into {folder} ({len(members)} files)")


def chosen_files(challenge: dict, name: str | None) -> list[dict]:
    files = challenge.get("files", [])
    if name is None:
        return files
    chosen = [f for f in files if f["name"] == name]
    if not chosen:
        names = ", ".join(f["name"] for f in files) or "none"
        raise CliError(f"{challenge['slug']} has no file {name!r}; its files: {names}.")
    return chosen


def download_one(api: Api, slug: str, data_file: dict, folder: Path, args, say=True) -> Path:
    name = Path(data_file["name"]).name
    if name in ("", ".", ".."):
        raise CliError(f"The server offered a file with an unusable name: {data_file['name']!r}")
    target = folder / name
    if target.is_dir():
        raise CliError(f"{target} is a folder; cannot write the file {name} there.")
    if target.exists() and not args.force and target.stat().st_size == data_file.get("size"):
        print(f"{target} is already here (same size); -o downloads it again.")
        return target
    progress = Progress(f"Downloading {name}", data_file.get("size") or 0, quiet=args.quiet)
    path = f"/api/challenges/{segment(slug)}/files/{segment(data_file['name'])}"
    size = api.download(path, target, on_bytes=progress.update)
    progress.close()
    if say:
        print(f"Downloaded {target} ({human_size(size)})")
    return target
