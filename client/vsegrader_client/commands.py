"""What each `vsegrader` command does. Each takes the parsed arguments and returns an exit
code, or raises CliError with the one-line reason."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from vsegrader_client import config
from vsegrader_client.api import Api, ApiError, segment
from vsegrader_client.checks import FileRefused, Spec, check_submission, ids_from_sample
from vsegrader_client.errors import INVALID_FILE, LATE, NOT_AUTHORIZED, OK, USAGE, CliError
from vsegrader_client.output import Progress, human_size, readable_time, show

SUBMISSION_COLUMNS = [
    "ref", "fileName", "date", "description", "status", "publicScore", "privateScore",
]
LEADERBOARD_COLUMNS = ["teamId", "teamName", "submissionDate", "score"]
LIST_COLUMNS = ["ref", "title", "deadline", "metric", "isOpen", "dailyLimit"]
FILE_COLUMNS = ["name", "size"]


def open_api(args, *, need_token: bool = True) -> Api:
    settings = config.load(getattr(args, "url", None))
    token = settings.require_token() if need_token else settings.token
    return Api(settings.url, token)


def slug_of(args) -> str:
    if args.slug and args.competition and args.slug != args.competition:
        raise CliError(f"Two challenges given: {args.slug} and -c {args.competition}.", USAGE)
    slug = args.slug or args.competition
    if not slug:
        raise CliError("Which challenge? Give its slug: SLUG or -c SLUG.", USAGE)
    return slug


# --- account ------------------------------------------------------------------------------


def login(args) -> int:
    settings = config.load(getattr(args, "url", None))
    with Api(settings.url) as api:
        token = read_token() if args.with_token else password_token(api, args.username)
    with Api(settings.url, token) as api:
        me = api.me()
    path = config.save({"url": settings.url, "token": token, "username": me["username"]})
    role = " (instructor)" if me.get("is_instructor") else ""
    print(f"Logged in to {settings.url} as {me['username']}{role}; the token is saved in {path}.")
    if settings.token_source == "env":
        print("Note: VSEGRADER_TOKEN is set and takes precedence over the saved token.")
    return OK


def password_token(api: Api, username: str | None) -> str:
    username = username or ask("Username: ")
    password = ask("Password: ", secret=True)
    try:
        return api.create_token(username, password)
    except ApiError as error:
        if error.status == 401:
            raise CliError(error.detail or "Wrong username or password.", NOT_AUTHORIZED) from None
        raise


def read_token() -> str:
    return ask("Token (from the site's API token page): ", secret=True).strip()


def ask(prompt: str, *, secret: bool = False) -> str:
    """A line from the terminal, or from stdin when it is piped (for scripts)."""
    if not sys.stdin.isatty():
        answer = sys.stdin.readline().rstrip("\r\n")
    elif secret:
        answer = getpass.getpass(prompt)
    else:
        answer = input(prompt)
    if not answer.strip():
        raise CliError(f"{prompt.split(' ')[0].rstrip(':')} is required.", USAGE)
    return answer.strip() if not secret else answer


def logout(args) -> int:
    settings = config.load(getattr(args, "url", None))
    with Api(settings.url, settings.require_token()) as api:
        try:
            api.revoke_token()
        except ApiError as error:
            if error.status != 401:  # a token the server no longer knows is as good as revoked
                raise
    saved = config.forget_token() if settings.token_source == "file" else None
    where = f" and removed from {saved}" if saved else ""
    print(f"Logged out: the token is revoked on {settings.url}{where}.")
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


# --- reading ------------------------------------------------------------------------------


def competitions_list(args) -> int:
    with open_api(args) as api:
        challenges = api.challenges()
    rows = [
        {
            "ref": c["slug"], "title": c.get("title"), "deadline": c.get("deadline"),
            "metric": c.get("metric"), "isOpen": c.get("is_open"),
            "dailyLimit": c.get("daily_limit"),
        }
        for c in challenges
    ]
    show(LIST_COLUMNS, rows, args.style)
    return OK


def competition_files(args) -> int:
    with open_api(args) as api:
        challenge = api.challenge(slug_of(args))
    human = args.style == "table"
    rows = [
        {"name": f["name"], "size": human_size(f["size"]) if human else f["size"]}
        for f in challenge.get("files", [])
    ]
    show(FILE_COLUMNS, rows, args.style)
    return OK


def competition_submissions(args) -> int:
    with open_api(args) as api:
        submissions = api.submissions(slug_of(args))
    rows = [
        {
            "ref": s["id"], "fileName": s.get("file_name"), "date": s.get("created_at"),
            "description": s.get("description"), "status": status_text(s),
            "publicScore": s.get("public_score"), "privateScore": s.get("private_score"),
        }
        for s in submissions
    ]
    show(SUBMISSION_COLUMNS, rows, args.style)
    return OK


def status_text(submission: dict) -> str:
    marks = [name for name in ("late", "final") if submission.get(f"is_{name}")]
    status = submission.get("status", "")
    return f"{status} ({', '.join(marks)})" if marks else status


def competition_leaderboard(args) -> int:
    if not (args.show or args.download):
        raise CliError("Say what to do with the leaderboard: -s (show) or -d (download).", USAGE)
    slug, split = slug_of(args), "private" if args.private else "public"
    with open_api(args) as api:
        if args.download:
            target = leaderboard_target(Path(args.path or "."), slug, split)
            progress = Progress(f"Downloading {target.name}", quiet=args.quiet)
            path = f"/api/challenges/{segment(slug)}/leaderboard/download/"
            api.download(path, target, progress.start, progress.update, params={"split": split})
            progress.close()
            print(f"Downloaded the {split} leaderboard to {target}")
        if args.show:
            board = api.leaderboard(slug, split)
            show(LEADERBOARD_COLUMNS, [leaderboard_row(row) for row in board["rows"]], args.style)
    return OK


def leaderboard_target(path: Path, slug: str, split: str) -> Path:
    if path.suffix.lower() == ".csv":
        path.parent.mkdir(parents=True, exist_ok=True)
        return path
    path.mkdir(parents=True, exist_ok=True)
    return path / f"{slug}-{split}-leaderboard.csv"


def leaderboard_row(row: dict) -> dict:
    return {
        "teamId": row.get("team_id"),
        "teamName": row.get("team_name") or row.get("name"),
        "submissionDate": row.get("last_submission"),
        "score": row.get("score"),
    }


def competition_download(args) -> int:
    folder = Path(args.path or ".")
    with open_api(args) as api:
        slug = slug_of(args)
        files = chosen_files(api.challenge(slug), args.file_name)
        folder.mkdir(parents=True, exist_ok=True)
        for data_file in files:
            download_one(api, slug, data_file, folder, args)
    return OK


def chosen_files(challenge: dict, name: str | None) -> list[dict]:
    files = challenge.get("files", [])
    if name is None:
        return files
    chosen = [f for f in files if f["name"] == name]
    if not chosen:
        names = ", ".join(f["name"] for f in files) or "none"
        raise CliError(f"{challenge['slug']} has no file {name!r}; its files: {names}.")
    return chosen


def download_one(api: Api, slug: str, data_file: dict, folder: Path, args) -> None:
    name = Path(data_file["name"]).name
    if name in ("", ".", ".."):
        raise CliError(f"The server offered a file with an unusable name: {data_file['name']!r}")
    target = folder / name
    if target.exists() and not args.force and target.stat().st_size == data_file.get("size"):
        print(f"{target} is already here (same size); -o downloads it again.")
        return
    progress = Progress(f"Downloading {name}", data_file.get("size") or 0, quiet=args.quiet)
    path = f"/api/challenges/{segment(slug)}/files/{segment(data_file['name'])}"
    size = api.download(path, target, on_bytes=progress.update)
    progress.close()
    print(f"Downloaded {target} ({human_size(size)})")


# --- submitting ---------------------------------------------------------------------------


def competition_submit(args) -> int:
    path = Path(args.file_name)
    data = read_submission(path)
    with open_api(args) as api:
        slug = slug_of(args)
        challenge = api.challenge(slug)
        if not args.skip_check:
            check_before_upload(api, challenge, data)
        progress = Progress(f"Uploading {path.name}", len(data), quiet=args.quiet)
        submission = api.submit(slug, path.name, data, args.message, progress.update)
        progress.close()
        print(submitted_line(challenge, submission))
        if args.wait:
            print_score(wait_for_score(api, submission, args), challenge)
    if submission.get("is_late"):
        deadline = readable_time(challenge.get("your_deadline") or challenge.get("deadline"))
        raise CliError(
            f"Submitted after the deadline ({deadline}): it is scored but does not count.", LATE
        )
    return OK


def read_submission(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CliError(f"Cannot read {path}: {error.strerror}", INVALID_FILE) from None


def check_before_upload(api: Api, challenge: dict, data: bytes) -> None:
    """Raises CliError with the server's own message if the server would refuse the file."""
    limit_mb = challenge.get("max_file_mb")
    if limit_mb and len(data) > limit_mb * 1024 * 1024:  # as the server's upload checks say
        refuse([f"The file is too large: the limit is {limit_mb} MB."])
    if not data:
        refuse(["The file is empty."])
    spec = Spec.from_api(challenge["submission_spec"])
    try:
        check_submission(data, spec, expected_ids(api, challenge, spec))
    except FileRefused as refused:
        refuse(refused.errors, str(refused))


