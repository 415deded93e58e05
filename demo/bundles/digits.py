"""The mics-mnist demo: 35×35 greyscale hand-drawn digits, ten classes."""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

from demo.bundles import common
from demo.bundles.classification import FileClassification, build_file_classification
from demo.bundles.strokes import draw_digit

SLUG = "mics-mnist"
DIGITS = tuple(str(d) for d in range(10))


def render_digit(path: str, seed: int, number: int, label: str) -> None:
    rng = common.rng_for(seed, SLUG, "digit", number)
    draw_digit(rng, label).save(path, format="PNG")


DESCRIPTION = """# MICS MNIST: hand-drawn digits

Like the classic MNIST, but drawn by our own (somewhat shaky) hands: every image is a 35×35
greyscale picture of one digit, light ink on a dark background. The digits are slanted,
rotated by up to 20°, shifted, squeezed and stretched; pens differ in width; a few digits are
typed rather than written; and the scanner adds noise and specks. Recognise the digit.

The ten classes are about equally frequent.

## Files

- `train/` — {n_train} training images, `train/<id>.png`.
- `train.csv` — `{id},{target}`: the digit in every training image.
- `test/` — {n_test} test images, `test/<id>.png`.
- `test.csv` — `{id}`: the test ids.
- `sample_submission.csv` — a valid submission that predicts `{default}` for every image.

## Submission format

A CSV file with a header and one row for every test image:

```
{id},{target}
{first_test},{other}
...
```

The `{target}` column holds one of {labels}.

{rules}"""

TASK = FileClassification(
    slug=SLUG,
    title="MICS MNIST",
    subtitle="Recognise hand-drawn digits in 35×35 greyscale images",
    id_column="id",
    target="label",
    labels=DIGITS,
    train_rows=10000,
    file_name=str,
    render=render_digit,
    preview="images",
    preview_files="train/{id}.png",
    description=DESCRIPTION,
)


def build_digits(folder: Path, seed: int, scale: float, pool: Executor | None = None) -> None:
    build_file_classification(TASK, folder, seed, scale, pool)
