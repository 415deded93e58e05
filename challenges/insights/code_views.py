"""Attaching the code behind a final submission (page form and API) and downloading it.

Both uploads call `code.code_attach`. The download goes through `selectors.submission_get`
(its author or an instructor; anyone else gets a 404), is always an attachment with a name
and content type the site decides, and is never sniffed by the browser."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import APIException
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from challenges import selectors
from challenges.insights import code
from challenges.insights.models import AttachedCode
from vsegrader.api_errors import ErrorSerializer


@login_required
@require_http_methods(["GET", "POST"])
def submission_code(request, pk: int):
    submission = selectors.submission_get(submission_id=pk, user=request.user)
    if request.method == "GET":
        return code_download(submission)
    try:
        code.code_attach(submission=submission, user=request.user, upload=request.FILES.get("code"))
        messages.success(request, f"The code of submission #{submission.pk} is attached.")
    except code.CodeRefused as refused:
        messages.error(request, refused.message)
    return redirect("challenge-submissions", slug=submission.challenge.slug)


def code_download(submission) -> HttpResponse:
    attached = AttachedCode.objects.filter(submission=submission).first()
    if attached is None:
        raise Http404("No code is attached to this submission.")
    answer = HttpResponse(bytes(attached.content), content_type=code.CONTENT_TYPES[attached.kind])
    name = f"submission-{submission.pk}-{submission.user.username}.{attached.kind}"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    answer["Content-Disposition"] = f'attachment; filename="{safe}"'
    answer["X-Content-Type-Options"] = "nosniff"
    return answer


class CodeRefusedError(APIException):
    status_code = 400


# a refusal of the submission's state, not of the file: 409, as a final selection refused
STATUS = {"not_yours": 403, "code_not_collected": 409, "not_final": 409, "code_too_large": 413}


def refusal(refused: code.CodeRefused) -> APIException:
    error = CodeRefusedError(refused.message, refused.code)
    error.status_code = STATUS.get(refused.code, 400)
    return error


def attached_data(attached: AttachedCode) -> dict:
    return {
        "submission": attached.submission_id,
        "kind": attached.kind,
        "file_name": attached.file_name,
        "size": attached.size,
        "sha256": attached.sha256,
        "uploaded_at": attached.uploaded_at,
    }


class SubmissionCodeView(APIView):
    """Attach the notebook or script behind your final submission (replaces an earlier one)."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request=inline_serializer("CodeUpload", {"code": serializers.FileField()}),
        responses={
            201: inline_serializer(
                "AttachedCode",
                {
                    "submission": serializers.IntegerField(),
                    "kind": serializers.CharField(),
                    "file_name": serializers.CharField(),
                    "size": serializers.IntegerField(),
                    "sha256": serializers.CharField(),
                    "uploaded_at": serializers.DateTimeField(),
                },
            ),
            400: OpenApiResponse(ErrorSerializer, description="not a .ipynb or .py it claims"),
            409: OpenApiResponse(
                ErrorSerializer, description="not final, or the challenge collects no code"
            ),
            413: OpenApiResponse(ErrorSerializer, description="larger than 2 MB"),
        },
    )
    def post(self, request, pk: int):
        submission = selectors.submission_get(submission_id=pk, user=request.user)
        try:
            attached = code.code_attach(
                submission=submission, user=request.user, upload=request.FILES.get("code")
            )
        except code.CodeRefused as refused:
            raise refusal(refused) from refused
        return Response(attached_data(attached), status=201)
