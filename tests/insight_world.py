"""A tiny labelled challenge with pictures, and helpers for the insights tests."""

from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from PIL import Image

from challenges.bundles.importing import challenge_import
from challenges.bundles.reader import read_bundle
from tests.factories import scored_submission

LABEL_TOML = """slug = "{slug}"
title = "Tiny pets"
metric = "accuracy"
deadline = "2030-03-15T17:00:00+01:00"
id_column = "id"

[[targets]]
name = "label"
type = "label"
labels = ["cat", "dog"]
"""

# id -> (true label, Usage): a1-a2 public, a3-a8 private
TRUTH = {
    "a1": ("cat", "Public"),
    "a2": ("dog", "Public"),
    "a3": ("cat", "Private"),
    "a4": ("cat", "Private"),
    "a5": ("dog", "Private"),
    "a6": ("dog", "Private"),
    "a7": ("cat", "Private"),
    "a8": ("dog", "Private"),
}
ALICE = {
    "a1": "cat",
    "a2": "dog",
    "a3": "cat",
    "a4": "dog",
    "a5": "dog",
    "a6": "cat",
    "a7": "cat",
    "a8": "dog",
}
BOB = dict.fromkeys(TRUTH, "cat")


def write_label_bundle(root: Path, slug: str = "tiny-pets") -> Path:
    bundle = root / slug
    (bundle / "public" / "test").mkdir(parents=True)
    (bundle / "challenge.toml").write_text(LABEL_TOML.format(slug=slug))
    (bundle / "description.md").write_text("# Pets\n")
    (bundle / "public" / "test.csv").write_text("id\n" + "".join(f"{i}\n" for i in TRUTH))
    (bundle / "public" / "sample_submission.csv").write_bytes(predictions_csv(BOB))
    for n, id_ in enumerate(TRUTH):
        Image.new("RGB", (8, 8), (n * 30, 0, 0)).save(bundle / "public" / "test" / f"{id_}.png")
    rows = "".join(f"{i},{label},{usage}\n" for i, (label, usage) in TRUTH.items())
    (bundle / "solution.csv").write_text("id,label,Usage\n" + rows)
    return bundle


def import_bundle(path: Path, *, revealed: bool):
    challenge = challenge_import(bundle=read_bundle(path)).challenge
    challenge.deadline = timezone.now() + timedelta(days=-1 if revealed else 1)
    challenge.save()
    return challenge


def predictions_csv(labels: dict) -> bytes:
    return ("id,label\n" + "".join(f"{i},{v}\n" for i, v in labels.items())).encode()


def submit(challenge, user, content: bytes, public: float, private: float):
    return scored_submission(challenge, user, public, private, minutes_ago=120, content=content)
