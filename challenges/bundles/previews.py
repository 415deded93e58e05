"""A few training examples to look at on the challenge page, computed once at import.

Images travel as data URIs inside the challenge row, so the page needs no extra file views.
"""

import base64
import io
import logging

import numpy as np
import pandas as pd
from PIL import Image

from challenges.bundles.format import Bundle

log = logging.getLogger(__name__)

PLOT_POINTS = 400
TABLE_ROWS = 8
EXAMPLE_IMAGES = 12
VIDEO_CLIPS = 2
FRAMES_PER_STRIP = 8


def build_preview(bundle: Bundle) -> dict:
    builders = {"xy-plot": xy_plot, "table": table, "images": images, "video": video}
    builder = builders.get(bundle.preview)
    if builder is None or not bundle.preview_source:
        return {"kind": "none"}
    try:
        source = pd.read_csv(bundle.public_dir / bundle.preview_source, dtype_backend="pyarrow")
        return builder(bundle, source)
    except (OSError, ValueError, KeyError) as exc:  # a preview must never block an import
        log.warning("No preview for %s: %s", bundle.slug, exc)
        return {"kind": "none"}


def xy_plot(bundle: Bundle, source: pd.DataFrame) -> dict:
    numeric = [c for c in source.columns if c != bundle.spec.id_column]
    x_name, y_name = numeric[0], numeric[-1]
    sample = source.sample(n=min(PLOT_POINTS, len(source)), random_state=0)
    x = sample[x_name].to_numpy(dtype=float)
    y = sample[y_name].to_numpy(dtype=float)
    return {
        "kind": "xy-plot",
        "x_label": x_name,
        "y_label": y_name,
        "x_range": [float(x.min()), float(x.max())],
        "y_range": [float(y.min()), float(y.max())],
        "points": [[round(a, 4), round(b, 4)] for a, b in zip(x, y, strict=True)],
    }


def table(bundle: Bundle, source: pd.DataFrame) -> dict:
    head = source.head(TABLE_ROWS).astype(str)
    return {"kind": "table", "columns": list(head.columns), "rows": head.values.tolist()}


def label_column(bundle: Bundle, source: pd.DataFrame) -> str:
    return next(c for c in source.columns if c != bundle.spec.id_column)


def balanced_examples(source: pd.DataFrame, label: str, count: int) -> pd.DataFrame:
    per_label = max(1, count // max(1, source[label].nunique()))
    return source.groupby(label, sort=True).head(per_label).head(count).sort_values(label)


def data_uri(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def example_path(bundle: Bundle, row: pd.Series):
    return bundle.public_dir / bundle.preview_files.format(**row.astype(str).to_dict())


def images(bundle: Bundle, source: pd.DataFrame) -> dict:
    label = label_column(bundle, source)
    examples = []
    for _, row in balanced_examples(source, label, EXAMPLE_IMAGES).iterrows():
        with Image.open(example_path(bundle, row)) as image:
            examples.append({"label": str(row[label]), "src": data_uri(image.copy())})
    return {"kind": "images", "label": label, "examples": examples}


def video(bundle: Bundle, source: pd.DataFrame) -> dict:
    label = label_column(bundle, source)
    clips = []
    for _, row in balanced_examples(source, label, VIDEO_CLIPS).iterrows():
        frames = read_frames(example_path(bundle, row))
        clips.append({"label": str(row[label]), "frames": len(frames), "src": filmstrip(frames)})
    return {"kind": "video", "label": label, "clips": clips}


def read_frames(path) -> list[np.ndarray]:
    import cv2  # only the import of a video challenge needs OpenCV

    capture = cv2.VideoCapture(str(path))
    frames = []
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    finally:
        capture.release()
    if not frames:
        raise ValueError(f"no frames could be read from {path.name}")
    return frames


def filmstrip(frames: list[np.ndarray]) -> str:
    picks = np.linspace(0, len(frames) - 1, num=min(FRAMES_PER_STRIP, len(frames))).astype(int)
    return data_uri(Image.fromarray(np.concatenate([frames[i] for i in picks], axis=1)))
