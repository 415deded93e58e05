"""The sword-video demo: 16-frame MJPG clips, `use_sword` vs `sword_drawn`, few labelled ones."""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

import cv2

from demo.bundles import common
from demo.bundles.classification import FileClassification, build_file_classification
from demo.bundles.clips import FRAMES, SIZE, draw_clip

SLUG = "sword-video"
FPS = 8
JPEG_QUALITY = 85
ACTIONS = ("use_sword", "sword_drawn")


def render_clip(path: str, seed: int, number: int, label: str) -> None:
    frames = draw_clip(common.rng_for(seed, SLUG, "clip", number), label)
    write_mjpg(path, frames)


def write_mjpg(path: str, frames: list) -> None:
    """OpenCV's own MJPG writer (not FFmpeg's), so the bytes are the same on every machine."""
    writer = cv2.VideoWriter(
        path,
        cv2.CAP_OPENCV_MJPEG,
        cv2.VideoWriter_fourcc(*"MJPG"),
        FPS,
        (SIZE, SIZE),
        [cv2.VIDEOWRITER_PROP_QUALITY, JPEG_QUALITY],
    )
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write an MJPG video to {path}")
    for frame in frames:
        writer.write(frame[:, :, ::-1].copy())  # drawn as RGB, written as BGR
    writer.release()


DESCRIPTION = """# Sword video: drawing or using?

Every clip shows a figure with a sword: {frames} frames of 64×64 colour video at {fps} frames
a second. In some clips the figure **draws the sword** from its sheath (`sword_drawn`); in
the others it **uses** an already drawn sword, swinging it (`use_sword`). Colours, positions,
angles, speed and the background change from clip to clip, the camera shakes, and the
background is full of things that look like blades: a single frame rarely tells you which
clip you are watching — the motion does.

There are only **{n_train} labelled clips**. Training a video network from scratch on so few is
hard; a network pretrained on images or videos, fine-tuned or used as a feature extractor
frame by frame, is the way to go (transfer learning).

The two classes are balanced.

## Files

- `train/` — {n_train} training clips, `train/<video>` (MJPG in an AVI container; read them
  with OpenCV's `cv2.VideoCapture`, `torchvision.io.read_video` or `imageio`).
- `train.csv` — `{id},{target}`: the label of every training clip.
- `test/` — {n_test} test clips, `test/<video>`.
- `test.csv` — `{id}`: the test clips' names.
- `sample_submission.csv` — a valid submission that predicts `{default}` for every clip.

## Submission format

A CSV file with a header and one row for every test clip, named as in `test/`:

```
{id},{target}
{first_test},{other}
...
```

The `{target}` column holds one of {labels}.

{rules}"""

TASK = FileClassification(
    slug=SLUG,
    title="Sword video",
    subtitle="Drawing a sword or using it? Learn from a few labelled clips",
    id_column="video",
    target="category",
    labels=ACTIONS,
    train_rows=300,
    file_name=lambda number: f"clip_{number:05d}.avi",
    render=render_clip,
    preview="video",
    preview_files="train/{video}",
    description=DESCRIPTION.replace("{frames}", str(FRAMES)).replace("{fps}", str(FPS)),
)


def build_sword(folder: Path, seed: int, scale: float, pool: Executor | None = None) -> None:
    build_file_classification(TASK, folder, seed, scale, pool)
