"""`vsegrader c submit`: quota and deadline first (one request), then the local check, then
the upload; what is left today is printed once the outcome is known."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from vsegrader_client import checker, filecache, hints, warmup
from vsegrader_client.api import Api
from vsegrader_client.checks import FileRefused, Spec, check_submission, sample_ids
from vsegrader_client.commands import open_api, slug_of
from vsegrader_client.errors import (
    INVALID_FILE,
    LATE,
    LIMIT_REACHED,
    OK,
    USAGE,
    CliError,
    RefusedFile,
)
from vsegrader_client.output import Progress, readable_time


def add_commands(actions, add_globals) -> None:
    from vsegrader_client.board import add_quiet, add_slug

    submit = actions.add_parser(
        "submit",
        help="check a file locally, then submit it",
        description="Checks the quota and the deadline, then the file against the challenge's "
        "submission format: a file the server would refuse is refused here, and no submission "
        "is used.",
    )
    add_globals(submit)
    add_slug(submit)
    submit.add_argument("-f", "--file", dest="file_name", required=True, help="the CSV file")
    submit.add_argument("-m", "--message", required=True, help="a description of the submission")
    submit.add_argument("--wait", action="store_true", help="wait for the score and print it")
    submit.add_argument(
        "--timeout",
        type=seconds,
        default=600,
        help="seconds --wait waits at most (default 600)",
    )
    submit.add_argument(
        "--skip-check", action="store_true", help="upload without checking the file first"
    )
    add_quiet(submit)
    submit.set_defaults(handler=competition_submit)


def seconds(text: str) -> float:
    """--timeout's value: a positive number of seconds (argparse says so otherwise)."""
    import argparse

    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):  # NaN too: it fails every comparison
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def competition_submit(args) -> int:
    path = Path(args.file_name)
    if not args.skip_check:  # the check of a large file starts at once (see warmup)
        warmup.start(args.file_name)
    with open_api(args) as api:
        slug = slug_of(args)
        challenge = api.challenge(slug)  # the quota, the deadline and the file's format
        if used_up(challenge):
            refuse_if_used_up(api.status(slug))  # the status names the course's time zone
        data = warmup.take_bytes(args.file_name) or read_submission(path)
        if not args.skip_check:
            check_before_upload(api, challenge, data, warmup.take_checker(args.file_name))
        progress = Progress(f"Uploading {path.name}", len(data), quiet=args.quiet)
        submission = api.submit(slug, path.name, data, args.message, progress.update)
        progress.close()
        print(
            f"Successfully submitted to {challenge.get('title') or slug} "
            f"(submission {submission['id']})"
        )
        if args.wait:  # the outcome, then what is left today (which the outcome decides)
            done, status = wait_for_score(api, slug, submission, args)
            left = left_today(status, done)
            if done.get("status") == "failed":
                lines = (done.get("error") or "no reason given").splitlines()
                raise CliError(f"Scoring failed: {lines[0]}", INVALID_FILE, [*lines[1:], *left])
            print_score(done, challenge)
            for line in left:
                print(line)
        elif not submission.get("is_late"):
            print(
                f"It is being scored: `vsegrader c submission {submission['id']}` shows the "
                "outcome, `vsegrader c status` what is left today (failed files do not count)."
            )
    if submission.get("is_late"):
        deadline = readable_time(challenge.get("your_deadline") or challenge.get("deadline"))
        raise CliError(
            f"Submitted after the deadline ({deadline}): it is scored but does not count.", LATE
        )
    return OK


def used_up(status: dict) -> bool:
    """Whether the limits leave no submission; `status`: the challenge's, or its detail."""
    quota = status.get("quota")
    if not quota or not status.get("is_open", True):
        return False  # no limits (instructors), or after the deadline: late files never count
    remaining_total = quota.get("remaining_total")
    return (remaining_total is not None and remaining_total <= 0) or quota["remaining_today"] <= 0


def refuse_if_used_up(status: dict) -> None:
    if not used_up(status):
        return
    quota = status["quota"]
    if quota.get("remaining_total") is not None and quota["remaining_total"] <= 0:
        raise CliError(
            f"Not submitted: all {quota['total_limit']} submissions of this challenge are used.",
            LIMIT_REACHED,
        )
    zone = status.get("time_zone") or ""
    raise CliError(
        f"Not submitted: {quota['daily_limit']} of {quota['daily_limit']} used today; the "
        f"count resets {readable_time(quota.get('resets_at'))} {zone}".rstrip()
        + ".",
        LIMIT_REACHED,
    )


