from functools import cache

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from challenges.boards import ladders
from challenges.boards.standings import refresh_standings
from challenges.models import Challenge, DataFile, Disqualification, Extension, Submission
from challenges.rules import deadlines, moderation
from challenges.submissions import intake
from vsegrader.permissions import InstructorAdminPermissions
from vsegrader.times import course_time

CITY = settings.TIME_ZONE.rsplit("/", 1)[-1].replace("_", " ")
ZONE_HELP = f"{CITY} time ({settings.TIME_ZONE})"  # "Prague time (Europe/Prague)"


def with_zone(help_text: str) -> str:
    """A datetime input's help text, ending with the zone its times are in."""
    return f"{help_text[:1].upper()}{help_text[1:]}. {ZONE_HELP}" if help_text else ZONE_HELP


@cache  # one object per field: the admin matches read-only fields by identity
def time_column(model, name: str):
    """An admin column or read-only line showing `model`'s datetime field `name` in the
    course's zone, named ("10 Jan 2027, 17:00 CET"); Django's own display names no zone."""
    field = model._meta.get_field(name)

    @admin.display(description=field.verbose_name, ordering=name)
    def shown(obj) -> str:
        return course_time(getattr(obj, name)) or "—"  # vsegrader.times

    shown.__name__ = name  # the admin's CSS class and help text follow the field's name
    return shown


class CourseTimes:
    """Admin mixin: datetime inputs say their zone in their help text, and datetime columns
    and read-only lines show their time in the course's zone with the zone named."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateTimeField) and formfield is not None:
            formfield.help_text = with_zone(formfield.help_text)
        return formfield

    def get_list_display(self, request):
        return self._in_zone(super().get_list_display(request), self._times())

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return self._in_zone(readonly, self._times(readonly))

    def get_fieldsets(self, request, obj=None):
        times = self._times(super().get_readonly_fields(request, obj))  # inputs keep names
        return [
            (name, {**options, "fields": self._in_zone(options["fields"], times)})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_exclude(self, request, obj=None):
        """The read-only datetime fields are no inputs: time_column shows them instead."""
        excluded = super().get_exclude(request, obj)
        times = self._times(super().get_readonly_fields(request, obj))
        if excluded is None:  # as Django's get_form does: the form's own exclusions
            excluded = getattr(getattr(self.form, "_meta", None), "exclude", None)
        return [*(excluded or []), *times] if times else excluded

    def _times(self, among=None) -> set:
        """The model's datetime fields' names (those in `among`, if given)."""
        names = {f.name for f in self.model._meta.fields if isinstance(f, models.DateTimeField)}
        return names if among is None else names & set(among)

    def _in_zone(self, names, times: set) -> list:
        """`names` with each of `times` shown by time_column, in a fieldset's lines too."""
        return [self._name_in_zone(name, times) for name in names]

    def _name_in_zone(self, name, times: set):
        if isinstance(name, list | tuple):
            return self._in_zone(name, times)
        return time_column(self.model, name) if name in times else name


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
class ChallengeAdmin(CourseTimes, InstructorAdminPermissions, admin.ModelAdmin):
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
class SubmissionAdmin(CourseTimes, InstructorAdminPermissions, admin.ModelAdmin):
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
    """Refuses an extension ending at or before the challenge's deadline, and one granted or
    moved later once private scores have been shown (deadlines.check_extension)."""

    class Meta:
        model = Extension
        fields = ["challenge", "user", "deadline", "reason"]
        help_texts = {
            "deadline": "later than the challenge's deadline (an extension only moves it later)"
        }

    def clean(self):
        data = super().clean()
        challenge, deadline = data.get("challenge"), data.get("deadline")
        if challenge is not None and deadline is not None:
            existing = Extension.objects.filter(pk=self.instance.pk).first()
            try:
                deadlines.check_extension(challenge=challenge, deadline=deadline, existing=existing)
            except deadlines.ExtensionRefused as refused:
                error = forms.ValidationError(refused.message, code=refused.code)
                self.add_error("deadline", error)
        return data


@admin.register(Extension)
class ExtensionAdmin(CourseTimes, InstructorAdminPermissions, admin.ModelAdmin):
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
class DisqualificationAdmin(CourseTimes, InstructorAdminPermissions, admin.ModelAdmin):
    """Disqualifies a participant on one challenge; delete the entry to undo it."""

    list_display = ["challenge", "user", "reason", "created_by", "created_at"]
    list_filter = ["challenge"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
