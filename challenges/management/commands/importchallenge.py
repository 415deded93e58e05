import tempfile
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from challenges.bundles.format import BundleError
from challenges.bundles.importing import challenge_import
from challenges.bundles.inclass import InClassOptions, read_inclass_export
from challenges.bundles.reader import read_bundle


class Command(BaseCommand):
    help = (
        "Validate a challenge bundle (folder or .zip) and load it; importing again updates it. "
        "With --metric, PATH is a Kaggle InClass host export (solution.csv with Usage, a "
        "sample submission, no challenge.toml), imported as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="bundle folder or zip file")
        parser.add_argument(
            "--deadline-in-days",
            type=float,
            default=None,
            help="for a new challenge only: close it this many days from now "
            "(demo courses), instead of the bundle's deadline",
        )
        kaggle = parser.add_argument_group("Kaggle InClass export (no challenge.toml)")
        kaggle.add_argument("--metric", help="e.g. mse, accuracy: marks PATH as an export")
        kaggle.add_argument("--deadline", help="ISO-8601 with a zone, e.g. 2023-03-19T23:59+01:00")
        kaggle.add_argument("--slug", default="")
        kaggle.add_argument("--title", default="")
        kaggle.add_argument("--labels", default="", help="comma-separated class labels")
        kaggle.add_argument("--sample-submission", default="")
        kaggle.add_argument(
            "--exclude", action="append", default=[], help="a top-level file to keep private"
        )

    def handle(self, *args, path: str, deadline_in_days: float | None, **options):
        deadline = None
        if deadline_in_days is not None:
            deadline = timezone.now().replace(microsecond=0) + timedelta(days=deadline_in_days)
        # A zip is unpacked into a folder that lives only as long as the import.
        with tempfile.TemporaryDirectory(prefix="vsegrader-bundle-") as unpacked:
            try:
                bundle = self.read(path, Path(unpacked), deadline, options)
            except BundleError as error:
                problems = "\n".join(f"  - {message}" for message in error.errors)
                message = f"{path} is not a valid challenge bundle:\n{problems}"
                raise CommandError(message) from error
            report = challenge_import(bundle=bundle, deadline=deadline)
        self.stdout.write(self.style.SUCCESS(report.summary()))

    def read(self, path: str, workdir: Path, deadline, options: dict):
        if not options["metric"]:
            return read_bundle(path, extract_to=workdir)
        if not (options["deadline"] or deadline):
            raise CommandError("A Kaggle export needs --deadline (or --deadline-in-days).")
        labels = tuple(label for label in options["labels"].split(",") if label)
        export = InClassOptions(
            metric=options["metric"],
            deadline=options["deadline"] or deadline,
            slug=options["slug"],
            title=options["title"],
            labels=labels,
            sample_submission=options["sample_submission"],
            exclude=tuple(options["exclude"]),
        )
        return read_inclass_export(path, export, workdir=workdir)
