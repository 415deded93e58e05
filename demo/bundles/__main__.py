"""python -m demo.bundles OUT_DIR [--seed N] [--scale F] [--workers N]"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from demo.bundles import DEMO_SLUGS, build_demo_bundles
from demo.bundles.common import is_built, stamp_text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m demo.bundles",
        description=f"Build the demo challenge bundles ({', '.join(DEMO_SLUGS)}).",
    )
    parser.add_argument("out_dir", type=Path, help="folder to build the bundles in")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the row counts")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: 2)")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    cached = {
        slug: is_built(args.out_dir / slug, stamp_text(slug, args.seed, args.scale))
        for slug in DEMO_SLUGS
    }
    started = time.perf_counter()
    folders = build_demo_bundles(
        args.out_dir, seed=args.seed, scale=args.scale, workers=args.workers
    )
    elapsed = time.perf_counter() - started
    for folder in folders:
        state = "cached" if cached[folder.name] else "built"
        print(f"{folder}  {_size_mb(folder):7.1f} MB  {state}")
    print(f"seed {args.seed}, scale {args.scale}: done in {elapsed:.1f} s")


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


if __name__ == "__main__":
    main()
