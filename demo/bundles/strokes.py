"""Hand-drawn-looking 35×35 greyscale digits: jittered pen strokes, some typed in Pillow's font.

A digit is a few strokes through control points in a unit box (x right, y down); each sample
jitters the points, slants and squeezes the box, draws smooth curves with a pen of random
width at twice the size, then rotates, shrinks, shifts, warps and adds noise.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

SIZE = 35
CANVAS = SIZE * 2
SUBPIXEL_BITS = 3
SUBPIXEL = 2**SUBPIXEL_BITS
TYPED_SHARE = 0.12
STROKES: dict[str, tuple[tuple[tuple[float, float], ...], ...]] = {
    "0": (
        (
            (0.5, 0.0),
            (0.18, 0.15),
            (0.08, 0.5),
            (0.2, 0.88),
            (0.5, 1.0),
            (0.8, 0.86),
            (0.92, 0.5),
            (0.8, 0.12),
            (0.5, 0.0),
            (0.3, 0.06),
        ),
    ),
    "1": (((0.3, 0.22), (0.56, 0.0), (0.55, 0.5), (0.54, 1.0)),),
    "2": (
        ((0.15, 0.25), (0.4, 0.02), (0.75, 0.06), (0.85, 0.32), (0.55, 0.65), (0.12, 1.0)),
        ((0.12, 1.0), (0.5, 0.99), (0.9, 0.98)),
    ),
    "3": (
        ((0.15, 0.12), (0.5, 0.0), (0.82, 0.15), (0.75, 0.4), (0.42, 0.5)),
        ((0.42, 0.5), (0.85, 0.64), (0.82, 0.9), (0.5, 1.0), (0.12, 0.88)),
    ),
    "4": (
        ((0.62, 0.0), (0.35, 0.35), (0.08, 0.7), (0.5, 0.7), (0.92, 0.7)),
        ((0.66, 0.3), (0.65, 0.65), (0.64, 1.0)),
    ),
    "5": (
        ((0.85, 0.02), (0.5, 0.02), (0.22, 0.02)),
        ((0.22, 0.02), (0.19, 0.25), (0.16, 0.47)),
        ((0.16, 0.47), (0.5, 0.38), (0.85, 0.55), (0.86, 0.85), (0.5, 1.0), (0.14, 0.9)),
    ),
    "6": (
        (
            (0.78, 0.02),
            (0.42, 0.18),
            (0.15, 0.6),
            (0.25, 0.95),
            (0.55, 1.0),
            (0.84, 0.8),
            (0.76, 0.53),
            (0.45, 0.48),
            (0.18, 0.66),
        ),
    ),
    "7": (((0.1, 0.02), (0.5, 0.01), (0.9, 0.0)), ((0.9, 0.0), (0.62, 0.5), (0.36, 1.0))),
    "8": (
        (
            (0.52, 0.48),
            (0.2, 0.3),
            (0.5, 0.0),
            (0.8, 0.25),
            (0.52, 0.48),
            (0.15, 0.75),
            (0.5, 1.0),
            (0.86, 0.75),
            (0.52, 0.48),
        ),
    ),
    "9": (
        ((0.82, 0.25), (0.5, 0.45), (0.18, 0.3), (0.32, 0.03), (0.66, 0.02), (0.82, 0.25)),
        ((0.82, 0.25), (0.8, 0.6), (0.74, 1.0)),
    ),
}
CROSSBAR_7 = ((0.4, 0.52), (0.78, 0.5))


def draw_digit(rng: np.random.Generator, digit: str) -> Image.Image:
    angle = np.radians(rng.uniform(-20, 20))
    draw = _typed if rng.random() < TYPED_SHARE else _handwritten
    canvas = draw(rng, digit, angle)
    pixels = cv2.resize(canvas, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
    return _finish(_warp(pixels, rng), rng)


def _handwritten(rng: np.random.Generator, digit: str, angle: float) -> np.ndarray:
    strokes = [np.array(s, dtype=float) for s in STROKES[digit]]
    if digit == "7" and rng.random() < 0.3:
        strokes.append(np.array(CROSSBAR_7))
    if digit == "1" and rng.random() < 0.3:
        strokes[0] = strokes[0][1:]  # a bare upright stroke
    jitter = rng.normal(0, 0.035, size=2)  # shared, so joined strokes stay joined
    strokes = [s + rng.normal(0, 0.03, s.shape) + jitter for s in strokes]
    canvas = np.zeros((CANVAS, CANVAS), dtype=np.float32)
    pen = max(1, round(rng.uniform(0.08, 0.16) * CANVAS / 2))
    place = _placement(rng, angle)
    for stroke in strokes:
        points = np.round(place(_smooth(stroke)) * SUBPIXEL).astype(np.int32)
        cv2.polylines(
            canvas,
            [points],
            isClosed=False,
            color=float(rng.integers(200, 256)),
            thickness=pen,
            lineType=cv2.LINE_AA,
            shift=SUBPIXEL_BITS,
        )
    return canvas


def _placement(rng: np.random.Generator, angle: float):
    """Unit box → canvas, with a random height, aspect ratio, slant, offset and rotation."""
    height = rng.uniform(0.55, 0.75) * CANVAS
    width = height * rng.uniform(0.55, 0.85)
    slant = rng.uniform(-0.3, 0.3)
    centre = CANVAS / 2 + rng.normal(0, 0.04, 2) * CANVAS
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])

    def apply(points: np.ndarray) -> np.ndarray:
        x = (points[:, 0] - 0.5) * width + slant * (0.5 - points[:, 1]) * height
        y = (points[:, 1] - 0.5) * height
        return np.stack([x, y], axis=1) @ rotation.T + centre

    return apply


def _smooth(points: np.ndarray, steps: int = 8) -> np.ndarray:
    """Catmull-Rom spline through the points (a stroke a pen could have drawn)."""
    padded = np.vstack([points[:1], points, points[-1:]])
    p0, p1, p2, p3 = padded[:-3], padded[1:-2], padded[2:-1], padded[3:]
    t = np.linspace(0, 1, steps, endpoint=False)[:, None, None]
    curve = 0.5 * (
        2 * p1
        + (p2 - p0) * t
        + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
        + (3 * p1 - p0 - 3 * p2 + p3) * t**3
    )
    return np.vstack([curve.transpose(1, 0, 2).reshape(-1, 2), points[-1:]])


def _typed(rng: np.random.Generator, digit: str, angle: float) -> np.ndarray:
    """Pillow's own font (no system fonts), at a random size and position."""
    image = Image.new("L", (CANVAS, CANVAS), 0)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=int(rng.integers(44, 62)))
    left, top, right, bottom = draw.textbbox((0, 0), digit, font=font)
    x = (CANVAS - (right - left)) / 2 - left + rng.normal(0, 2)
    y = (CANVAS - (bottom - top)) / 2 - top + rng.normal(0, 2)
    draw.text(
        (x, y),
        digit,
        fill=int(rng.integers(200, 256)),
        font=font,
        stroke_width=int(rng.integers(0, 2)),
        stroke_fill=230,
    )
    rotated = image.rotate(np.degrees(angle), resample=Image.Resampling.BILINEAR)
    return np.asarray(rotated, dtype=np.float32)


def _warp(pixels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Elastic-ish distortion: a smooth random displacement field, about a pixel strong."""
    coarse = rng.normal(0, 1.0, size=(2, 4, 4)).astype(np.float32)
    dx, dy = (cv2.resize(c, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC) for c in coarse)
    grid_y, grid_x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    shift_x, shift_y = rng.uniform(-2.5, 2.5, 2).astype(np.float32)
    return cv2.remap(
        pixels,
        grid_x + dx - shift_x,
        grid_y + dy - shift_y,
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )


def _finish(pixels: np.ndarray, rng: np.random.Generator) -> Image.Image:
    ink, paper = rng.uniform(0.75, 1.0), rng.uniform(0, 25)
    noise = rng.normal(0, rng.uniform(3, 14), pixels.shape)
    specks = (rng.random(pixels.shape) < rng.uniform(0, 0.02)) * rng.uniform(60, 200)
    result = paper + pixels * ink + noise + specks
    return Image.fromarray(np.clip(result, 0, 255).astype(np.uint8), "L")
