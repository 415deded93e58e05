"""mics-mnist: 35×35 grey hand-drawn digits, ten classes, by a small CNN."""

from baselines.common import Context
from baselines.images import ImageTask, Plan, run_images
from baselines.train import Schedule

TASK = ImageTask(
    id_column="id",
    target="label",
    labels=tuple(str(digit) for digit in range(10)),
    mode="L",
    flip=False,
    rotate_degrees=12,
    shift=0.08,
    jitter=0.1,
    quick=Plan(
        Schedule(epochs=4, lr=4e-3, batch_size=64, weight_decay=1e-4),
        widths=(16, 32, 64),
        convs_per_stage=1,
        train_rows=3000,
    ),
    full=Plan(
        Schedule(epochs=20, lr=3e-3, batch_size=128, weight_decay=5e-4),
        widths=(32, 64, 128),
        convs_per_stage=2,
    ),
)


def planned_epochs(ctx: Context) -> int:
    return TASK.plan(ctx).schedule.epochs


def train_and_predict(ctx: Context):
    return run_images(ctx, TASK)
