"""The shape shared by the image and video demos: one file per example, labels in CSVs.

public/train/<file>, public/test/<file>, public/train.csv (id, label), public/test.csv (id),
public/sample_submission.csv, and the hidden solution.csv.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from demo.bundles import common


@dataclass(frozen=True)
class FileClassification:
    slug: str
    title: str
    subtitle: str
    id_column: str
    target: str
    labels: tuple[str, ...]
    train_rows: int  # at scale 1.0
    file_name: Callable[[int], str]  # example number → file name, which may be the id itself
    render: Callable[[str, int, int, str], None]  # (path, seed, example number, label)
    preview: str
    preview_files: str
    description: str  # str.format template; fields filled by `_description`


def build_file_classification(
    task: FileClassification, folder: Path, seed: int, scale: float, pool: Executor | None
) -> None:
    n_train = common.row_count(task.train_rows, scale)
    n_test = common.row_count(common.TEST_ROWS, scale)
    labels = [
        *common.balanced_labels(n_train, task.labels, common.rng_for(seed, task.slug, "train")),
        *common.balanced_labels(n_test, task.labels, common.rng_for(seed, task.slug, "test")),
    ]
    ids = [task.file_name(number) for number in range(n_train + n_test)]
    public = folder / "public"
    for part in ("train", "test"):
        (public / part).mkdir(parents=True)
    items = [
        (str(public / ("train" if n < n_train else "test") / _file(task, ids[n])), seed, n, label)
        for n, label in enumerate(labels)
    ]
    common.render_all(task.render, items, pool)
    _write_csvs(task, folder, seed, ids[:n_train], ids[n_train:], labels)
    common.write_text_files(
        folder,
        {
            "challenge.toml": _toml(task),
            "description.md": _description(task, n_train, n_test, ids[n_train]),
        },
    )


def _file(task: FileClassification, id_: str) -> str:
    return task.preview_files.removeprefix("train/").format(**{task.id_column: id_})


def _write_csvs(
    task: FileClassification,
    folder: Path,
    seed: int,
    train_ids: list[str],
    test_ids: list[str],
    labels: list[str],
) -> None:
    public = folder / "public"
    n_train = len(train_ids)
    common.write_csv(
        public / "train.csv",
        (task.id_column, task.target),
        zip(train_ids, labels[:n_train], strict=True),
    )
    common.write_csv(public / "test.csv", (task.id_column,), ((i,) for i in test_ids))
    common.write_csv(
        public / "sample_submission.csv",
        (task.id_column, task.target),
        ((i, task.labels[0]) for i in test_ids),
    )
    usage = common.usage_column(len(test_ids), common.rng_for(seed, task.slug, "usage"))
    common.write_csv(
        folder / "solution.csv",
        (task.id_column, task.target, "Usage"),
        zip(test_ids, labels[n_train:], usage, strict=True),
    )


def _toml(task: FileClassification) -> str:
    meta = {
        "slug": task.slug,
        "title": task.title,
        "subtitle": task.subtitle,
        "metric": "accuracy",
        "id_column": task.id_column,
        "preview": task.preview,
        "preview_source": "train.csv",
        "preview_files": task.preview_files,
    }
    target = {"name": task.target, "type": "label", "labels": list(task.labels)}
    return common.challenge_toml(meta, [target], {"grading": common.percentile_grading()})


ACCURACY_MD = """Submissions are scored by **accuracy**: the fraction of test examples whose
predicted `{target}` equals the true one (higher is better)."""


def _description(task: FileClassification, n_train: int, n_test: int, first_test: str) -> str:
    rules = common.rules_md(ACCURACY_MD.format(target=task.target))
    return task.description.format(
        n_train=n_train,
        n_test=n_test,
        id=task.id_column,
        target=task.target,
        first_test=first_test,
        labels=", ".join(f"`{label}`" for label in task.labels),
        default=task.labels[0],
        other=task.labels[-1],
        rules=rules,
    )
