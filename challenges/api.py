"""The REST API: /api/... (token or session authentication)."""

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import (
    APIException,
    ValidationError,
)
from rest_framework.fields import DateTimeField
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges import selectors
from challenges.boards import exports, leaderboards, standings
from challenges.rules import finals, moderation, profiles
from challenges.serializers import (
    ChallengeDetailSerializer,
    ChallengeSerializer,
    LeaderboardSerializer,
    ProfileSerializer,
    RescoreSerializer,
    SubmissionCreateSerializer,
    SubmissionSerializer,
    SubmissionUpdateSerializer,
    SubmissionUploadSerializer,
)
from challenges.submissions import intake
from challenges.submissions.downloads import submission_download
from vsegrader import permissions
from vsegrader.api_errors import ErrorSerializer
from vsegrader.permissions import instructors_only
from vsegrader.uploads import body_too_large

drf_datetime = DateTimeField().to_representation


class UploadRejected(APIException):
    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, code: str, status_code: int = 400, wait=None):
        super().__init__(message, code)
        self.status_code = status_code
        self.wait = wait  # DRF sends it as Retry-After


class ChallengeListView(APIView):
    @extend_schema(responses=ChallengeSerializer(many=True))
    def get(self, request):
        challenges = selectors.challenge_list(user=request.user)
        context = {"request": request}
        return Response(ChallengeSerializer(challenges, many=True, context=context).data)


class ChallengeDetailView(APIView):
    @extend_schema(responses=ChallengeDetailSerializer)
    def get(self, request, slug: str):
        challenge = selectors.challenge_get(slug=slug, user=request.user)
        return Response(ChallengeDetailSerializer(challenge, context={"request": request}).data)


class DataFileView(APIView):
    @extend_schema(
        responses={(200, "*/*"): OpenApiTypes.BINARY},
        description="The file as stored; its Content-Type follows its name (e.g. text/csv).",
    )
    def get(self, request, slug: str, name: str):
        challenge = selectors.challenge_get(slug=slug, user=request.user)
        data_file = challenge.files.filter(name=name).first()
        if data_file is None:
            raise Http404("No such file.")
        return FileResponse(data_file.file.open("rb"), as_attachment=True, filename=data_file.name)


def submission_context(request, challenge) -> dict:
    show = selectors.private_scores_visible(challenge=challenge, user=request.user)
    is_instructor = permissions.is_instructor(request.user)
    return {"request": request, "show_private": show, "is_instructor": is_instructor}


REJECTION_STATUS = {
    "file_too_large": 413,
    "daily_limit_reached": 403,
    "total_limit_reached": 403,
    "failed_daily_limit_reached": 403,
    "upload_rate_exceeded": 429,
}


def upload_rejected(rejected: intake.SubmissionRejected) -> UploadRejected:
    status_code = REJECTION_STATUS.get(rejected.code, 400)
    return UploadRejected(rejected.message, rejected.code, status_code, rejected.retry_after)


class ChallengeSubmissionsView(APIView):
    parser_classes = [MultiPartParser]  # a file cannot travel in a urlencoded form

    @extend_schema(responses=SubmissionSerializer(many=True))
    def get(self, request, slug: str):
        challenge = selectors.challenge_get(slug=slug, user=request.user)
        submissions = selectors.my_submissions(challenge=challenge, user=request.user)
        context = submission_context(request, challenge)
        return Response(SubmissionSerializer(submissions, many=True, context=context).data)

    @extend_schema(request=SubmissionUploadSerializer, responses={201: SubmissionSerializer})
    def post(self, request, slug: str):
        challenge = selectors.challenge_get(slug=slug, user=request.user)
        try:  # before request.data: a refused upload's body is never parsed
            intake.submission_precheck(challenge=challenge, user=request.user)
        except intake.SubmissionRejected as rejected:
            raise upload_rejected(rejected) from rejected
        form = SubmissionCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            submission = intake.submission_receive(
                challenge=challenge,
                user=request.user,
                data=form.validated_data,
                body_too_large=body_too_large(request._request),
            )
        except intake.SubmissionRejected as rejected:
            raise upload_rejected(rejected) from rejected
        context = submission_context(request, challenge)
        return Response(SubmissionSerializer(submission, context=context).data, status=201)


REFUSED_SELECTION = (
    "Refused: not the caller's submission, past the deadline, not scorable, or one final too many"
)


