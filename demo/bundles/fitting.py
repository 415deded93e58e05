"""fitting-1d and fitting-5d: regression on smooth functions with Gaussian noise of known size.

The noise variance is the best mean squared error any model can expect on the test set, so
it is written into challenge.toml ([facts]) and stated in the description.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from demo.bundles import common

NOISE_STD = 0.05
NOISE_VARIANCE = 0.0025  # NOISE_STD squared, written out so the TOML shows 0.0025
TRAIN_1D, TRAIN_5D = 2000, 4000
X_RANGE_1D = 3.0
DIMENSIONS, HIDDEN_5D = 5, 12


# --- fitting-1d ------------------------------------------------------------------------------


def function_1d(seed: int):
    """Two sines of different frequency, a bump and a gentle trend; phases vary with the seed."""
    rng = common.rng_for(seed, "fitting-1d", "function")
    phase1, phase2 = rng.uniform(0, 2 * np.pi, size=2)
    freq1, freq2 = rng.uniform(1.2, 1.8), rng.uniform(3.5, 4.5)
    bump_at = rng.uniform(-1.5, 1.5)

    def f(x: np.ndarray) -> np.ndarray:
        return (
            np.sin(freq1 * x + phase1)
            + 0.4 * np.sin(freq2 * x + phase2)
            + 0.8 * np.exp(-((x - bump_at) ** 2) / 0.18)
            + 0.1 * x
        )

    return f


def build_fitting_1d(folder: Path, seed: int, scale: float) -> None:
    slug = "fitting-1d"
    f = function_1d(seed)
    rng = common.rng_for(seed, slug, "data")
    n_train, n_test = common.row_count(TRAIN_1D, scale), common.row_count(common.TEST_ROWS, scale)
    x = rng.uniform(-X_RANGE_1D, X_RANGE_1D, size=n_train + n_test)
    y = f(x) + rng.normal(0, NOISE_STD, size=x.shape)
    ids = np.arange(n_train + n_test)
    train, test = slice(0, n_train), slice(n_train, None)
    usage = common.usage_column(n_test, common.rng_for(seed, slug, "usage"))
    public = _public_folder(folder)
    num = common.number
    common.write_csv(
        public / "train.csv",
        ("id", "x", "y"),
        zip(ids[train], map(num, x[train]), map(num, y[train]), strict=True),
    )
    common.write_csv(
        public / "test.csv", ("id", "x"), zip(ids[test], map(num, x[test]), strict=True)
    )
    default = num(float(np.mean(y[train])))
    common.write_csv(
        public / "sample_submission.csv", ("id", "y"), ((i, default) for i in ids[test])
    )
    common.write_csv(
        folder / "solution.csv",
        ("id", "y", "Usage"),
        zip(ids[test], map(num, y[test]), usage, strict=True),
    )
    meta = {
        "slug": slug,
        "title": "Fitting a 1D function",
        "subtitle": f"Learn a noisy function of one variable from {n_train} samples",
        "metric": "mse",
        "id_column": "id",
        "preview": "xy-plot",
        "preview_source": "train.csv",
    }
    common.write_text_files(
        folder,
        {
            "challenge.toml": _toml(meta, [{"name": "y", "type": "float"}]),
            "description.md": DESCRIPTION_1D.format(
                n_train=n_train,
                n_test=n_test,
                std=NOISE_STD,
                variance=NOISE_VARIANCE,
                first_id=n_train,
                rules=common.rules_md(MSE_MD),
            ),
        },
    )


# --- fitting-5d ------------------------------------------------------------------------------


def function_5d(seed: int):
    """A random tanh layer, sines of other projections and products; outputs of unit size."""
    rng = common.rng_for(seed, "fitting-5d", "function")
    hidden = rng.normal(0, 0.8, size=(DIMENSIONS, HIDDEN_5D))
    bias = rng.uniform(-1, 1, size=HIDDEN_5D)
    mix = rng.normal(0, 1, size=(HIDDEN_5D, DIMENSIONS))
    waves = rng.normal(0, 0.7, size=(DIMENSIONS, DIMENSIONS))

    def raw(x: np.ndarray) -> np.ndarray:
        return np.tanh(x @ hidden + bias) @ mix + np.sin(x @ waves) + 0.3 * x[:, ::-1] * x

    reference = raw(rng.uniform(-2, 2, size=(20000, DIMENSIONS)))
    centre, spread = reference.mean(axis=0), reference.std(axis=0)
    return lambda x: (raw(x) - centre) / spread


def build_fitting_5d(folder: Path, seed: int, scale: float) -> None:
    slug = "fitting-5d"
    f = function_5d(seed)
    rng = common.rng_for(seed, slug, "data")
    n_train, n_test = common.row_count(TRAIN_5D, scale), common.row_count(common.TEST_ROWS, scale)
    x = rng.uniform(-2, 2, size=(n_train + n_test, DIMENSIONS))
    y = f(x) + rng.normal(0, NOISE_STD, size=x.shape)
    ids = np.arange(n_train + n_test)
    xs = [f"x{i}" for i in range(1, DIMENSIONS + 1)]
    ys = [f"y{i}" for i in range(1, DIMENSIONS + 1)]
    public = _public_folder(folder)
    rows = _number_rows
    common.write_csv(
        public / "train.csv", ("id", *xs, *ys), rows(ids[:n_train], np.hstack([x, y])[:n_train])
    )
    common.write_csv(public / "test.csv", ("id", *xs), rows(ids[n_train:], x[n_train:]))
    means = np.tile(y[:n_train].mean(axis=0), (n_test, 1))
    common.write_csv(public / "sample_submission.csv", ("id", *ys), rows(ids[n_train:], means))
    usage = common.usage_column(n_test, common.rng_for(seed, slug, "usage"))
    solution = ([*row, u] for row, u in zip(rows(ids[n_train:], y[n_train:]), usage, strict=True))
    common.write_csv(folder / "solution.csv", ("id", *ys, "Usage"), solution)
    meta = {
        "slug": slug,
        "title": "Fitting a 5D function",
        "subtitle": "Five outputs, five inputs, one smooth nonlinear map",
        "metric": "mean_column_mse",
        "id_column": "id",
        "preview": "table",
        "preview_source": "train.csv",
    }
    common.write_text_files(
        folder,
        {
            "challenge.toml": _toml(meta, [{"name": name, "type": "float"} for name in ys]),
            "description.md": DESCRIPTION_5D.format(
                n_train=n_train,
                n_test=n_test,
                std=NOISE_STD,
                variance=NOISE_VARIANCE,
                first_id=n_train,
                rules=common.rules_md(MEAN_COLUMN_MSE_MD),
            ),
        },
    )


def _number_rows(ids: np.ndarray, values: np.ndarray) -> list[list[str]]:
    return [[str(i), *(f"{v:.6f}" for v in row)] for i, row in zip(ids, values, strict=True)]


def _public_folder(folder: Path) -> Path:
    public = folder / "public"
    public.mkdir()
    return public


def _toml(meta: dict, targets: list[dict]) -> str:
    facts = {"noise_variance": NOISE_VARIANCE, "noise_std": NOISE_STD}
    return common.challenge_toml(meta, targets, {"grading": common.tiers_grading(), "facts": facts})


MSE_MD = """Submissions are scored by the **mean squared error** between your predictions and the
true values, MSE = mean over the test rows of (y − ŷ)² (lower is better)."""

MEAN_COLUMN_MSE_MD = """Submissions are scored by the **mean column-wise mean squared error**:
the MSE of each output `y1` … `y5`, averaged over the five outputs (lower is better)."""

DESCRIPTION_1D = """# Fitting a 1D function

