"""python manage.py runbaseline <slug>... | --all
[--quick] [--device auto|cpu|cuda] [--seed N] [--wait | --inline]"""

import time

from django.core.management.base import BaseCommand, CommandError

from challenges.models import Challenge
from challenges.submissions.judge import submission_score
from vsegrader.training import services
from vsegrader.training.models import BaselineRun

POLL_SECONDS = 1.0


class Command(BaseCommand):
    help = (
        "Trains the baseline model of challenges and submits its predictions as the baseline "
        "account. By default the runs go to the GPU worker (queue 'gpu'); --wait follows them "
        "there, --inline trains in this process without a broker or worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="slug")
        parser.add_argument("--all", action="store_true", help="every challenge")
        parser.add_argument("--quick", action="store_true", help="a short, CPU-sized training")
        parser.add_argument("--device", choices=BaselineRun.Device.values, default="auto")
        parser.add_argument("--seed", type=int, default=0)
        how = parser.add_mutually_exclusive_group()
        how.add_argument("--wait", action="store_true", help="follow the runs until they end")
        how.add_argument(
            "--inline", action="store_true", help="train and score here, without a broker"
        )

    def handle(self, *args, **options):
        challenges = self.challenges(options["slugs"], options["all"])
        settings = {"device": options["device"], "quick": options["quick"], "seed": options["seed"]}
        if options["inline"]:
            runs = [self.run_inline(challenge, settings) for challenge in challenges]
        else:
            runs = [self.enqueue(challenge, settings) for challenge in challenges]
            if options["wait"]:
                runs = [self.follow(run) for run in runs]
            elif any(run.error for run in runs):
                raise CommandError("Some runs could not be sent to a worker (see above).")
        self.summarise(runs, finished=options["inline"] or options["wait"])

    def challenges(self, slugs: list[str], everything: bool) -> list[Challenge]:
        if everything == bool(slugs):
            raise CommandError("Name the challenges to train, or give --all (not both).")
        if everything:
            return list(Challenge.objects.order_by("slug"))
        found = {c.slug: c for c in Challenge.objects.filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing:
            raise CommandError(f"No such challenge: {', '.join(missing)}")
        return [found[slug] for slug in slugs]

    def enqueue(self, challenge: Challenge, settings: dict) -> BaselineRun:
        run = services.baseline_run_start(challenge=challenge, **settings)
        run.refresh_from_db()
        if run.error:
            self.stderr.write(f"{challenge.slug}: run #{run.pk} {run.error}")
        else:
            self.stdout.write(f"{challenge.slug}: run #{run.pk} queued for the GPU worker")
        return run

    def run_inline(self, challenge: Challenge, settings: dict) -> BaselineRun:
        run = services.baseline_run_start(challenge=challenge, enqueue=False, **settings)
        self.stdout.write(f"{challenge.slug}: run #{run.pk} training here")
        echo = lambda line: self.stdout.write(f"  {challenge.slug}: {line}")  # noqa: E731
        run = services.baseline_run_execute(run_id=run.pk, echo=echo)
        if run.submission_id:  # scored here too: no worker needed (idempotent if one does)
            submission_score(submission_id=run.submission_id)
            run.refresh_from_db()
        return run

    def follow(self, run: BaselineRun) -> BaselineRun:
        """Prints each change of the run's progress until it ends."""
        shown = None
        while True:
            run.refresh_from_db()
            state = (run.status, run.phase, run.epoch, run.metric_value)
            if state != shown:
                self.stdout.write(f"  {run.challenge.slug}: {progress_line(run)}")
                shown = state
            if not run.is_active:
                return run
            time.sleep(POLL_SECONDS)

    def summarise(self, runs: list[BaselineRun], *, finished: bool) -> None:
        for run in runs:
            line = f"{run.challenge.slug}: run #{run.pk} {run.status}"
            if run.submission:
                score = run.submission.public_score
                shown = "—" if score is None else f"{score:.6g}"
                line += f", submission #{run.submission.pk} {run.submission.status}, public {shown}"
            self.stdout.write(line + (f": {run.error}" if run.error else ""))
        failed = [run for run in runs if run.status == BaselineRun.Status.FAILED]
        if finished and failed:
            raise CommandError(f"{len(failed)} of {len(runs)} baseline runs failed.")


def progress_line(run: BaselineRun) -> str:
    parts = [run.status]
    if run.phase:
        parts.append(run.phase)
    if run.epochs:
        parts.append(f"epoch {run.epoch or 0}/{run.epochs}")
    if run.metric_value is not None:
        parts.append(f"{run.metric_name} {run.metric_value:.6g}")
    return " · ".join(parts)
