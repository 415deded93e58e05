"""A challenge bundle, as read from disk: pure data, no Django.

Layout (see docs/ARCHITECTURE.md, section 7, "A new challenge"):
    challenge.toml      metadata (below)
    description.md      shown on the challenge page
    public/             what students download; top-level files are offered one by one,
                        each top-level folder is offered zipped as <folder>.zip
    solution.csv        HIDDEN: id column, target columns, Usage (Public/Private/Ignored)

challenge.toml:
    slug = "fitting-1d"
    title = "Fitting a 1D function"
    subtitle = "..."                          # optional, one line
    metric = "mse"                            # a name from challenges.scoring.metrics
    deadline = "2023-03-15T17:00:00+01:00"    # ISO-8601 with a zone
    id_column = "id"
    preview = "xy-plot"                       # optional: xy-plot | images | video | table | none
    preview_source = "train.csv"              # optional: CSV under public/ the preview reads
    preview_files = "train/{id}.png"          # optional: a row's file, {column} placeholders
    [[targets]]
    name = "y"
    type = "float"                            # float | label | probability
    labels = ["0", "1"]                       # required for type = "label"
    [limits]                                  # all optional
    daily = 5
    total = 0                                 # 0 = no total limit
    final_selections = 2
    max_file_mb = 50
    failed_daily = 20                         # failed submissions a day (≥ daily in effect)
    [grading]                                 # optional, free-form, stored for the course app
    rule = "tiers"
    [facts]                                   # optional, free-form facts about the data,
    noise_variance = 0.01                     # e.g. a demo's known noise floor
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from challenges.scoring.spec import SubmissionSpec


@dataclass(frozen=True)
class Limits:
    daily: int = 5
    total: int = 0
    final_selections: int = 2
    max_file_mb: int = 50
    failed_daily: int = 20


@dataclass(frozen=True)
class Bundle:
    root: Path
    slug: str
    title: str
    subtitle: str
    description_md: str
    deadline: datetime  # timezone-aware
    spec: SubmissionSpec  # row_count filled from solution.csv
    limits: Limits
    grading: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)
    preview: str = "none"  # xy-plot | images | video | table | none
    preview_source: str = ""  # CSV under public/ with the id and label columns, e.g. "train.csv"
    preview_files: str = ""  # where each row's file is, e.g. "train/{id}.png" ({column} fields)

    @property
    def public_dir(self) -> Path:
        return self.root / "public"

    @property
    def solution_path(self) -> Path:
        return self.root / "solution.csv"


class BundleError(ValueError):
    """A bundle that cannot be loaded; `errors` lists every problem found, each fixable."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))
