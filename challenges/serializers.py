from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.fields import empty

from challenges import selectors
from challenges.models import Challenge, DataFile, Submission
from challenges.rules import deadlines


class DataFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    created_at = serializers.SerializerMethodField()

    class Meta:
        model = DataFile
        fields = ["name", "size", "url", "created_at"]

    def get_url(self, data_file: DataFile) -> str:
        path = reverse("api-data-file", args=[data_file.challenge.slug, data_file.name])
        return self.context["request"].build_absolute_uri(path)

    @extend_schema_field(
        serializers.DateTimeField(
            help_text="when this version of the file was stored (an import writes a file "
            "only when its content changed); kaggle's creationDate"
        )
    )
    def get_created_at(self, data_file: DataFile) -> str:
        return serializers.DateTimeField().to_representation(stored_at(data_file))


def stored_at(data_file: DataFile):
    """The storage's time for the file (no column holds it); the challenge's last change
    when the storage cannot tell."""
    try:
        return data_file.file.storage.get_modified_time(data_file.file.name)
    except (NotImplementedError, OSError):
        return data_file.challenge.updated_at


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
    ids_file = serializers.CharField(
        allow_blank=True,
        help_text="a file of `files` whose id column lists every test id in the order the "
        "scorer reports missing ids; empty when there is none",
    )


class ChallengeSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api-challenge-detail", lookup_field="slug"
    )
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Challenge
        fields = [
            "slug",
            "title",
            "subtitle",
            "metric",
            "higher_is_better",
            "deadline",
            "is_open",
            "daily_limit",
            "total_limit",
            "final_selections",
            "max_file_mb",
            "url",
        ]


class QuotaSerializer(serializers.Serializer):
    daily_limit = serializers.IntegerField()
    used_today = serializers.IntegerField()
    remaining_today = serializers.IntegerField()
    total_limit = serializers.IntegerField(allow_null=True)
    remaining_total = serializers.IntegerField(allow_null=True)
    resets_at = serializers.DateTimeField(help_text="next midnight, Europe/Prague")
    failed_daily_limit = serializers.IntegerField(
        help_text="failed submissions allowed a day (those still being checked count too)"
    )
    failed_today = serializers.IntegerField()
    failed_remaining_today = serializers.IntegerField()


class ChallengeDetailSerializer(ChallengeSerializer):
    files = DataFileSerializer(many=True, read_only=True)
    submission_spec = serializers.SerializerMethodField()
    quota = serializers.SerializerMethodField()
    your_deadline = serializers.SerializerMethodField()
    private_revealed = serializers.SerializerMethodField()
    reveal_at = serializers.SerializerMethodField()
    disqualified_reason = serializers.SerializerMethodField()

    class Meta(ChallengeSerializer.Meta):
        fields = [
            *ChallengeSerializer.Meta.fields,
            "public_ladder",
            "description_md",
            "files",
            "submission_spec",
            "quota",
            "your_deadline",
            "private_revealed",
            "reveal_at",
            "disqualified_reason",
        ]

    def _user(self):
        return self.context["request"].user

    @extend_schema_field(QuotaSerializer(allow_null=True))
    def get_quota(self, challenge: Challenge) -> dict | None:
        """Null for accounts without limits (instructors)."""
        quota = selectors.quota(challenge=challenge, user=self._user())
        if quota is None:
            return None
        return QuotaSerializer(quota).data

    @extend_schema_field(serializers.DateTimeField())
    def get_your_deadline(self, challenge: Challenge):
        deadline = deadlines.effective_deadline(challenge=challenge, user=self._user())
        return serializers.DateTimeField().to_representation(deadline)

    def get_private_revealed(self, challenge: Challenge) -> bool:
        return timezone.now() >= self._reveal_at(challenge)

    @extend_schema_field(serializers.DateTimeField())
    def get_reveal_at(self, challenge: Challenge):
        return serializers.DateTimeField().to_representation(self._reveal_at(challenge))

    def _reveal_at(self, challenge: Challenge):
        """Both reveal fields read it; it costs a query, so it is asked for once."""
        cached = getattr(self, "_reveal_cache", {})
        if challenge.pk not in cached:
            cached[challenge.pk] = deadlines.reveal_at(challenge)
            self._reveal_cache = cached
        return cached[challenge.pk]

    def get_disqualified_reason(self, challenge: Challenge) -> str | None:
        entry = selectors.disqualification(challenge=challenge, user=self._user())
        return entry.reason if entry else None

    @extend_schema_field(SubmissionSpecSerializer)
    def get_submission_spec(self, challenge: Challenge) -> dict:
        spec = challenge.spec
        return {
            "id_column": spec.id_column,
            "columns": list(spec.columns),
            "targets": challenge.targets,
            "row_count": spec.row_count,
            "ids_file": challenge.ids_file,
        }


