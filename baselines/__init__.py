"""PyTorch baselines for the five course challenges; no Django, no `challenges` imports.

    python -m baselines SLUG --data PUBLIC_DIR --out predictions.csv [--quick] [--seed N]

or, from Python, `baselines.run(slug, data_dir, out, device="auto", quick=False, tiny=False,
seed=0, on_progress=callback)`; tiny=True (CLI: --tiny) is a smoke run of one epoch on a few
dozen training rows, for tests. Each baseline reads only a bundle's public folder (train data and
test inputs) and writes a submission CSV in the challenge's format.
"""

from baselines.common import BaselineError
from baselines.runner import SLUGS, run

__all__ = ["SLUGS", "BaselineError", "run"]
