import time

from django.core.management.base import BaseCommand

from demo.course import demo_accounts, demo_course, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo course: five generated challenges (open now), demo accounts, project "
        "ideas, the grade scheme and project deadlines."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2023)
        parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data")

    def handle(self, *args, seed: int, scale: float, **options):
        started = time.monotonic()
        for report in demo_load(seed=seed, scale=scale):
            self.stdout.write(report.summary())
        accounts = demo_accounts()
        demo_course()
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo course ready in {elapsed:.1f} s."))
        self.stdout.write("Demo logins:")
        for account in accounts:
            role = "instructor" if account.is_instructor else "student"
            self.stdout.write(f"  {role:<10}  {account.username:<12} password: {account.password}")