class SubmissionDetailView(APIView):
    @extend_schema(responses=SubmissionSerializer)
    def get(self, request, pk: int):
        submission = selectors.submission_get(submission_id=pk, user=request.user)
        context = submission_context(request, submission.challenge)
        return Response(SubmissionSerializer(submission, context=context).data)

    @extend_schema(
        request=SubmissionUpdateSerializer,
        responses={
            200: SubmissionSerializer,
            409: OpenApiResponse(ErrorSerializer, description=REFUSED_SELECTION),
        },
    )
    def patch(self, request, pk: int):
        """Marks or unmarks the submission as final (Kaggle's final selection)."""
        submission = selectors.submission_get(submission_id=pk, user=request.user)
        form = SubmissionUpdateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            finals.submission_set_final(
                submission=submission, user=request.user, final=form.validated_data["is_final"]
            )
        except finals.SelectionRefused as refused:
            raise UploadRejected(refused.message, refused.code, 409) from refused
        context = submission_context(request, submission.challenge)
        return Response(SubmissionSerializer(submission, context=context).data)


class SubmissionFileView(APIView):
    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        submission = selectors.submission_get(submission_id=pk, user=request.user)
        return submission_download(submission)


class LeaderboardView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("split", enum=list(standings.SPLITS), default="public")],
        responses=LeaderboardSerializer,
    )
    def get(self, request, slug: str):
        challenge, split = board_request(request, slug)
        rows = selectors.board_for(challenge=challenge, split=split, user=request.user)
        is_instructor = permissions.is_instructor(request.user)
        payload = {
            "split": split,
            "metric": challenge.metric,
            "higher_is_better": challenge.higher_is_better,
            "participants": leaderboards.participant_count(rows),
            # Plain dicts: serializer fields cost several times more on a 1,000-row board;
            # LeaderboardSerializer documents the same shape in the schema.
            "rows": [leaderboard_row(row, is_instructor) for row in rows],
        }
        return Response(payload)


def leaderboard_row(row, is_instructor: bool) -> dict:
    data = {
        "rank": row.rank,
        "team_id": row.team_id,
        "team_name": row.name,
        "score": row.score,
        "entries": row.entries,
        "last_submission": drf_datetime(row.last_submission),
        "is_baseline": row.is_baseline,
        "public_rank": row.public_rank,
        "move": row.move,
    }
    if is_instructor:
        data["username"] = row.username
        data["ci"] = None if row.ci_low is None else [row.ci_low, row.ci_high]
    return data


def board_request(request, slug: str):
    """The challenge and split asked for, refusing the private board before the reveal."""
    challenge = selectors.challenge_get(slug=slug, user=request.user)
    split = request.query_params.get("split", "public")
    if split not in standings.SPLITS:
        raise ValidationError({"split": "must be 'public' or 'private'"})
    selectors.refuse_hidden_board(challenge=challenge, split=split, user=request.user)
    return challenge, split


class LeaderboardDownloadView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("split", enum=list(standings.SPLITS), default="public")],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
        description="The leaderboard in Kaggle's export format "
        "(Rank,TeamId,TeamName,LastSubmissionDate,Score,SubmissionCount,TeamMemberUserNames).",
    )
    def get(self, request, slug: str):
        challenge, split = board_request(request, slug)
        return exports.leaderboard_csv_response(challenge=challenge, split=split, user=request.user)


class ProfileView(APIView):
    @extend_schema(responses=ProfileSerializer)
    def get(self, request):
        return Response({"display_name": selectors.shown_name(request.user)})

    @extend_schema(request=ProfileSerializer, responses=ProfileSerializer)
    def patch(self, request):
        form = ProfileSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            profiles.display_name_set(user=request.user, name=form.validated_data["display_name"])
        except profiles.DisplayNameRefused as refused:
            raise ValidationError({"display_name": str(refused)}) from refused
        return Response({"display_name": selectors.shown_name(request.user)})


class RescoreView(APIView):
    permission_classes = [instructors_only("Only instructors can rescore a challenge.")]

    @extend_schema(request=None, responses={202: RescoreSerializer})
    def post(self, request, slug: str):
        """Instructors only: rescore every submission of the challenge in the background."""
        challenge = selectors.challenge_get(slug=slug, user=request.user)
        queued = moderation.challenge_rescore(challenge=challenge)
        return Response({"queued": queued}, status=202)
