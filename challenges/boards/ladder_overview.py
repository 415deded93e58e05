"""What the Ladder holds back on a challenge, for its instructors' eyes only.

The Ladder shows a new public score only when the submission beats the student's displayed
one by more than one standard error of the paired per-row loss differences,
std(new − best) / √n (challenges.scoring.ladder). Its size depends on the pair, so the page
gives the threshold of each student's latest decision (median and largest), the bound that
holds for any pair of 0/1 losses (1/√n: accuracy), and how many submissions it did not
release. Students never see this: it would tell them how far to push.
"""

import math
import statistics
from dataclasses import dataclass

from challenges.boards.ladders import losses_from_bytes
from challenges.boards.standings import counted_submissions
from challenges.models import Challenge, Submission
from challenges.scoring.ladder import ladder_step
from challenges.submissions.judge import cached_solution


@dataclass(frozen=True)
class LadderOverview:
    public_rows: int | None  # None until a submission is scored
    unit: float | None  # 1/√n: one standard error when the differences have spread 1
    threshold: float | None  # median over students of their latest decision's threshold
    threshold_max: float | None
    decided_students: int  # students with a decision (a second submission)
    submissions: int  # counting submissions that went through the Ladder
    held_back: int  # of those, how many it did not release (ladder_accepted False)
    held_back_students: int


def ladder_overview(challenge: Challenge) -> LadderOverview:
    laddered = counted_submissions(challenge).filter(
        is_baseline=False, ladder_accepted__isnull=False
    )
    rows = list(
        laddered.order_by("user_id", "created_at", "id").values_list(
            "user_id", "id", "ladder_accepted"
        )
    )
    thresholds = latest_thresholds(rows)
    rejected = [(user_id, pk) for user_id, pk, accepted in rows if not accepted]
    n = public_rows(challenge)
    return LadderOverview(
        public_rows=n,
        unit=1 / math.sqrt(n) if n else None,
        threshold=statistics.median(thresholds) if thresholds else None,
        threshold_max=max(thresholds) if thresholds else None,
        decided_students=len(thresholds),
        submissions=len(rows),
        held_back=len(rejected),
        held_back_students=len({user_id for user_id, _ in rejected}),
    )


def latest_pairs(rows: list[tuple]) -> list[tuple[int, int]]:
    """(latest submission, the displayed one it was judged against) per student, from
    (user id, submission id, accepted) rows in each student's sending order."""
    pairs, by_user = [], {}
    for user_id, pk, accepted in rows:
        by_user.setdefault(user_id, []).append((pk, accepted))
    for decisions in by_user.values():
        if len(decisions) < 2:
            continue  # the first submission is always shown: no threshold yet
        earlier = [pk for pk, accepted in decisions[:-1] if accepted]
        pairs.append((decisions[-1][0], earlier[-1]))
    return pairs


def latest_thresholds(rows: list[tuple]) -> list[float]:
    pairs = latest_pairs(rows)
    wanted = {pk for pair in pairs for pk in pair}
    losses = dict(
        Submission.objects.filter(pk__in=wanted).values_list("pk", "public_losses").iterator()
    )
    return [
        ladder_step(losses_from_bytes(losses[new]), losses_from_bytes(losses[best])).standard_error
        for new, best in pairs
    ]


def public_rows(challenge: Challenge) -> int | None:
    stored = (
        Submission.objects.filter(challenge=challenge, public_losses__isnull=False)
        .values_list("public_losses", flat=True)
        .first()
    )
    if stored is not None:
        return len(losses_from_bytes(stored))
    try:  # nothing scored yet: the instructor may be deciding on the mode now
        return int(cached_solution(challenge).public.sum())
    except (OSError, ValueError):
        return None
