import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from vsegrader.course import gradebook, gradebook_export


class Command(BaseCommand):
    help = "Write the gradebook as CSV (one row per student), the same file as the page's."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the CSV; '-' writes to standard output")

    def handle(self, *args, file: str, **options):
        book = gradebook.gradebook()
        text = gradebook_export.csv_text(book)
        if file == "-":
            sys.stdout.write(text.lstrip("\ufeff"))
            return
        try:
            Path(file).write_text(text, encoding="utf-8", newline="")
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"{len(book.rows)} students written to {file}."))
        for problem in book.problems:
            self.stderr.write(f"Warning: {problem}")
