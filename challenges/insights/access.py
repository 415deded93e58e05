"""Reads, and who may read them: a student sees only their own report and only once the
challenge is revealed; instructors see every report, the class report and the integrity
signals. Every page and API view of the insights goes through `require_*` here."""

from django.core.exceptions import PermissionDenied

from challenges import selectors
from challenges.insights.models import InsightReport, IntegrityDismissal

Kind = InsightReport.Kind
NOT_YET = (
    "Your result is shown here once the challenge is revealed (the private leaderboard opens)."
)


def require_own_report_visible(*, challenge, user) -> None:
    if not selectors.private_scores_visible(challenge=challenge, user=user):
        raise PermissionDenied(NOT_YET)


def require_instructor(user) -> None:
    if not selectors.is_instructor(user):
        raise PermissionDenied("Only instructors can see this.")


def stored(challenge, kind: str, subject: str = "") -> InsightReport | None:
    return InsightReport.objects.filter(challenge=challenge, kind=kind, subject=subject).first()


def student_report(challenge, user_id: int) -> InsightReport | None:
    return stored(challenge, Kind.STUDENT, f"u{int(user_id)}")


def pictures(challenge, rows) -> dict[int, str]:
    subjects = [f"r{int(r)}" for r in rows]
    found = InsightReport.objects.filter(challenge=challenge, kind=Kind.IMAGE, subject__in=subjects)
    return {int(r.subject[1:]): r.data.get("src", "") for r in found}


def with_pictures(challenge, examples: list[dict]) -> list[dict]:
    srcs = pictures(challenge, [e["row"] for e in examples])
    return [{**e, "src": srcs.get(e["row"], "")} for e in examples]


def dismissals(challenge) -> dict[tuple[int, int], IntegrityDismissal]:
    rows = IntegrityDismissal.objects.filter(challenge=challenge).select_related("dismissed_by")
    return {(d.user_a_id, d.user_b_id): d for d in rows}
