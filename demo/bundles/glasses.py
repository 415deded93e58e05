"""The glasses demo: 64×64 RGB face images, half of them wearing glasses."""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

from demo.bundles import common
from demo.bundles.classification import FileClassification, build_file_classification
from demo.bundles.faces import draw_face

SLUG = "glasses"


def render_face(path: str, seed: int, number: int, label: str) -> None:
    rng = common.rng_for(seed, SLUG, "face", number)
    draw_face(rng, wears_glasses=label == "1").save(path, format="PNG")


DESCRIPTION = """# Glasses or no glasses?

Each image is a 64×64 colour portrait. Some people wear glasses — thick or thin frames, round
or rectangular, dark, metallic or coloured, sometimes tinted lenses — and some don't. Faces
differ in skin tone, face shape, hair, hats and expression; they are tilted, shifted and
zoomed a little; the light, the background and the camera noise change from picture to
picture. Decide for each test image whether the person wears glasses.

The classes are balanced: about half of the images, in training and test alike, show glasses.

## Files

- `train/` — {n_train} training images, `train/<id>.png`.
- `train.csv` — `{id},{target}`: the label of every training image, `1` = glasses, `0` = none.
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

The `{target}` column holds one of the labels {labels}.

{rules}"""

TASK = FileClassification(
    slug=SLUG,
    title="Glasses or no glasses",
    subtitle="Spot the glasses in 64×64 portraits",
    id_column="id",
    target="glasses",
    labels=("0", "1"),
    train_rows=4000,
    file_name=str,
    render=render_face,
    preview="images",
    preview_files="train/{id}.png",
    description=DESCRIPTION,
)


def build_glasses(folder: Path, seed: int, scale: float, pool: Executor | None = None) -> None:
    build_file_classification(TASK, folder, seed, scale, pool)
