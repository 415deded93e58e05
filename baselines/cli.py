"""python -m baselines SLUG --data DIR --out FILE [--device auto|cpu|cuda] [--quick] [--seed N]
[--progress-json]

--tiny, left out of --help, is a smoke run (one epoch on a few dozen training rows) that
proves the pipeline in seconds; its predictions are worthless. See baselines.run.

With --progress-json, stdout carries only JSON lines (start, phase, epoch, done events); the
progress bar and the per-epoch figures go to stderr either way. On failure the exit code is
non-zero and the last line on stderr says why.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path

from baselines.common import BaselineError
from baselines.runner import SLUGS, run

EXIT_FAILED = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        fail(f"{message} (see python -m baselines --help)", EXIT_USAGE)


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m baselines",
        description="Train a challenge's baseline on its public files and write a submission CSV.",
    )
    p.add_argument("slug", help=f"one of {', '.join(SLUGS)}")
    p.add_argument(
        "--data",
        required=True,
        type=Path,
        help="the bundle's public folder (train data, test inputs)",
    )
    p.add_argument("--out", required=True, type=Path, help="where to write the submission CSV")
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    p.add_argument(
        "--quick",
        action="store_true",
        help="a few epochs on part of the data: minutes on a CPU, for benchmarks",
    )
    p.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # a smoke run
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--progress-json", action="store_true", help="print only JSON progress events on stdout"
    )
    return p


def fail(reason: str, code: int = EXIT_FAILED):
    print(f"baselines: error: {' '.join(reason.split())}", file=sys.stderr, flush=True)
    sys.exit(code)


def print_json(event: dict) -> None:
    print(json.dumps(event), flush=True)


def print_human(event: dict) -> None:
    if event["event"] == "start":
        print(f"{event['slug']}: training on {event['device']}", flush=True)
    elif event["event"] == "phase":
        print(f"phase: {event['name']} ({event['epochs']} epochs)", flush=True)
    elif event["event"] == "done":
        print(f"wrote {event['out']} in {event['seconds']:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        run(
            args.slug,
            args.data,
            args.out,
            device=args.device,
            quick=args.quick,
            tiny=args.tiny,
            seed=args.seed,
            on_progress=print_json if args.progress_json else print_human,
        )
    except BaselineError as error:
        fail(str(error))
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as error:  # noqa: BLE001 - the traceback goes first, the reason last
        traceback.print_exc()
        fail(f"{type(error).__name__}: {error}")
