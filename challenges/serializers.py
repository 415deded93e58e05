from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from challenges.models import Challenge, DataFile, Submission


class DataFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = DataFile
        fields = ["name", "size", "url"]

    def get_url(self, data_file: DataFile) -> str:
        path = reverse("api-data-file", args=[data_file.challenge.slug, data_file.name])
        return self.context["request"].build_absolute_uri(path)


class TargetSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["float", "label", "probability"])
    labels = serializers.ListField(child=serializers.CharField())


class SubmissionSpecSerializer(serializers.Serializer):
    """What a valid submission file looks like, so that clients can check it locally."""

    id_column = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    targets = TargetSerializer(many=True)
    row_count = serializers.IntegerField()


class ChallengeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api-challenge-detail", lookup_field="slug"
    )
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Challenge
        fields = [
            "slug", "title", "subtitle", "metric", "higher_is_better", "deadline", "is_open",
            "daily_limit", "total_limit", "final_selections", "max_file_mb", "url",
        ]


class ChallengeDetailSerializer(ChallengeSerializer):
    files = DataFileSerializer(many=True, read_only=True)
    submission_spec = serializers.SerializerMethodField()

    class Meta(ChallengeSerializer.Meta):
        fields = [*ChallengeSerializer.Meta.fields, "description_md", "files", "submission_spec"]

    @extend_schema_field(SubmissionSpecSerializer)
    def get_submission_spec(self, challenge: Challenge) -> dict:
        spec = challenge.spec
        return {
            "id_column": spec.id_column,
            "columns": list(spec.columns),
            "targets": challenge.targets,
            "row_count": spec.row_count,
        }


class SubmissionSerializer(serializers.ModelSerializer):
    challenge = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    private_score = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(view_name="api-submission-detail")
    file_url = serializers.HyperlinkedIdentityField(view_name="api-submission-file")

    class Meta:
        model = Submission
        fields = [
            "id", "challenge", "status", "public_score", "private_score", "error",
            "description", "file_name", "size", "is_baseline", "created_at", "scored_at",
            "url", "file_url",
        ]
        read_only_fields = fields

    def get_private_score(self, submission: Submission) -> float | None:
        """Null unless the viewer may see private scores (see selectors)."""
        return submission.private_score if self.context.get("show_private") else None


class SubmissionCreateSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True, help_text="the submission CSV", required=False
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    score = serializers.FloatField()
    entries = serializers.IntegerField()
    last_submission = serializers.DateTimeField()
    is_baseline = serializers.BooleanField()


class LeaderboardSerializer(serializers.Serializer):
    split = serializers.ChoiceField(choices=["public", "private"])
    metric = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    rows = LeaderboardRowSerializer(many=True)
