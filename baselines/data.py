"""Reading a bundle's public folder: CSVs, PNG images (Pillow) and MJPG clips (OpenCV).

A top-level subfolder (`train/`, `test/`) may arrive zipped as `train.zip` next to the CSVs;
it is unpacked into a temporary folder that lives as long as the `PublicFolder`.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
from PIL import Image

from baselines.common import BaselineError


class PublicFolder:
    """A challenge's public files, with zipped subfolders unpacked on first use."""

    def __init__(self, root: Path):
        self.root = Path(root)
        if not self.root.is_dir():
            raise BaselineError(f"data folder not found: {self.root}")
        self._scratch: tempfile.TemporaryDirectory | None = None

    def csv(self, name: str, columns: Sequence[str] = ()) -> pd.DataFrame:
        path = self.root / name
        if not path.is_file():
            raise BaselineError(f"missing file: {name} in {self.root}")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise BaselineError(f"{name} in {self.root} lacks the column(s) {', '.join(missing)}")
        return frame

    def folder(self, name: str) -> Path:
        path = self.root / name
        if path.is_dir():
            return path
        archive = self.root / f"{name}.zip"
        if not archive.is_file():
            raise BaselineError(f"missing folder: {name}/ (or {name}.zip) in {self.root}")
        return self._unzip(archive, name)

    def close(self) -> None:
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def __enter__(self) -> PublicFolder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _unzip(self, archive: Path, name: str) -> Path:
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="baselines-")
        target = Path(self._scratch.name) / name
        try:
            with zipfile.ZipFile(archive) as handle:
                handle.extractall(target)
        except zipfile.BadZipFile as error:
            raise BaselineError(f"{archive} is not a readable zip file: {error}") from None
        # Zipping a folder usually stores it as `train/...`; zipping its contents does not.
        inner = target / name
        return inner if inner.is_dir() and len(list(target.iterdir())) == 1 else target


def _pool() -> ThreadPoolExecutor:
    # Pillow and OpenCV release the GIL while decoding, so threads do scale.
    return ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1))


def load_images(folder: Path, names: Sequence[str], mode: str) -> np.ndarray:
    """Images as one uint8 array: (N, H, W) for mode "L", (N, H, W, 3) for "RGB"."""

    def read(name: str) -> np.ndarray:
        path = folder / name
        if not path.is_file():
            raise BaselineError(f"missing image: {path}")
        with Image.open(path) as image:
            return np.asarray(image.convert(mode))

    with _pool() as pool:
        return np.stack(list(pool.map(read, names)))


def load_clips(folder: Path, names: Sequence[str], frames: int) -> np.ndarray:
    """Clips as one uint8 RGB array (N, T, H, W, 3); short clips repeat their last frame."""

    def read(name: str) -> np.ndarray:
        return _read_clip(folder / name, frames)

    with _pool() as pool:
        return np.stack(list(pool.map(read, names)))


def _read_clip(path: Path, frames: int) -> np.ndarray:
    if not path.is_file():
        raise BaselineError(f"missing video: {path}")
    capture = cv2.VideoCapture(str(path))
    images = []
    while len(images) < frames:
        ok, image = capture.read()
        if not ok:
            break
        images.append(image[:, :, ::-1])
    capture.release()
    if not images:
        raise BaselineError(f"cannot decode video: {path}")
    images += [images[-1]] * (frames - len(images))
    return np.stack(images)


def subsample(frame: pd.DataFrame, rows: int | None, seed: int) -> pd.DataFrame:
    """At most `rows` of the frame's rows (all of them for None), drawn with the seed, in
    their original order."""
    if rows is None or rows >= len(frame):
        return frame
    return frame.sample(rows, random_state=seed).sort_index()


def write_submission(frame: pd.DataFrame, out: Path) -> None:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False, float_format="%.6f")


def check_columns(public: PublicFolder, expected: Sequence[str]) -> None:
    """The sample submission, when there is one, must agree with what we write."""
    if not (public.root / "sample_submission.csv").is_file():
        return
    header = list(public.csv("sample_submission.csv").columns)
    if header != list(expected):
        raise BaselineError(
            f"sample_submission.csv has columns {header}, this baseline writes {list(expected)}"
        )
