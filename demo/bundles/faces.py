"""Procedural 64×64 faces, with or without glasses, drawn with Pillow at twice the size.

Varied enough (skin, face shape, hair, hats, brows, shadows under the eyes, pose, light,
clutter, noise) that a linear model on pixels does clearly worse than a small CNN; glasses
always have two rims, a bridge and temples of a colour that stands out from the skin, so
the task stays learnable.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

SIZE = 64
CANVAS = SIZE * 2
SKIN_TONES = (
    (255, 224, 196),
    (241, 194, 160),
    (224, 172, 130),
    (198, 134, 90),
    (160, 102, 62),
    (118, 74, 42),
    (84, 54, 34),
)
HAIR_COLOURS = (
    (25, 20, 18),
    (60, 40, 25),
    (110, 75, 40),
    (170, 130, 70),
    (215, 190, 120),
    (140, 60, 30),
    (190, 190, 190),
    (90, 90, 95),
)
FRAME_COLOURS = (
    (18, 18, 20),
    (70, 45, 25),
    (115, 72, 38),
    (200, 168, 80),
    (185, 185, 195),
    (170, 30, 40),
    (30, 40, 115),
    (30, 110, 60),
    (120, 40, 130),
)
IRIS_COLOURS = ((70, 45, 25), (40, 90, 150), (60, 110, 60), (30, 25, 20), (120, 100, 60))
MIN_FRAME_CONTRAST = 70.0


def draw_face(rng: np.random.Generator, wears_glasses: bool) -> Image.Image:
    background = _background(rng)
    layer = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    face = _face_geometry(rng)
    _draw_head(draw, rng, face)
    _draw_features(draw, rng, face)
    if wears_glasses:
        _draw_glasses(layer, rng, face)
    posed = layer.transform(
        (CANVAS, CANVAS), Image.Transform.AFFINE, _pose(rng), resample=Image.Resampling.BILINEAR
    )
    picture = Image.alpha_composite(background, posed).convert("RGB").reduce(2)
    return _light_and_noise(picture, rng)


def _colour(rng: np.random.Generator, palette, spread: float = 12.0) -> tuple[int, ...]:
    base = np.array(palette[rng.integers(len(palette))], dtype=float)
    return tuple(int(v) for v in np.clip(base + rng.normal(0, spread, 3), 0, 255))


def _shade(colour: tuple[int, ...], factor: float) -> tuple[int, ...]:
    return tuple(int(min(255, c * factor)) for c in colour[:3])


def _background(rng: np.random.Generator) -> Image.Image:
    image = Image.new("RGBA", (CANVAS, CANVAS), tuple(rng.integers(30, 230, 3).tolist()))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.integers(0, 6)):
        x, y = rng.integers(-20, CANVAS, 2)
        w, h = rng.integers(10, 60, 2)
        shape = draw.rectangle if rng.random() < 0.5 else draw.ellipse
        shape((x, y, x + w, y + h), fill=tuple(rng.integers(20, 235, 3).tolist()))
    return image


def _face_geometry(rng: np.random.Generator) -> dict:
    cx, cy = CANVAS / 2 + rng.normal(0, 2), CANVAS / 2 + 2 + rng.normal(0, 2)
    rx, ry = rng.uniform(20, 27), rng.uniform(26, 33)
    eye_y = cy - ry * rng.uniform(0.05, 0.2)
    return {
        "cx": cx,
        "cy": cy,
        "rx": rx,
        "ry": ry,
        "eye_y": eye_y,
        "eye_dx": rx * rng.uniform(0.38, 0.5),
        "eye_w": rng.uniform(4.0, 6.5),
        "eye_h": rng.uniform(2.2, 3.8),
        "skin": _colour(rng, SKIN_TONES),
        "hair": _colour(rng, HAIR_COLOURS, 8),
    }


def _draw_head(draw: ImageDraw.ImageDraw, rng: np.random.Generator, f: dict) -> None:
    cx, cy, rx, ry, skin, hair = f["cx"], f["cy"], f["rx"], f["ry"], f["skin"], f["hair"]
    if rng.random() < 0.4:  # long hair, behind the head
        draw.ellipse(
            (cx - rx - 7, cy - ry - 6, cx + rx + 7, cy + ry + rng.uniform(5, 30)), fill=hair
        )
    clothes = tuple(rng.integers(20, 235, 3).tolist())
    draw.ellipse((cx - 60, cy + ry + 4, cx + 60, cy + ry + 90), fill=clothes)
    draw.rectangle(
        (cx - rx * 0.42, cy + ry * 0.5, cx + rx * 0.42, cy + ry + 12), fill=_shade(skin, 0.85)
    )
    for side in (-1, 1):
        ear_x = cx + side * rx
        draw.ellipse((ear_x - 4, f["eye_y"] - 3, ear_x + 4, f["eye_y"] + 11), fill=skin)
    draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=skin)
    _draw_hair_top(draw, rng, f)


def _draw_hair_top(draw: ImageDraw.ImageDraw, rng: np.random.Generator, f: dict) -> None:
    cx, cy, rx, ry = f["cx"], f["cy"], f["rx"], f["ry"]
    style = rng.choice(["short", "bangs", "bald", "hat"], p=[0.45, 0.25, 0.12, 0.18])
    if style == "bald":
        return
    low = 0.15 if style == "bangs" else 0.4
    hairline = cy - ry * rng.uniform(low, low + 0.2)
    top = cy - ry - rng.uniform(2, 7)
    box = (cx - rx - 3, top, cx + rx + 3, 2 * hairline - top)
    colour = f["hair"] if style != "hat" else tuple(rng.integers(20, 235, 3).tolist())
    draw.chord(box, 180, 360, fill=colour)
    if style == "hat":
        draw.rectangle((cx - rx - 8, hairline - 4, cx + rx + 8, hairline), fill=colour)


def _draw_features(draw: ImageDraw.ImageDraw, rng: np.random.Generator, f: dict) -> None:
    cx, ey, dx, w, h, skin = f["cx"], f["eye_y"], f["eye_dx"], f["eye_w"], f["eye_h"], f["skin"]
    iris = _colour(rng, IRIS_COLOURS, 6)
    brow_gap, brow_width = rng.uniform(6, 10), int(rng.integers(2, 6))
    shadows = rng.random() < 0.3
    closed = rng.random() < 0.08
    for side in (-1, 1):
        x = cx + side * dx
        if closed:
            draw.arc((x - w, ey - h, x + w, ey + h), 0, 180, fill=(40, 30, 30), width=2)
        else:
            draw.ellipse((x - w, ey - h, x + w, ey + h), fill=(240, 240, 235))
            draw.ellipse((x - h, ey - h, x + h, ey + h), fill=iris)
            draw.ellipse((x - h / 2.5, ey - h / 2.5, x + h / 2.5, ey + h / 2.5), fill=(10, 10, 10))
        tilt = rng.normal(0, 1.5)
        brow_y = ey - brow_gap
        draw.line(
            (x - w * 1.3, brow_y + side * tilt, x + w * 1.3, brow_y - side * tilt),
            fill=_shade(f["hair"], 0.8),
            width=brow_width,
        )
        if shadows:
            draw.arc((x - w, ey - h, x + w, ey + h + 4), 20, 160, fill=_shade(skin, 0.7), width=2)
    _draw_nose_and_mouth(draw, rng, f)


def _draw_nose_and_mouth(draw: ImageDraw.ImageDraw, rng: np.random.Generator, f: dict) -> None:
    cx, cy, ry, skin = f["cx"], f["cy"], f["ry"], f["skin"]
    nose_y = cy + ry * rng.uniform(0.2, 0.32)
    draw.line((cx, f["eye_y"] + 4, cx + rng.normal(0, 2), nose_y), fill=_shade(skin, 0.75), width=2)
    mouth_y, mouth_w = cy + ry * rng.uniform(0.45, 0.6), rng.uniform(6, 11)
    lips = (int(rng.integers(120, 200)), int(rng.integers(40, 80)), int(rng.integers(50, 90)))
    box = (cx - mouth_w, mouth_y - 4, cx + mouth_w, mouth_y + 4)
    if rng.random() < 0.6:
        draw.arc(box, 10, 170, fill=lips, width=int(rng.integers(2, 4)))
    else:
        draw.ellipse((box[0], mouth_y - 2, box[2], mouth_y + 2), fill=lips)
    if rng.random() < 0.12:  # moustache
        draw.line((cx - mouth_w, mouth_y - 5, cx + mouth_w, mouth_y - 5), fill=f["hair"], width=3)


def _frame_colour(rng: np.random.Generator, skin: tuple[int, ...]) -> tuple[int, ...]:
    colour = _colour(rng, FRAME_COLOURS, 10)
    if np.linalg.norm(np.subtract(colour, skin)) < MIN_FRAME_CONTRAST:
        colour = _shade(colour, 0.35)
    return colour


def _draw_glasses(layer: Image.Image, rng: np.random.Generator, f: dict) -> None:
    overlay = Image.new("RGBA", layer.size, (0, 0, 0, 0))  # so tinted lenses blend, not replace
    draw = ImageDraw.Draw(overlay)
    cx, ey, dx = f["cx"], f["eye_y"], f["eye_dx"]
    half_w = min(f["eye_w"] * rng.uniform(1.5, 2.0), dx - 2)
    half_h = f["eye_h"] * rng.uniform(2.0, 2.9)
    width = int(rng.choice([2, 2, 3, 3, 4, 5, 6]))
    colour = _frame_colour(rng, f["skin"])
    style = rng.choice(["round", "rectangle", "browline", "aviator"])
    tint = (20, 20, 30, int(rng.integers(120, 220))) if rng.random() < 0.2 else None
    for side in (-1, 1):
        x = cx + side * dx
        box = (x - half_w, ey - half_h, x + half_w, ey + half_h)
        _draw_rim(draw, box, style, colour, width, tint)
        outer = x + side * half_w
        draw.line(
            (outer, ey - half_h * 0.4, cx + side * (f["rx"] + 2), ey + 2),
            fill=colour,
            width=max(2, width - 1),
        )
    bridge_y = ey - half_h * rng.uniform(0.0, 0.5)
    draw.line((cx - dx + half_w, bridge_y, cx + dx - half_w, bridge_y), fill=colour, width=width)
    layer.alpha_composite(overlay)


def _draw_rim(draw, box, style: str, colour, width: int, tint) -> None:
    x0, y0, x1, y1 = box
    if style == "round":
        draw.ellipse(box, outline=colour, width=width, fill=tint)
    elif style == "rectangle":
        draw.rounded_rectangle(box, radius=3, outline=colour, width=width, fill=tint)
    elif style == "aviator":
        draw.rounded_rectangle(
            box, radius=int((y1 - y0) / 2.2), outline=colour, width=width, fill=tint
        )
    else:  # browline: a heavy top bar and a hairline lower rim
        draw.ellipse(box, outline=colour, width=1, fill=tint)
        draw.line((x0, y0 + 1, x1, y0 + 1), fill=colour, width=width + 1)


def _pose(rng: np.random.Generator) -> tuple[float, ...]:
    """Inverse affine map (output pixel → source pixel) for a random rotation, scale, shift."""
    angle, scale = np.radians(rng.uniform(-15, 15)), rng.uniform(0.88, 1.12)
    shift_x, shift_y = rng.uniform(-8, 8, 2)
    cos, sin = np.cos(angle) / scale, np.sin(angle) / scale
    centre = CANVAS / 2
    ox, oy = centre + shift_x, centre + shift_y
    return (cos, sin, centre - cos * ox - sin * oy, -sin, cos, centre + sin * ox - cos * oy)


def _light_and_noise(picture: Image.Image, rng: np.random.Generator) -> Image.Image:
    pixels = np.asarray(picture, dtype=np.float32)
    ramp = np.linspace(-1, 1, SIZE, dtype=np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    gradient = np.cos(angle) * ramp[None, :] + np.sin(angle) * ramp[:, None]
    light = rng.uniform(0.8, 1.15) * (1 + rng.uniform(0, 0.3) * gradient)
    tint = rng.uniform(0.9, 1.1, 3).astype(np.float32)
    noise = rng.normal(0, rng.uniform(2, 9), pixels.shape).astype(np.float32)
    pixels = pixels * light[:, :, None] * tint + noise
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
