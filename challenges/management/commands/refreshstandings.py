from django.core.management.base import BaseCommand

from challenges.boards.standings import refresh_standings
from challenges.models import Challenge


class Command(BaseCommand):
    help = (
        "Recompute every participant's standing (best counted scores) from the submissions. "
        "Scoring and moderation keep them current; run this after editing submissions by hand."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="challenges to refresh (default: all)")

    def handle(self, *args, slugs: list[str], **options):
        challenges = Challenge.objects.all()
        if slugs:
            challenges = challenges.filter(slug__in=slugs)
        for challenge in challenges:
            refresh_standings(challenge=challenge)
            count = challenge.standings.count()
            self.stdout.write(f"{challenge.slug}: {count} standings")
