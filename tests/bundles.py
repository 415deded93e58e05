"""A tiny hand-made challenge bundle for tests, independent of the demo generators."""

from pathlib import Path

TINY_TOML = """slug = "{slug}"
title = "Tiny regression"
subtitle = "A small bundle for tests"
metric = "mse"
deadline = "2030-03-15T17:00:00+01:00"
id_column = "id"
preview = "xy-plot"
preview_source = "train.csv"

[[targets]]
name = "y"
type = "float"

[limits]
daily = 5
max_file_mb = 1
"""

# id -> (true y, Usage). Public: ids 1-6, Private: ids 7-18, Ignored: 19-20.
TINY_SOLUTION = {
    i: (float(i) / 2, "Public" if i <= 6 else "Private" if i <= 18 else "Ignored")
    for i in range(1, 21)
}


def write_tiny_bundle(root: Path, slug: str = "tiny-1d", shift: float = 0.0) -> Path:
    """Writes the bundle; `shift` moves every true value (a changed solution)."""
    bundle = root / slug
    public = bundle / "public"
    (public / "extra").mkdir(parents=True, exist_ok=True)
    (bundle / "challenge.toml").write_text(TINY_TOML.format(slug=slug))
    (bundle / "description.md").write_text("# Tiny\n\nPredict **y** from x.\n")
    ids = list(TINY_SOLUTION)
    (public / "train.csv").write_text(
        "id,x,y\n" + "".join(f"{100 + i},{i / 10},{i / 20}\n" for i in range(30))
    )
    (public / "test.csv").write_text("id,x\n" + "".join(f"{i},{i / 10}\n" for i in ids))
    (public / "sample_submission.csv").write_text("id,y\n" + "".join(f"{i},0\n" for i in ids))
    (public / "extra" / "notes.txt").write_text("an extra folder, offered as extra.zip\n")
    rows = "".join(f"{i},{y + shift},{usage}\n" for i, (y, usage) in TINY_SOLUTION.items())
    (bundle / "solution.csv").write_text("id,y,Usage\n" + rows)
    return bundle


def perfect_submission(shift: float = 0.0) -> bytes:
    return (
        "id,y\n" + "".join(f"{i},{y + shift}\n" for i, (y, _) in TINY_SOLUTION.items())
    ).encode()


def constant_submission(value: float) -> bytes:
    return ("id,y\n" + "".join(f"{i},{value}\n" for i in TINY_SOLUTION)).encode()


def expected_mse(value: float, usage: str) -> float:
    errors = [(value - y) ** 2 for y, u in TINY_SOLUTION.values() if u == usage]
    return sum(errors) / len(errors)


# --- a Kaggle InClass host export ----------------------------------------------------------

DEADLINE = "2023-03-15T17:00:00+01:00"
USAGE = ["Public"] * 9 + ["Private"] * 18 + ["Ignored"] * 3


def label_of(i: int) -> str:
    return "" if USAGE[i] == "Ignored" else str(i % 3)


def write_export(root: Path, name: str = "glasses-2023") -> Path:
    export = root / name
    (export / "images").mkdir(parents=True)
    (export / "images" / "0.png").write_bytes(b"png")
    (export / "train.csv").write_text("ImageId,Label\n100,1\n101,2\n")
    (export / "test.csv").write_text("ImageId\n" + "".join(f"{i}\n" for i in range(30)))
    (export / "sample_submission.csv").write_text(
        "ImageId,Label\n" + "".join(f"{i},0\n" for i in range(30))
    )
    (export / "solution.csv").write_text(
        "ImageId,Label,Usage\n" + "".join(f"{i},{label_of(i)},{USAGE[i]}\n" for i in range(30))
    )
    return export
