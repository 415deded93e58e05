"""A pretext task for a frame encoder: find the line segments in a cluttered picture.

No labels of any challenge are needed: pictures are drawn procedurally on the device
(a colour gradient, rectangles, discs and straight segments of random size, width and
colour, with sensor noise), and the label of each pixel is known from the drawing: is it
on a segment, and which way does that segment run (cos 2θ, sin 2θ, so that θ and θ + π
agree). The encoder learns to answer per cell of its output map; thin elongated things and
their orientation is what a later video task can build on, whatever it is about.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from baselines.common import Context, autocast
from baselines.train import progress_bar, report_epoch
from baselines.video import STRIDE, SegmentMapper

REPORTS = 10  # probe-loss reports ("epochs") over the pretraining
PROBE_PICTURES = 256
SHAPES = 10  # on a 64×64 picture; fewer on a smaller one, at least MIN_SHAPES
MIN_SHAPES = 6
SEGMENT_SHARE = 0.5  # of the shapes; the rest are rectangles and discs
NOISE_STD = (0.008, 0.033)


def random_colours(n: int, device: torch.device) -> torch.Tensor:
    return torch.rand(n, 3, 1, 1, device=device) * 0.9 + 0.05


def draw(
    n: int, size: int, device: torch.device, scale: float = 1.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """n pictures (n, 3, size, size) in [0, 1] and their labels (n, 3, size, size): on a
    segment, and cos 2θ, sin 2θ of that segment (zero elsewhere).

    Shapes are sized for 64×64 frames times `scale`; a canvas smaller than 64 × scale is like
    a crop of such a frame, which teaches the same things at less cost."""
    coords = torch.arange(size, device=device, dtype=torch.float32) + 0.5
    yy, xx = torch.meshgrid(coords, coords, indexing="ij")
    mix = yy / size
    image = random_colours(n, device) * (1 - mix) + random_colours(n, device) * mix
    label = torch.zeros(n, 3, size, size, device=device)
    for _ in range(max(MIN_SHAPES, round(SHAPES * (size / (64 * scale)) ** 2))):
        centre = (torch.rand(n, 2, 1, 1, device=device) * 1.25 - 0.125) * size
        dx, dy = xx - centre[:, 0], yy - centre[:, 1]
        kind = torch.rand(n, 1, 1, device=device)
        segment = kind < SEGMENT_SHARE
        theta = torch.rand(n, 1, 1, device=device) * math.pi
        blob = torch.where(
            kind < (1 + SEGMENT_SHARE) / 2, _rectangle(dx, dy, scale), _disc(dx, dy, scale)
        )
        alpha = torch.where(segment, _segment(dx, dy, theta, scale), blob).unsqueeze(1)
        image = image * (1 - alpha) + random_colours(n, device) * alpha
        on = segment.unsqueeze(1).float()
        new_label = torch.cat(
            [on, torch.cos(2 * theta)[:, None] * on, torch.sin(2 * theta)[:, None] * on], 1
        )
        label = label * (1 - alpha) + new_label * alpha
    low, high = NOISE_STD
    noise = torch.rand(n, 1, 1, 1, device=device) * (high - low) + low
    image = image + torch.randn(n, 3, size, size, device=device) * noise
    return image.clamp(0, 1), label


def _segment(dx, dy, theta, scale):
    n, device = len(dx), dx.device
    length = (torch.rand(n, 1, 1, device=device) * 26 + 5) * scale
    width = torch.randint(1, 5, (n, 1, 1), device=device).float() * scale
    ux, uy = torch.cos(theta), torch.sin(theta)
    along = (dx * ux + dy * uy).clamp(-length / 2, length / 2)
    distance = ((dx - along * ux) ** 2 + (dy - along * uy) ** 2).sqrt()
    return (width / 2 + 0.5 - distance).clamp(0, 1)


def _rectangle(dx, dy, scale):
    half = (torch.rand(len(dx), 2, 1, 1, device=dx.device) * 10 + 1.5) * scale
    return ((dx.abs() < half[:, 0]) & (dy.abs() < half[:, 1])).float()


def _disc(dx, dy, scale):
    radius = (torch.rand(len(dx), 1, 1, device=dx.device) * 9 + 2) * scale
    return (radius + 0.5 - (dx * dx + dy * dy).sqrt()).clamp(0, 1)


def targets(label: torch.Tensor, stride: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Per cell of the encoder's map: the share of segment pixels, and their mean direction."""
    pooled = F.avg_pool2d(label, stride)
    coverage = pooled[:, :1]
    return coverage, pooled[:, 1:] / coverage.clamp_min(1e-3)


def pretext_loss(out: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
    coverage, direction = targets(label, STRIDE)
    coverage_loss = F.mse_loss(out[:, :1], coverage)
    direction_loss = ((out[:, 1:] - direction) ** 2 * coverage).mean()
    return 10 * coverage_loss + direction_loss


def pretrain_mapper(
    mapper: SegmentMapper,
    ctx: Context,
    *,
    size: int,
    scale: float,
    steps: int,
    batch_size: int,
    lr: float = 3e-3,
    probe_pictures: int = PROBE_PICTURES,
) -> float:
    """Trains the mapper on freshly drawn pictures; reports the loss on a fixed probe set of
    pictures REPORTS times. Returns the last probe loss."""
    device = ctx.device
    ctx.phase("pretrain", REPORTS)
    probe = draw(probe_pictures, size, device, scale)
    optimizer = torch.optim.AdamW(
        mapper.parameters(), lr=lr, weight_decay=1e-4, fused=device.type == "cuda"
    )
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, total_steps=steps, pct_start=0.2)
    bar = progress_bar(ctx, steps, "pretrain")
    value = float("nan")
    try:
        for report in range(1, REPORTS + 1):
            mapper.train()
            for _ in range(_steps_in(report, steps)):
                images, labels = draw(batch_size, size, device, scale)
                with autocast(device):
                    out = mapper(images)
                loss = pretext_loss(out.float(), labels)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                scheduler.step()
                bar.update()
            value = _probe_loss(mapper, probe)
            report_epoch(ctx, bar, report, REPORTS, "pretext_loss", value)
    finally:
        bar.close()
    ctx.results["pretext_loss"] = value
    return value


def _steps_in(report: int, steps: int) -> int:
    return steps * report // REPORTS - steps * (report - 1) // REPORTS


@torch.no_grad()
def _probe_loss(mapper: SegmentMapper, probe) -> float:
    mapper.eval()
    images, labels = probe
    with autocast(images.device):
        out = mapper(images)
    return float(pretext_loss(out.float(), labels))
