"""`GET /api/challenges/SLUG/status/`: everything `vsegrader c status` shows, in one request
(left today, reset time, deadline with the course's zone, best public score, rank, finals);
`GET /api/status/`: per challenge, the counts `vsegrader c list` adds (teamCount,
userHasEntered)."""

from django.conf import settings
from django.db.models import Count, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges import selectors
from challenges.boards import leaderboards
from challenges.models import Submission
from challenges.rules import deadlines
from challenges.serializers import QuotaSerializer
from vsegrader.permissions import not_instructor

DATETIME = serializers.DateTimeField()


def iso(value):
    return None if value is None else DATETIME.to_representation(value)


class StatusView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Your standing in a challenge")
    def get(self, request, slug: str):
        user = request.user
        challenge = selectors.challenge_get(slug=slug, user=user)
        quota = selectors.quota(challenge=challenge, user=user)
        mine = selectors.my_submissions(challenge=challenge, user=user)
        rows = selectors.board_for(challenge=challenge, split="public", user=user)
        row = own_row(rows, user)
        return Response(
            {
                "challenge": challenge.slug,
                "title": challenge.title,
                "time_zone": settings.TIME_ZONE,
                "deadline": iso(challenge.deadline),
                "your_deadline": iso(deadlines.effective_deadline(challenge=challenge, user=user)),
                "is_open": challenge.is_open,
                "quota": None if quota is None else QuotaSerializer(quota).data,
                "submissions": mine.count(),
                "best_public_score": None if row is None else row.score,
                "rank": None if row is None else row.rank,
                "participants": leaderboards.participant_count(rows),
                "final_selections": challenge.final_selections,
                "finals": list(mine.filter(is_final=True).values_list("id", flat=True)),
                "metric": challenge.metric,
                "higher_is_better": challenge.higher_is_better,
            }
        )


def own_row(rows, user):
    return next((row for row in rows if row.user_id == user.id and not row.is_baseline), None)


class ChallengeCountsSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    team_count = serializers.IntegerField(help_text="students with a scored submission")
    user_has_entered = serializers.BooleanField()


class StatusListView(APIView):
    @extend_schema(
        responses=ChallengeCountsSerializer(many=True),
        summary="Per challenge: teams on the board and whether you have entered",
    )
    def get(self, request):
        challenges = selectors.challenge_list(user=request.user)
        scored = Q(
            not_instructor("submissions__user"),
            submissions__status="scored",
            submissions__is_baseline=False,
        )
        counts = challenges.annotate(
            teams=Count("submissions__user", filter=scored, distinct=True)
        ).values_list("slug", "teams")
        entered = set(
            Submission.objects.filter(user=request.user).values_list("challenge__slug", flat=True)
        )
        return Response(
            [
                {"slug": slug, "team_count": teams, "user_has_entered": slug in entered}
                for slug, teams in counts
            ]
        )
