"""The sword-video network: a frame encoder that maps each frame to a coarse map of line
segments (3 channels: coverage, cos 2θ, sin 2θ per cell), and a temporal head of 3-D
convolutions that reads a clip's stack of maps."""

from __future__ import annotations

import torch
from torch import nn

STRIDE = 4  # of the segment maps, relative to the frames
MAP_CHANNELS = 3


def to_unit(pixels: torch.Tensor) -> torch.Tensor:
    return pixels.float() / 255


def _block(inputs: int, outputs: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False),
        nn.BatchNorm2d(outputs),
        nn.ReLU(inplace=True),
    )


class SegmentMapper(nn.Module):
    """Pictures in [0, 1], (n, 3, H, W) → segment maps (n, 3, H/4, W/4)."""

    def __init__(self, width: int):
        super().__init__()
        self.encoder = nn.Sequential(
            _block(3, width, 2),
            _block(width, width, 1),
            _block(width, 2 * width, 2),
            _block(2 * width, 2 * width, 1),
        )
        self.out = nn.Conv2d(2 * width, MAP_CHANNELS, 1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.out(self.encoder((images - 0.5) / 0.25))

    def clip_maps(self, clips: torch.Tensor) -> torch.Tensor:
        """uint8 clips (n, T, 3, H, W) → float maps (n, T, 3, H/4, W/4)."""
        n, t = clips.shape[:2]
        maps = self(to_unit(clips.flatten(0, 1))).float()
        return maps.view(n, t, *maps.shape[1:])


class SpaceMaxPool(nn.Module):
    """2×2 max pooling over space, not time, as reshape and amax: unlike nn.MaxPool3d, its
    gradient on CUDA is deterministic."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, t, h, w = x.shape
        x = x[..., : h // 2 * 2, : w // 2 * 2]
        return x.reshape(n, c, t, h // 2, 2, w // 2, 2).amax(dim=(4, 6))


class TemporalHead(nn.Module):
    """Maps of a clip (n, T, 3, h, w) → class scores; max-pooled over time and space, so it
    finds the motion wherever and whenever it happens."""

    def __init__(self, classes: int = 2, width: int = 32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv3d(MAP_CHANNELS, width, 3, padding=1, bias=False),
            nn.BatchNorm3d(width),
            nn.ReLU(inplace=True),
            SpaceMaxPool(),
            nn.Conv3d(width, 2 * width, 3, padding=1, bias=False),
            nn.BatchNorm3d(2 * width),
            nn.ReLU(inplace=True),
        )
        self.out = nn.Sequential(nn.Dropout(0.3), nn.Linear(2 * width, classes))

    def forward(self, maps: torch.Tensor) -> torch.Tensor:
        return self.out(self.net(maps.transpose(1, 2)).amax(dim=(2, 3, 4)))


class VideoNet(nn.Module):
    """Mapper and head as one network, for training end to end (from scratch)."""

    def __init__(self, mapper: SegmentMapper, head: TemporalHead):
        super().__init__()
        self.mapper, self.head = mapper, head

    def forward(self, clips: torch.Tensor) -> torch.Tensor:
        return self.head(self.mapper.clip_maps(clips))


def mirror_maps(maps: torch.Tensor) -> torch.Tensor:
    """The maps of the mirrored clip: x → −x turns θ into π − θ, so sin 2θ changes sign."""
    sign = torch.tensor([1.0, 1.0, -1.0], device=maps.device).view(1, 1, 3, 1, 1)
    return maps.flip(-1) * sign
