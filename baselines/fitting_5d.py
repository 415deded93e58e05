"""fitting-5d: five outputs of five inputs, learnt jointly by one SiLU MLP."""

from baselines.common import Context
from baselines.regression import Task, run_regression
from baselines.train import Schedule

COLUMNS = 5

TASK = Task(
    id_column="id",
    inputs=tuple(f"x{i}" for i in range(1, COLUMNS + 1)),
    targets=tuple(f"y{i}" for i in range(1, COLUMNS + 1)),
    metric="val_mean_column_mse",
    width=128,
    depth=3,
    quick=Schedule(epochs=40, lr=5e-3, batch_size=128),
    full=Schedule(epochs=300, lr=3e-3, batch_size=128, weight_decay=1e-4),
)


def planned_epochs(ctx: Context) -> int:
    return TASK.schedule(ctx).epochs


def train_and_predict(ctx: Context):
    return run_regression(ctx, TASK)
