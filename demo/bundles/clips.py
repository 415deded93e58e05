"""16-frame 64×64 clips of a figure with a sword: drawing it from a sheath, or swinging it.

`sword_drawn`: the hilt slides out along the sheath's axis and the visible blade grows; once
out, the sword may be lifted a little. `use_sword`: a whole blade swings in an arc about the
hand, next to an empty sheath (most of the time). Static light lines in the background look
like blades, and the camera shakes, so one frame says little: the motion tells the classes
apart.
"""

from __future__ import annotations

import cv2
import numpy as np

SIZE = 64
FRAMES = 16
SHIFT_BITS = 4  # cv2 draws at 1/16 pixel precision
ONE = 1 << SHIFT_BITS
NOISE_MARGIN = 8
NOISE_STD_RANGE = (2.0, 7.0)


def draw_clip(rng: np.random.Generator, action: str) -> list[np.ndarray]:
    scene = _scene(rng)
    poses = _drawing_poses(rng, scene) if action == "sword_drawn" else _swing_poses(rng, scene)
    background = _background(rng)
    shake = np.cumsum(rng.normal(0, 0.6, size=(FRAMES, 2)), axis=0)
    noise = rng.standard_normal((SIZE + NOISE_MARGIN, SIZE + NOISE_MARGIN, 3), dtype=np.float32)
    noise *= rng.uniform(*NOISE_STD_RANGE)
    frames = []
    for t, pose in enumerate(poses):
        frame = background.copy()
        _draw_scene(frame, scene, pose)
        frames.append(_camera(frame, shake[t], noise, rng))
    return frames


# --- the scene -------------------------------------------------------------------------------


def _unit(angle: float) -> np.ndarray:
    return np.array([np.cos(angle), np.sin(angle)])


def _colour(rng: np.random.Generator, low: int = 20, high: int = 235) -> tuple[int, ...]:
    return tuple(int(v) for v in rng.integers(low, high, 3))


def _scene(rng: np.random.Generator) -> dict:
    body = rng.uniform([18, 28], [46, 46])
    side = rng.choice([-1.0, 1.0])
    sheath_length = rng.uniform(17, 26)
    grey = rng.integers(170, 245)
    return {
        "body": body,
        "side": side,
        "shoulder": body + np.array([side * 6, -8]),
        "head_radius": rng.uniform(4.5, 7),
        "skin": _colour(rng, 60, 250),
        "clothes": _colour(rng),
        "sheath_colour": _colour(rng, 10, 120),
        "mouth": body + np.array([side * rng.uniform(2, 8), rng.uniform(-2, 8)]),
        "into_sheath": _unit(rng.uniform(0, 2 * np.pi)),
        "sheath_length": sheath_length,
        "blade_length": sheath_length - rng.uniform(1, 3),
        "handle_length": rng.uniform(3.5, 6),
        "guard_length": rng.uniform(4, 7),
        "blade_colour": tuple(int(grey + d) for d in rng.integers(-15, 10, 3)),
        "blade_width": int(rng.choice([1, 2, 2])),
        "shows_sheath": True,
    }


def _progress(rng: np.random.Generator, start_range, length_range) -> np.ndarray:
    """Eased 0→1 over a random window of the clip (which may start before or end after it)."""
    start, length = rng.uniform(*start_range), rng.uniform(*length_range)
    linear = np.clip((np.arange(FRAMES) - start) / length, 0, 1)
    return linear * linear * (3 - 2 * linear)


def _drawing_poses(rng: np.random.Generator, scene: dict) -> list[dict]:
    """Guard slides from the sheath's mouth outwards; then, sometimes, a small lift."""
    out = -scene["into_sheath"]
    reach = rng.uniform(0, 0.3) + _progress(rng, (-4, 4), (6, 13)) * rng.uniform(0.7, 1.0)
    reach = np.minimum(reach, 1.0)
    base_angle = np.arctan2(out[1], out[0])
    lift = np.where(reach >= 1.0, np.cumsum(reach >= 1.0), 0) * rng.uniform(-0.08, 0.08)
    poses = []
    for t in range(FRAMES):
        guard = scene["mouth"] + out * reach[t] * scene["blade_length"]
        direction = _unit(base_angle + lift[t])
        poses.append(
            {"guard": guard, "out": direction, "visible": reach[t] * scene["blade_length"]}
        )
    return poses


