import tempfile
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from challenges.bundles.format import BundleError
from challenges.bundles.reader import read_bundle
from challenges.importing import challenge_import


class Command(BaseCommand):
    help = "Validate a challenge bundle (folder or .zip) and load it; importing again updates it."

    def add_arguments(self, parser):
        parser.add_argument("path", help="bundle folder or zip file")
        parser.add_argument(
            "--deadline-in-days", type=float, default=None,
            help="for a new challenge only: close it this many days from now "
            "(demo courses), instead of the bundle's deadline",
        )

    def handle(self, *args, path: str, deadline_in_days: float | None, **options):
        deadline = None
        if deadline_in_days is not None:
            deadline = timezone.now().replace(microsecond=0) + timedelta(days=deadline_in_days)
        # A zip is unpacked into a folder that lives only as long as the import.
        with tempfile.TemporaryDirectory(prefix="vsegrader-bundle-") as unpacked:
            try:
                bundle = read_bundle(path, extract_to=Path(unpacked))
            except BundleError as error:
                problems = "\n".join(f"  - {message}" for message in error.errors)
                message = f"{path} is not a valid challenge bundle:\n{problems}"
                raise CommandError(message) from error
            report = challenge_import(bundle=bundle, deadline=deadline)
        self.stdout.write(self.style.SUCCESS(report.summary()))

