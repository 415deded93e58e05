"""fitting-1d: a noisy smooth function of one variable, learnt by a small SiLU MLP."""

from baselines.common import Context
from baselines.regression import Task, run_regression
from baselines.train import Schedule

TASK = Task(
    id_column="id",
    inputs=("x",),
    targets=("y",),
    metric="val_mse",
    width=128,
    depth=3,
    quick=Schedule(epochs=40, lr=5e-3, batch_size=64),
    full=Schedule(epochs=150, lr=3e-3, batch_size=64, weight_decay=1e-4),
)


def planned_epochs(ctx: Context) -> int:
    return TASK.schedule(ctx).epochs


def train_and_predict(ctx: Context):
    return run_regression(ctx, TASK)