class SubmissionSerializer(serializers.ModelSerializer):
    challenge = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    public_score = serializers.SerializerMethodField()
    private_score = serializers.SerializerMethodField()
    private_ci = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(view_name="api-submission-detail")
    file_url = serializers.HyperlinkedIdentityField(view_name="api-submission-file")

    class Meta:
        model = Submission
        fields = [
            "id",
            "challenge",
            "status",
            "public_score",
            "private_score",
            "private_ci",
            "error",
            "description",
            "file_name",
            "size",
            "is_baseline",
            "is_late",
            "is_final",
            "disqualified_reason",
            "ladder_accepted",
            "created_at",
            "scored_at",
            "url",
            "file_url",
        ]
        read_only_fields = fields

    def get_public_score(self, submission: Submission) -> float | None:
        """The score students are shown (in Ladder mode, the Ladder's) until the reveal;
        from the reveal on, with the private scores, the exact one (instructors: always)."""
        if self.context.get("is_instructor") or self.context.get("show_private"):
            return submission.public_score
        return submission.shown_public_score

    def get_private_score(self, submission: Submission) -> float | None:
        """Null unless the viewer may see private scores (see selectors)."""
        return submission.private_score if self.context.get("show_private") else None

    @extend_schema_field(serializers.ListField(child=serializers.FloatField(), allow_null=True))
    def get_private_ci(self, submission: Submission) -> list[float] | None:
        """95 % bootstrap interval of the private score, for instructors only."""
        if not self.context.get("is_instructor") or submission.private_ci_low is None:
            return None
        return [submission.private_ci_low, submission.private_ci_high]


NO_NUL = RegexValidator(r"^[^\x00]*$", "Null characters are not allowed.")


class TextField(serializers.CharField):
    """Unlike DRF's, a JSON number or boolean is refused, not turned into text. The schema
    says what DRF's own check does: no NUL character."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(NO_NUL)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class RequiredBooleanField(serializers.BooleanField):
    """Unlike DRF's, a form body without the field is refused, not read as an unticked
    checkbox (False)."""

    default_empty_html = empty


class SubmissionUpdateSerializer(serializers.Serializer):
    is_final = RequiredBooleanField(help_text="mark or unmark as a final selection")


class SubmissionCreateSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True, help_text="the submission CSV", required=False
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)


@extend_schema_field({"type": "string", "format": "binary", "minLength": 1})
class NonEmptyFileField(serializers.FileField):
    pass


# What the schema documents; the view validates with SubmissionCreateSerializer so that it
# answers a missing or empty file itself (codes file_missing, file_empty).
@extend_schema_serializer(component_name="SubmissionUpload")
class SubmissionUploadSerializer(SubmissionCreateSerializer):
    """The submission CSV (not empty) and an optional description."""

    file = NonEmptyFileField(help_text="the submission CSV")


@extend_schema_serializer(component_name="Credentials")
class TokenRequestSerializer(serializers.Serializer):
    username = TextField()
    password = TextField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(
        allow_null=True,
        help_text="by the challenge's tie policy, as in the grades and the Kaggle CSV; null for "
        "a reference row: a baseline, or (instructors only) an instructor's own upload",
    )
    team_id = serializers.CharField()
    team_name = serializers.CharField(source="name", help_text="a pseudonym unless chosen")
    score = serializers.FloatField()
    entries = serializers.IntegerField()
    last_submission = serializers.DateTimeField()
    is_baseline = serializers.BooleanField()
    public_rank = serializers.IntegerField(allow_null=True, help_text="private board only")
    move = serializers.IntegerField(allow_null=True, help_text="public rank − private rank")
    username = serializers.CharField(required=False, help_text="instructors only")
    ci = serializers.ListField(
        child=serializers.FloatField(),
        required=False,
        allow_null=True,
        help_text="instructors only: 95 % bootstrap interval of the private score",
    )


class LeaderboardSerializer(serializers.Serializer):
    split = serializers.ChoiceField(choices=["public", "private"])
    metric = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    participants = serializers.IntegerField(
        help_text="students ranked (baselines and instructors' uploads excluded)"
    )
    rows = LeaderboardRowSerializer(many=True)


class ProfileSerializer(serializers.Serializer):
    display_name = TextField(
        min_length=3,
        max_length=40,
        error_messages={
            "min_length": "A display name has 3 to 40 characters.",
            "max_length": "A display name has 3 to 40 characters.",
        },
        help_text="how you appear on leaderboards other students see: 3 to 40 characters "
        "once control characters are dropped and spaces collapsed; reserved names, names "
        "like a generated pseudonym and names someone else has are refused (400)",
    )


class RescoreSerializer(serializers.Serializer):
    queued = serializers.IntegerField()
