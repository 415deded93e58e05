"""sword-video: drawing a sword or using it, from 16-frame clips, with 300 labelled clips.

Transfer learning with pretraining of our own (no model hub is reachable): a frame encoder
learns to map a picture to a coarse map of its line segments (coverage and direction per
cell) on procedurally drawn pictures (`baselines.pretext`), a task that needs no label of
this challenge. Frozen, it turns every frame into such a map; a small temporal head of 3-D
convolutions over the maps of a clip learns the challenge from the labelled clips: a blade
that turns (use) or one that grows along a fixed direction (drawing).

`pretrained=False` trains the same network, encoder included, end to end from random
weights on the labelled clips: the comparison the bench reports.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from baselines.common import BaselineError, Context
from baselines.data import PublicFolder, check_columns, load_clips, subsample
from baselines.pretext import PROBE_PICTURES, REPORTS, pretrain_mapper
from baselines.train import TINY_TRAIN_ROWS, Schedule, accuracy, fit, predict, split, tiny
from baselines.video import SegmentMapper, TemporalHead, VideoNet, mirror_maps, to_unit

ID_COLUMN, TARGET = "video", "category"
LABELS = ("use_sword", "sword_drawn")
FRAMES = 16
VALIDATION_FRACTION = 0.1
METRIC = "val_accuracy"


@dataclass(frozen=True)
class Plan:
    size: int  # frames are resized to size×size
    frame_step: int  # every frame_step-th frame is used
    encoder_width: int
    head_width: int
    pretrain_size: int  # side of the procedural pictures (crops, when below size)
    pretrain_steps: int
    pretrain_batch: int
    head: Schedule  # the temporal head on frozen maps
    scratch: Schedule  # the whole network from random weights
    probe_pictures: int = PROBE_PICTURES  # the fixed pictures the pretext loss is reported on
    train_rows: int | None = None  # a subset of the labelled clips, for tiny runs


QUICK = Plan(
    size=64,
    frame_step=2,
    encoder_width=16,
    head_width=16,
    pretrain_size=32,
    pretrain_steps=1500,
    pretrain_batch=64,
    head=Schedule(epochs=40, lr=3e-3, batch_size=32, weight_decay=1e-2),
    scratch=Schedule(epochs=8, lr=2e-3, batch_size=16, weight_decay=1e-2),
)
FULL = Plan(
    size=64,
    frame_step=1,
    encoder_width=32,
    head_width=32,
    pretrain_size=64,
    pretrain_steps=2400,
    pretrain_batch=256,
    head=Schedule(epochs=60, lr=3e-3, batch_size=32, weight_decay=1e-2),
    scratch=Schedule(epochs=60, lr=2e-3, batch_size=16, weight_decay=1e-2),
)
# A smoke run: quick's networks, one step of pretraining per report, one epoch of training.
TINY = replace(
    QUICK,
    pretrain_steps=REPORTS,
    pretrain_batch=16,
    probe_pictures=16,
    head=tiny(QUICK.head),
    scratch=tiny(QUICK.scratch),
    train_rows=TINY_TRAIN_ROWS,
)


def plan_for(ctx: Context) -> Plan:
    if ctx.tiny:
        return TINY
    return QUICK if ctx.quick else FULL


def planned_epochs(ctx: Context) -> int:
    plan = plan_for(ctx)
    return (plan.head if ctx.pretrained else plan.scratch).epochs


def train_and_predict(ctx: Context) -> pd.DataFrame:
    plan = plan_for(ctx)
    train, test, clips, test_clips = _load(ctx, plan)
    y = torch.tensor(_label_indices(train[TARGET]), device=ctx.device)
    rows = split(len(y), VALIDATION_FRACTION, ctx.seed, y.cpu().numpy())
    fit_rows, val_rows = (torch.as_tensor(r, device=ctx.device) for r in rows)
    if ctx.pretrained:
        net, x, x_test = _transfer(ctx, plan, clips, test_clips)
        schedule, augment = plan.head, _mirror_maps
    else:
        ctx.phase("scratch", plan.scratch.epochs)
        net, x, x_test = _scratch(ctx, plan), clips, test_clips
        schedule, augment = plan.scratch, _mirror_clips
    ctx.results["validation"] = fit(
        net,
        x[fit_rows],
        y[fit_rows],
        ctx=ctx,
        schedule=schedule,
        loss_fn=nn.CrossEntropyLoss(label_smoothing=0.05),
        metric=METRIC,
        validate=lambda: accuracy(net, x[val_rows], y[val_rows]),
        augment=augment,
    )
    predicted = predict(net, x_test, batch_size=64).argmax(1).numpy()
    return pd.DataFrame(
        {ID_COLUMN: test[ID_COLUMN].to_numpy(), TARGET: np.asarray(LABELS)[predicted]}
    )


def _transfer(ctx: Context, plan: Plan, clips: torch.Tensor, test_clips: torch.Tensor):
    """Pretrains the mapper, freezes it, and returns a fresh head with the clips' maps."""
    mapper = SegmentMapper(plan.encoder_width).to(ctx.device)
    pretrain_mapper(
        mapper,
        ctx,
        size=plan.pretrain_size,
        scale=plan.size / 64,
        steps=plan.pretrain_steps,
        batch_size=plan.pretrain_batch,
        probe_pictures=plan.probe_pictures,
    )
    ctx.phase("train", plan.head.epochs)
    mapper.requires_grad_(False)
    maps, test_maps = _maps(mapper, clips), _maps(mapper, test_clips)
    return TemporalHead(width=plan.head_width).to(ctx.device), maps, test_maps


