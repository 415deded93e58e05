"""What a submission file must look like: the contract between a bundle, the scorer and the API.

Pure data, no Django. A challenge's `challenge.toml` is read into a `SubmissionSpec`;
the scorer validates files against it; the API publishes it so clients can check locally.
A `Target` (one prediction column) lives with the file check, in vsegrader_client/format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from vsegrader_client.format.spec import Target


@dataclass(frozen=True)
class SubmissionSpec:
    id_column: str
    targets: tuple[Target, ...]
    metric: str
    row_count: int = 0  # rows a submission must have (the solution's, Ignored rows included)

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.id_column, *(t.name for t in self.targets))


@dataclass(frozen=True)
class Scores:
    """A submission's scores; `==` compares the scores only, not the diagnostics below."""

    public: float | None
    private: float | None
    extra: dict[str, float] = field(default_factory=dict)
    # per public row, lower is better (for the Ladder); None if the metric has no per-row loss
    public_losses: np.ndarray | None = field(default=None, compare=False, repr=False)
    # 95 % percentile-bootstrap interval of the private score; None if not computed
    private_ci: tuple[float, float] | None = field(default=None, compare=False)