def left_today(status: dict, submission: dict) -> list[str]:
    """'4 of 5 left today' once the outcome is known; none for a late submission (it counts
    for nothing) or without a limit."""
    quota = status.get("quota")
    if not quota or submission.get("is_late"):
        return []
    why = " (failed files do not count)" if submission.get("status") == "failed" else ""
    return [f"{quota['remaining_today']} of {quota['daily_limit']} left today{why}"]


def read_submission(path: Path) -> bytes:
    """The file's bytes; a path that is no readable file is a wrong argument (exit 2), not a
    refused file (5): nothing was checked."""
    if path.is_dir():
        raise CliError(f"{path} is a folder, not a file: give the CSV file with -f.", USAGE)
    try:
        return path.read_bytes()
    except OSError as error:
        raise CliError(f"Cannot read {path}: {error.strerror}", USAGE) from None


def check_before_upload(api: Api, challenge: dict, data: bytes, process=None) -> None:
    """Raises CliError with the server's own message if the server would refuse the file.
    `process`: the one checking this file already (vsegrader_client.checker), if any."""
    limit_mb = challenge.get("max_file_mb")
    if limit_mb and len(data) > limit_mb * 1024 * 1024:  # as the server's upload checks say
        refuse([f"The file is too large: the limit is {limit_mb} MB."])
    if not data:
        refuse(["The file is empty."])
    spec = Spec.from_api(challenge["submission_spec"])
    sample = ids_file(api, challenge)
    try:
        if process is None or not checker.verdict(process, spec, sample):
            check_submission(data, spec, None if sample is None else sample_ids(sample, spec))
    except FileRefused as refused:
        advice = hints.hints(data, spec, refused.errors, hints.header_of(data))
        summary = hints.grouped(refused.kinds) if refused.problem_count > 1 else str(refused)
        refuse(refused.errors, summary, advice)


def refuse(errors: list[str], summary: str | None = None, advice: list[str] = ()) -> None:
    details = errors if len(errors) > 1 else []
    raise RefusedFile(summary or errors[0], [*details, *advice])


def expected_ids(api: Api, challenge: dict, spec: Spec):
    """The test set's ids, from the file that lists them (the sample submission)."""
    data = ids_file(api, challenge)
    return None if data is None else sample_ids(data, spec)


def ids_file(api: Api, challenge: dict) -> bytes | None:
    """The bytes of the file that lists the test set's ids (cached between commands)."""
    name = challenge["submission_spec"].get("ids_file") or sample_name(challenge)
    return filecache.data_file(api, challenge, name) if name else None


def sample_name(challenge: dict) -> str | None:
    for data_file in challenge.get("files", []):
        if data_file["name"].lower().replace("_", "") == "samplesubmission.csv":
            return data_file["name"]
    return None


def wait_for_score(api: Api, slug: str, submission: dict, args) -> tuple[dict, dict]:
    """(the submission once scored or failed, the challenge's status after it). The status
    is asked while the scorer works, before the first poll (which still comes when it
    would have): a file counts from its upload on, so that status is right unless the
    file fails, and is asked again if it does."""
    uploaded = time.monotonic()
    if not args.quiet:
        print("Waiting for the score...", file=sys.stderr)
    late = submission.get("is_late")  # nothing is left to count: no status needed
    status = {} if late else api.status(slug)
    done = api.poll(submission["id"], timeout=args.timeout, since=uploaded)
    if done.get("status") == "failed" and not late:
        status = api.status(slug)  # failed files do not count
    return done, status


def print_score(submission: dict, challenge: dict) -> None:
    better = "higher" if challenge.get("higher_is_better") else "lower"
    line = f"Scored: public score {format_score(submission.get('public_score'))}"
    if submission.get("private_score") is not None:
        line += f", private score {format_score(submission['private_score'])}"
    print(f"{line} ({challenge.get('metric')}, {better} is better)")


def format_score(value) -> str:
    return "hidden" if value is None else f"{value:.6g}"
