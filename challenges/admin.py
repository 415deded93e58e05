from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from challenges.boards import ladders
from challenges.boards.standings import refresh_standings
from challenges.models import Challenge, DataFile, Disqualification, Extension, Submission
from challenges.rules import deadlines, moderation
from challenges.submissions import intake
from vsegrader.permissions import InstructorAdminPermissions


class DataFileInline(admin.TabularInline):
    model = DataFile
    extra = 0
    fields = ["name", "size", "sha256"]
    readonly_fields = fields
    can_delete = False


class ChallengeForm(forms.ModelForm):
    """Refuses a board-mode switch once students have submitted (see challenges.boards.ladders)."""

    # No Meta: ChallengeAdmin builds the form for its own fields (a Meta.fields list here
    # would narrow the admin's form to that list).

    def clean_public_ladder(self):
        public_ladder = self.cleaned_data.get("public_ladder", False)
        if "public_ladder" in self.changed_data:
            refusal = ladders.mode_change_refusal(self.instance, public_ladder=public_ladder)
            if refusal:
                raise forms.ValidationError(refusal, code="mode_locked")
        return public_ladder


@admin.register(Challenge)
class ChallengeAdmin(InstructorAdminPermissions, admin.ModelAdmin):
    form = ChallengeForm
    list_display = [
        "slug",
        "title",
        "metric",
        "deadline",
        "daily_limit",
        "public_ladder",
        "is_published",
    ]
    list_filter = ["is_published", "metric"]
    search_fields = ["slug", "title"]
    readonly_fields = [
        "grading_form",
        "solution_file",
        "solution_sha256",
        "row_count",
        "targets",
        "id_column",
        "metric",
        "higher_is_better",
        "created_at",
        "updated_at",
    ]
    exclude = ["preview", "solution"]
    inlines = [DataFileInline]
    actions = ["rescore"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The number of final selections, the direction or a disqualification rule may
        # have changed what counts: recompute every participant's standing.
        refresh_standings(challenge=obj)

    @admin.display(description="grading rule form")
    def grading_form(self, challenge: Challenge) -> str:
        if not challenge.pk:
            return "—"
        url = reverse("grading-rules-edit", args=[challenge.slug])
        return format_html('<a href="{}">Edit the grading rule as a form, with a preview</a>', url)

    @admin.display(description="hidden solution")
    def solution_file(self, challenge: Challenge) -> str:
        return f"{challenge.solution.name} (hidden storage; no URL serves it)"

    @admin.action(description="Rescore every submission")
    def rescore(self, request, queryset):
        total = sum(moderation.challenge_rescore(challenge=c) for c in queryset)
        self.message_user(request, f"{total} submissions queued for rescoring.", messages.SUCCESS)


@admin.register(Submission)
class SubmissionAdmin(InstructorAdminPermissions, admin.ModelAdmin):
    list_display = [
        "id",
        "challenge",
        "user",
        "status",
        "public_score",
        "private_score",
        "is_baseline",
        "is_late",
        "is_final",
        "disqualified",
        "created_at",
    ]
    list_filter = ["challenge", "status", "is_baseline", "is_late", "is_final"]
    search_fields = ["user__username", "user__email", "description", "=id"]
    list_select_related = ["challenge", "user"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "challenge",
        "user",
        "download",
        "file_name",
        "size",
        "status",
        "public_score",
        "private_score",
        "shown_public_score",
        "private_ci_low",
        "private_ci_high",
        "error",
        "attempts",
        "created_at",
        "scoring_started_at",
        "scored_at",
        "is_late",
        "is_final",
        "is_baseline",
        "disqualified_at",
    ]
    exclude = ["file"]
    actions = ["rescore"]

    @admin.display(boolean=True)
    def disqualified(self, submission: Submission) -> bool:
        return submission.is_disqualified

    def save_model(self, request, obj, form, change):
        """Setting a reason disqualifies the submission (the student sees it); clearing it
        reinstates it."""
        if "disqualified_reason" in form.changed_data:
            if obj.disqualified_reason.strip():
                moderation.disqualify_submission(submission=obj, reason=obj.disqualified_reason)
            else:
                moderation.reinstate_submission(submission=obj)
            return
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request) -> bool:
        return False  # submissions come from uploads; an admin form cannot make a scorable one

    @admin.display(description="file")
    def download(self, submission: Submission) -> str:
        url = reverse("submission-file", args=[submission.pk])
        return format_html('<a href="{}">{}</a>', url, submission.file_name)

    @admin.action(description="Score again")
    def rescore(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        queryset.update(status=Submission.Status.QUEUED, error="")
        sent = sum(intake.enqueue_scoring(pk) for pk in ids)
        self.message_user(request, f"{sent} of {len(ids)} submissions sent to the workers.")


class ExtensionForm(forms.ModelForm):
    """Refuses an extension granted or moved later once private scores have been shown."""

    class Meta:
        model = Extension
        fields = ["challenge", "user", "deadline", "reason"]

    def clean(self):
        data = super().clean()
        challenge, deadline = data.get("challenge"), data.get("deadline")
        if challenge is not None and deadline is not None:
            existing = Extension.objects.filter(pk=self.instance.pk).first()
            refusal = deadlines.extension_refusal(
                challenge=challenge, deadline=deadline, existing=existing
            )
            if refusal:
                raise forms.ValidationError(refusal, code="revealed")
        return data


@admin.register(Extension)
class ExtensionAdmin(InstructorAdminPermissions, admin.ModelAdmin):
    form = ExtensionForm
    list_display = ["challenge", "user", "deadline", "reason", "granted_by", "created_at"]
    list_filter = ["challenge"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["granted_by", "created_at"]

    def save_model(self, request, obj, form, change):
        obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Disqualification)
class DisqualificationAdmin(InstructorAdminPermissions, admin.ModelAdmin):
    """Disqualifies a participant on one challenge; delete the entry to undo it."""

    list_display = ["challenge", "user", "reason", "created_by", "created_at"]
    list_filter = ["challenge"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
