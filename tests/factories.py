from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from challenges.models import Submission
from challenges.standings import refresh_standings


def scored_submission(
    challenge,
    user,
    public: float,
    private: float,
    *,
    minutes_ago: int = 0,
    is_baseline: bool = False,
    is_final: bool = False,
    is_late: bool = False,
    description: str = "",
    content: bytes = b"id,y\n",
) -> Submission:
    submission = Submission(
        challenge=challenge,
        user=user,
        file_name="s.csv",
        size=len(content),
        status=Submission.Status.SCORED,
        public_score=public,
        private_score=private,
        shown_public_score=public,
        is_baseline=is_baseline,
        is_final=is_final,
        is_late=is_late,
        description=description,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    submission.file.save("s.csv", ContentFile(content), save=False)
    submission.save()
    refresh_standings(challenge=challenge, users=[user])
    return submission
