"""Loading a challenge bundle into the site: metadata, downloadable files, hidden solution."""

import hashlib
import logging
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from pyarrow import csv as pacsv

from challenges.boards.standings import refresh_standings
from challenges.bundles.format import Bundle
from challenges.bundles.previews import build_preview
from challenges.bundles.reader import is_sample_name
from challenges.bundles.safety import refuse_symlink, symlinks_under
from challenges.models import Challenge, DataFile
from challenges.scoring import get_metric
from challenges.submissions.intake import submissions_rescore

log = logging.getLogger(__name__)

# Fixed so that zipping the same folder twice gives the same bytes (and the same hash).
ZIP_DATE = (2023, 1, 1, 0, 0, 0)
ALREADY_COMPRESSED = {".png", ".jpg", ".jpeg", ".avi", ".mp4", ".zip", ".gz", ".npz"}


@dataclass(frozen=True)
class ImportReport:
    challenge: Challenge
    created: bool
    solution_changed: bool
    files_written: int
    files_removed: int
    rescored: int

    def summary(self) -> str:
        challenge = self.challenge
        deadline = timezone.localtime(challenge.deadline)
        parts = [
            f"{'Created' if self.created else 'Updated'} challenge '{challenge.slug}' "
            f"({challenge.row_count} test rows, metric {challenge.metric}, "
            f"deadline {deadline:%Y-%m-%d %H:%M %Z})",
            f"{self.files_written} data files written, {self.files_removed} removed",
        ]
        if self.solution_changed and not self.created:
            parts.append(f"solution changed: {self.rescored} submissions queued for rescoring")
        if not self.created:  # bundles carry no board mode: an update keeps the admin's
            mode = "Ladder" if challenge.public_ladder else "standard"
            parts.append(f"public board kept in {mode} mode (set in the admin)")
        return "; ".join(parts)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def zip_folder(folder: Path, target) -> None:
    """Writes folder/ as a zip into the open binary file `target`, one member at a time.
    A symbolic link in it (read_bundle refuses them; one made since) stops the import."""
    for link in symlinks_under(folder):
        refuse_symlink(link)
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", ZIP_DATE)
            stored = path.suffix.lower() in ALREADY_COMPRESSED
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            with open(path, "rb") as source, archive.open(info, "w") as member:
                shutil.copyfileobj(source, member)


def public_entries(bundle: Bundle) -> dict[str, Path]:
    """Download names: top-level files as they are, each top-level folder as <folder>.zip."""
    return {
        f"{path.name}.zip" if path.is_dir() else path.name: path
        for path in sorted(bundle.public_dir.iterdir())
        if not path.name.startswith(".")
    }


def store_entry(challenge, data_file: DataFile | None, name: str, path: Path) -> int:
    refuse_symlink(path)
    if path.is_dir():  # zipped on disk: a video folder can be hundreds of MB
        with tempfile.TemporaryFile() as archive:
            zip_folder(path, archive)
            return store_data_file(challenge, data_file, name, File(archive, name=name))
    with open(path, "rb") as handle:
        return store_data_file(challenge, data_file, name, File(handle))


def content_sha256(content: File) -> str:
    digest = hashlib.sha256()
    content.seek(0)
    for chunk in content.chunks():
        digest.update(chunk)
    content.seek(0)
    return digest.hexdigest()


def sync_data_files(challenge: Challenge, bundle: Bundle) -> tuple[int, int]:
    existing = {f.name: f for f in challenge.files.all()}
    entries = public_entries(bundle)
    written = sum(
        store_entry(challenge, existing.get(name), name, path) for name, path in entries.items()
    )
    stale = [f for name, f in existing.items() if name not in entries]
    for data_file in stale:
        data_file.file.delete(save=False)
        data_file.delete()
    return written, len(stale)


def store_data_file(challenge, data_file: DataFile | None, name: str, content: File) -> int:
    digest = content_sha256(content)
    if data_file is not None and data_file.sha256 == digest:
        return 0
    if data_file is None:
        data_file = DataFile(challenge=challenge, name=name)
    else:
        data_file.file.delete(save=False)
    data_file.size = content.size
    data_file.sha256 = digest
    data_file.file.save(name, content, save=False)
    data_file.save()
    return 1


def apply_bundle(challenge: Challenge, bundle: Bundle) -> None:
    spec = bundle.spec
    challenge.title = bundle.title
    challenge.subtitle = bundle.subtitle
    challenge.description_md = bundle.description_md
    challenge.metric = spec.metric
    challenge.higher_is_better = get_metric(spec.metric).higher_is_better
    challenge.id_column = spec.id_column
    challenge.targets = [
        {"name": t.name, "kind": t.kind, "labels": list(t.labels)} for t in spec.targets
    ]
    challenge.row_count = spec.row_count
    challenge.daily_limit = bundle.limits.daily
    challenge.total_limit = bundle.limits.total
    challenge.failed_daily_limit = bundle.limits.failed_daily
    challenge.final_selections = bundle.limits.final_selections
    challenge.max_file_mb = bundle.limits.max_file_mb
    challenge.grading = bundle.grading
    challenge.facts = bundle.facts
    challenge.preview = build_preview(bundle)
    challenge.ids_file = ids_file_name(bundle)


def ids_file_name(bundle: Bundle) -> str:
    """The sample submission's name when it lists the test ids in the solution's order, so
    that a client checking a file locally names the same missing ids as the scorer."""
    samples = [p for p in sorted(bundle.public_dir.iterdir()) if is_sample_name(p.name)]
    if not samples:
        return ""
    id_column = bundle.spec.id_column
    read = {"column_types": {id_column: pa.string()}, "include_columns": [id_column]}
    try:
        solution_ids = read_csv_column(bundle.solution_path, read)
        sample_ids = read_csv_column(samples[0], read)
    except (pa.ArrowInvalid, KeyError):
        return ""
    return samples[0].name if solution_ids.equals(sample_ids) else ""


def read_csv_column(path, options: dict):
    convert = pacsv.ConvertOptions(**options)
    return pacsv.read_csv(path, convert_options=convert).column(0).combine_chunks()


@transaction.atomic
def challenge_import(*, bundle: Bundle, deadline: datetime | None = None) -> ImportReport:
    """Creates or updates the challenge of `bundle`.

    `deadline` overrides the bundle's only when the challenge is created, so that a demo
    course keeps the date it got on its first day when it is loaded again.
    """
    challenge = Challenge.objects.select_for_update().filter(slug=bundle.slug).first()
    created = challenge is None
    if created:
        challenge = Challenge(slug=bundle.slug, deadline=deadline or bundle.deadline)
    elif deadline is None:
        challenge.deadline = bundle.deadline
    apply_bundle(challenge, bundle)
    solution_sha = sha256_file(bundle.solution_path)
    solution_changed = solution_sha != challenge.solution_sha256
    if solution_changed:
        with open(bundle.solution_path, "rb") as handle:
            name = f"{bundle.slug}/solution-{solution_sha[:16]}.csv"
            challenge.solution.save(name, File(handle), save=False)
        challenge.solution_sha256 = solution_sha
    challenge.save()
    written, removed = sync_data_files(challenge, bundle)
    rescored = submissions_rescore(challenge=challenge) if solution_changed and not created else 0
    if not created:
        refresh_standings(challenge=challenge)  # the direction or selection count may differ
    return ImportReport(challenge, created, solution_changed, written, removed, rescored)
