"""glasses: 64×64 colour portraits, glasses or not, by a small CNN with augmentation."""

from baselines.common import Context
from baselines.images import ImageTask, Plan, run_images
from baselines.train import Schedule

TASK = ImageTask(
    id_column="id",
    target="glasses",
    labels=("0", "1"),
    mode="RGB",
    flip=True,
    rotate_degrees=10,
    shift=0.06,
    jitter=0.15,
    quick=Plan(
        Schedule(epochs=10, lr=4e-3, batch_size=64, weight_decay=1e-4),
        widths=(16, 32, 64, 64),
        convs_per_stage=1,
        train_rows=2000,
        size=32,
    ),
    full=Plan(
        Schedule(epochs=30, lr=3e-3, batch_size=128, weight_decay=5e-4),
        widths=(32, 64, 128, 256),
        convs_per_stage=2,
    ),
)


def planned_epochs(ctx: Context) -> int:
    return TASK.plan(ctx).schedule.epochs


def train_and_predict(ctx: Context):
    return run_images(ctx, TASK)