def refuse(errors: list[str], summary: str | None = None) -> None:
    details = errors if len(errors) > 1 else []
    raise CliError(
        f"Not submitted (no submission used): {summary or errors[0]}", INVALID_FILE, details
    )


def expected_ids(api: Api, challenge: dict, spec: Spec) -> list[str] | None:
    """The test set's ids, from the file that lists them (the sample submission)."""
    name = challenge["submission_spec"].get("ids_file") or sample_name(challenge)
    if not name:
        return None
    try:
        data = api.fetch_bytes(
            f"/api/challenges/{segment(challenge['slug'])}/files/{segment(name)}"
        )
    except ApiError as error:
        if error.status == 404:
            return None
        raise
    return ids_from_sample(data, spec)


def sample_name(challenge: dict) -> str | None:
    for data_file in challenge.get("files", []):
        if data_file["name"].lower().replace("_", "") == "samplesubmission.csv":
            return data_file["name"]
    return None


def submitted_line(challenge: dict, submission: dict) -> str:
    line = f"Successfully submitted to {challenge.get('title') or challenge['slug']}"
    notes = [f"submission {submission['id']}"]
    quota = challenge.get("quota")  # as it was before this upload; null for instructors
    if quota and not submission.get("is_late"):
        left = quota["remaining_today"] - 1
        notes.append(f"{max(left, 0)} of {quota['daily_limit']} left today")
    return f"{line} ({'; '.join(notes)})"


def wait_for_score(api: Api, submission: dict, args) -> dict:
    if not args.quiet:
        print("Waiting for the score...", file=sys.stderr)
    done = api.poll(submission["id"], interval=0.5, timeout=args.timeout)
    if done.get("status") == "failed":
        lines = (done.get("error") or "no reason given").splitlines()
        raise CliError(f"Scoring failed: {lines[0]}", INVALID_FILE, lines[1:])
    return done


def print_score(submission: dict, challenge: dict) -> None:
    better = "higher" if challenge.get("higher_is_better") else "lower"
    line = f"Scored: public score {format_score(submission.get('public_score'))}"
    if submission.get("private_score") is not None:
        line += f", private score {format_score(submission['private_score'])}"
    print(f"{line} ({challenge.get('metric')}, {better} is better)")


def format_score(value) -> str:
    return "hidden" if value is None else f"{value:.6g}"
