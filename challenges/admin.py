from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from challenges import services
from challenges.models import Challenge, DataFile, Submission


class InstructorPermissions:
    """Instructors are staff users: they may manage everything here without per-model grants."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


class DataFileInline(admin.TabularInline):
    model = DataFile
    extra = 0
    fields = ["name", "size", "sha256"]
    readonly_fields = fields
    can_delete = False


@admin.register(Challenge)
class ChallengeAdmin(InstructorPermissions, admin.ModelAdmin):
    list_display = ["slug", "title", "metric", "deadline", "daily_limit", "is_published"]
    list_filter = ["is_published", "metric"]
    search_fields = ["slug", "title"]
    readonly_fields = ["solution_file", "solution_sha256", "row_count", "targets", "id_column",
                       "metric", "higher_is_better", "created_at", "updated_at"]
    exclude = ["preview", "solution"]
    inlines = [DataFileInline]
    actions = ["rescore"]

    @admin.display(description="hidden solution")
    def solution_file(self, challenge: Challenge) -> str:
        return f"{challenge.solution.name} (hidden storage; no URL serves it)"

    @admin.action(description="Rescore every submission")
    def rescore(self, request, queryset):
        total = sum(services.submissions_rescore(challenge=c) for c in queryset)
        self.message_user(request, f"{total} submissions queued for rescoring.", messages.SUCCESS)


@admin.register(Submission)
class SubmissionAdmin(InstructorPermissions, admin.ModelAdmin):
    list_display = ["id", "challenge", "user", "status", "public_score", "private_score",
                    "is_baseline", "created_at"]
    list_filter = ["challenge", "status", "is_baseline"]
    search_fields = ["user__username", "user__email", "description", "=id"]
    list_select_related = ["challenge", "user"]
    date_hierarchy = "created_at"
    readonly_fields = ["challenge", "user", "download", "file_name", "size", "status",
                       "public_score", "private_score", "error", "attempts", "created_at",
                       "scoring_started_at", "scored_at"]
    exclude = ["file"]
    actions = ["rescore"]

    @admin.display(description="file")
    def download(self, submission: Submission) -> str:
        url = reverse("submission-file", args=[submission.pk])
        return format_html('<a href="{}">{}</a>', url, submission.file_name)

    @admin.action(description="Score again")
    def rescore(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        queryset.update(status=Submission.Status.QUEUED, error="")
        sent = sum(services.enqueue_scoring(pk) for pk in ids)
        self.message_user(request, f"{sent} of {len(ids)} submissions sent to the workers.")
