"""GET /api/grades/: the gradebook for instructors, as JSON or (?format=csv) as CSV."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from vsegrader.api_errors import ErrorSerializer
from vsegrader.course import gradebook, gradebook_export
from vsegrader.permissions import instructors_only


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode(self.charset)
        detail = data.get("detail", "") if isinstance(data, dict) else str(data)
        return gradebook_export.csv_error(detail).encode(self.charset)


class ColumnSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    revealed = serializers.BooleanField(help_text="the private leaderboard is open to students")
    rule = serializers.CharField(source="rule_text", help_text="the grading rule in words")
    error = serializers.CharField(help_text="why this challenge has no marks; empty if it has")


class RowSerializer(serializers.Serializer):
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField()
    group = serializers.CharField(help_text="project group name; empty if none")
    marks = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="challenge slug → mark in 0..1 (null: the challenge's rule is broken)",
    )
    challenge_points = serializers.FloatField(allow_null=True)
    project_mark = serializers.FloatField(
        allow_null=True, help_text="percent, with the member's adjustment; null: not marked"
    )
    project_points = serializers.FloatField(allow_null=True)
    final_points = serializers.FloatField(allow_null=True)
    grade = serializers.CharField(allow_null=True)


class SchemeSerializer(serializers.Serializer):
    challenge_percent = serializers.FloatField()
    project_percent = serializers.FloatField()
    scale = serializers.ListField(
        child=serializers.ListField(), help_text="[minimum points, grade] rows"
    )


class GradebookSerializer(serializers.Serializer):
    scheme = SchemeSerializer()
    challenges = ColumnSerializer(many=True, source="columns")
    students = RowSerializer(many=True, source="rows")


class GradesView(APIView):
    permission_classes = [instructors_only("Only instructors see the gradebook.")]
    renderer_classes = [JSONRenderer, CSVRenderer]

    def perform_content_negotiation(self, request, force=False):
        # DRF answers an unknown ?format= with 404, and an empty one with JSON.
        if not force and request.query_params.get("format", "json") not in ("json", "csv"):
            raise ValidationError({"format": "must be 'json' or 'csv'"})
        return super().perform_content_negotiation(request, force)

    @extend_schema(
        summary="The gradebook (instructors only)",
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv"],
                description="csv: the same file as the gradebook page's download",
            )
        ],
        responses={
            (200, "application/json"): GradebookSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (403, "application/json"): OpenApiResponse(ErrorSerializer, "not an instructor"),
            (403, "text/csv"): OpenApiTypes.STR,
        },
    )
    def get(self, request):
        book = gradebook.gradebook()
        if request.accepted_renderer.format == "csv":
            response = Response(gradebook_export.csv_text(book))
            response["Content-Disposition"] = 'attachment; filename="grades.csv"'
            return response
        return Response(GradebookSerializer(book).data)
