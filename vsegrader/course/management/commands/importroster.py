from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vsegrader.course.roster import RosterError, roster_import


class Command(BaseCommand):
    help = "Create or update student accounts from a CSV: username,email,first_name,last_name."

    def add_arguments(self, parser):
        parser.add_argument("file", help="roster CSV (UTF-8), as a registrar export gives")

    def handle(self, *args, file: str, **options):
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            report = roster_import(text=text)
        except RosterError as error:
            problems = "\n".join(f"  - {message}" for message in error.errors)
            raise CommandError(f"Nothing was imported; fix these rows:\n{problems}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged."
            )
        )
        if report.created:
            self.stdout.write(
                "New students set their password with 'Set or reset your password' on the "
                "login page (the reset e-mail goes to their address)."
            )