def _scratch(ctx: Context, plan: Plan) -> nn.Module:
    head = TemporalHead(width=plan.head_width)
    return VideoNet(SegmentMapper(plan.encoder_width), head).to(ctx.device)


@torch.no_grad()
def _maps(mapper: SegmentMapper, clips: torch.Tensor, batch: int = 64) -> torch.Tensor:
    mapper.eval()
    return torch.cat([mapper.clip_maps(clips[i : i + batch]) for i in range(0, len(clips), batch)])


def _mirror_maps(maps: torch.Tensor, y: torch.Tensor):
    mirrored = torch.rand(len(maps), device=maps.device) < 0.5
    return torch.where(mirrored[:, None, None, None, None], mirror_maps(maps), maps), y


def _mirror_clips(clips: torch.Tensor, y: torch.Tensor):
    mirrored = torch.rand(len(clips), device=clips.device) < 0.5
    return torch.where(mirrored[:, None, None, None, None], clips.flip(-1), clips), y


def _load(ctx: Context, plan: Plan):
    with PublicFolder(ctx.data) as public:
        check_columns(public, (ID_COLUMN, TARGET))
        train = subsample(public.csv("train.csv", (ID_COLUMN, TARGET)), plan.train_rows, ctx.seed)
        test = public.csv("test.csv", (ID_COLUMN,))
        clips = _clips(public.folder("train"), train[ID_COLUMN], plan, ctx)
        test_clips = _clips(public.folder("test"), test[ID_COLUMN], plan, ctx)
    return train, test, clips, test_clips


def _clips(folder, names: pd.Series, plan: Plan, ctx: Context) -> torch.Tensor:
    """(N, T, 3, size, size) uint8 on the device."""
    frames = load_clips(folder, list(names), FRAMES)[:, :: plan.frame_step]
    clips = torch.from_numpy(frames).to(ctx.device).permute(0, 1, 4, 2, 3)
    if clips.shape[-1] != plan.size:
        n, t = clips.shape[:2]
        small = F.interpolate(to_unit(clips.flatten(0, 1)), size=(plan.size,) * 2, mode="area")
        clips = (small * 255).round().to(torch.uint8).view(n, t, 3, plan.size, plan.size)
    return clips.contiguous()


def _label_indices(values: pd.Series) -> np.ndarray:
    unknown = sorted(set(values) - set(LABELS))
    if unknown:
        raise BaselineError(f"train.csv has categories outside {list(LABELS)}: {unknown[:5]}")
    return values.map({label: i for i, label in enumerate(LABELS)}).to_numpy(dtype=np.int64)