Somewhere there is a smooth function *f* of one real variable. We measured it {n_train} times at
random points *x* in [−3, 3]; every measurement *y = f(x) + ε* carries Gaussian noise
ε ~ N(0, {std}²), that is with variance **{variance:g}**. Your task: predict *y* for
{n_test} new points.

No model can beat the noise: on average, even the true *f* scores an MSE of about {variance:g}
on the test set. A straight line scores far worse. How close can you get?

## Files

- `train.csv` — `id,x,y`: the {n_train} training measurements.
- `test.csv` — `id,x`: the {n_test} points to predict.
- `sample_submission.csv` — a valid submission that predicts the training mean everywhere.

## Submission format

A CSV file with a header and one row for every test id, in any order:

```
id,y
{first_id},0.123456
...
```

{rules}"""

DESCRIPTION_5D = """# Fitting a 5D function

A smooth nonlinear map takes five inputs `x1` … `x5` (each in [−2, 2]) to five outputs
`y1` … `y5`. The outputs mix the inputs in different ways, so treating them as five separate
problems works, but a model that shares what it learns may do better. Every output carries
Gaussian noise of variance **{variance:g}** (standard deviation {std}), which is the best score
any model can expect.

## Files

- `train.csv` — `id,x1,…,x5,y1,…,y5`: {n_train} training samples.
- `test.csv` — `id,x1,…,x5`: the {n_test} inputs to predict.
- `sample_submission.csv` — a valid submission that predicts the training means.

## Submission format

A CSV file with a header and one row for every test id:

```
id,y1,y2,y3,y4,y5
{first_id},0.1,-0.2,0.3,0.0,1.2
...
```

{rules}"""