def _swing_poses(rng: np.random.Generator, scene: dict) -> list[dict]:
    """The whole blade turns about the hand through 70–150°, once or there and back."""
    scene["shows_sheath"] = rng.random() < 0.75
    start = rng.uniform(0, 2 * np.pi)
    sweep = rng.choice([-1, 1]) * np.radians(rng.uniform(70, 150))
    eased = _progress(rng, (-3, 4), (5, 12))
    if rng.random() < 0.3:
        eased = np.sin(np.pi * eased)  # swing and return
    arm = rng.uniform(7, 11)
    arm_angle = rng.uniform(0, 2 * np.pi)
    poses = []
    for t in range(FRAMES):
        hand = scene["shoulder"] + arm * _unit(arm_angle + 0.4 * sweep * eased[t])
        out = -_unit(start + sweep * eased[t])
        guard = hand - out * scene["handle_length"] / 2
        poses.append({"guard": guard, "out": out, "visible": scene["blade_length"]})
    return poses


# --- drawing ---------------------------------------------------------------------------------


def _fixed(point: np.ndarray) -> tuple[int, int]:
    return int(round(point[0] * ONE)), int(round(point[1] * ONE))


def _line(frame, a, b, colour, width: int) -> None:
    cv2.line(frame, _fixed(a), _fixed(b), colour, width, cv2.LINE_AA, SHIFT_BITS)


def _background(rng: np.random.Generator) -> np.ndarray:
    top, bottom = np.array(_colour(rng)), np.array(_colour(rng))
    mix = np.linspace(0, 1, SIZE)[:, None, None]
    frame = np.ascontiguousarray(np.broadcast_to(top * (1 - mix) + bottom * mix, (SIZE, SIZE, 3)))
    frame = frame.astype(np.uint8)
    for _ in range(rng.integers(4, 12)):
        a, b = rng.uniform(-8, SIZE + 8, 2), rng.uniform(-8, SIZE + 8, 2)
        kind = rng.integers(3)
        if kind == 0:
            cv2.rectangle(frame, _fixed(a), _fixed(b), _colour(rng), -1, cv2.LINE_AA, SHIFT_BITS)
        elif kind == 1:
            radius = int(rng.uniform(2, 10) * ONE)
            cv2.circle(frame, _fixed(a), radius, _colour(rng), -1, cv2.LINE_AA, SHIFT_BITS)
        else:  # a pale stick, pole or railing: looks like a blade in a single frame
            _line(frame, a, a + (b - a) * 0.4, _colour(rng, 150, 245), int(rng.integers(1, 3)))
    return frame


def _draw_scene(frame: np.ndarray, scene: dict, pose: dict) -> None:
    """Body, head, sheath, then the sword; `out` points from the blade's tip to the pommel."""
    body = scene["body"]
    cv2.ellipse(
        frame,
        _fixed(body),
        (8 * ONE, 14 * ONE),
        0,
        0,
        360,
        scene["clothes"],
        -1,
        cv2.LINE_AA,
        SHIFT_BITS,
    )
    head = body + np.array([0, -19])
    cv2.circle(
        frame,
        _fixed(head),
        int(scene["head_radius"] * ONE),
        scene["skin"],
        -1,
        cv2.LINE_AA,
        SHIFT_BITS,
    )
    if scene["shows_sheath"]:
        end = scene["mouth"] + scene["into_sheath"] * scene["sheath_length"]
        _line(frame, scene["mouth"], end, scene["sheath_colour"], 4)
    guard, out = pose["guard"], pose["out"]
    if pose["visible"] > 0.5:
        _line(
            frame, guard, guard - out * pose["visible"], scene["blade_colour"], scene["blade_width"]
        )
    hand = guard + out * scene["handle_length"] / 2
    _line(frame, scene["shoulder"], hand, scene["clothes"], 3)
    across = np.array([-out[1], out[0]]) * scene["guard_length"] / 2
    _line(frame, guard - across, guard + across, (40, 40, 40), 2)
    _line(frame, guard, guard + out * scene["handle_length"], (60, 40, 20), 2)
    cv2.circle(frame, _fixed(hand), int(2.2 * ONE), scene["skin"], -1, cv2.LINE_AA, SHIFT_BITS)


def _camera(
    frame: np.ndarray, offset: np.ndarray, noise: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    moved = cv2.warpAffine(
        frame,
        np.float32([[1, 0, offset[0]], [0, 1, offset[1]]]),
        (SIZE, SIZE),
        borderMode=cv2.BORDER_REFLECT,
    )
    dx, dy = rng.integers(0, NOISE_MARGIN, 2)
    grain = noise[dy : dy + SIZE, dx : dx + SIZE]
    flicker = np.float32(rng.uniform(0.95, 1.05))
    return np.clip(moved.astype(np.float32) * flicker + grain, 0, 255).astype(np.uint8)
