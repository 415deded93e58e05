from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from challenges.admin import CourseTimes
from vsegrader.course import marks
from vsegrader.course.models import (
    Deliverable,
    GradeScheme,
    MarkChange,
    Membership,
    ProjectGroup,
    ProjectSettings,
    ProjectTopic,
)
from vsegrader.permissions import INSTRUCTOR_FLAG, InstructorAdminPermissions

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(CourseTimes, InstructorAdminPermissions, UserAdmin):
    """Students and instructors (staff). Instructors manage accounts without extra grants."""

    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        INSTRUCTOR_FLAG,
        "is_active",
        "last_login",
    ]


class SingletonAdmin(CourseTimes, InstructorAdminPermissions, admin.ModelAdmin):
    """One row: the list opens it directly; it cannot be added twice or deleted."""

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        row = self.model.load()
        meta = self.model._meta
        return redirect(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk]))


@admin.register(GradeScheme)
class GradeSchemeAdmin(SingletonAdmin):
    fields = [
        "challenge_percent",
        "project_percent",
        "weights",
        "best_of",
        "scale",
        "tie_policy",
        "updated_at",
    ]
    readonly_fields = ["updated_at"]


@admin.register(ProjectSettings)
class ProjectSettingsAdmin(SingletonAdmin):
    fields = ["registration_deadline", "deadline", "min_members", "max_members"]


@admin.register(ProjectTopic)
class ProjectTopicAdmin(InstructorAdminPermissions, admin.ModelAdmin):
    list_display = ["title", "family", "order"]
    list_editable = ["order"]
    list_filter = ["family"]
    search_fields = ["title", "description"]


class MembershipInline(CourseTimes, InstructorAdminPermissions, admin.TabularInline):
    """Instructors may move students between groups here, also after the lock.
    Adjustments are set on the marking page, which keeps their history."""

    model = Membership
    extra = 0
    fields = ["user", "joined_at", "adjustment"]
    readonly_fields = ["joined_at", "adjustment"]
    autocomplete_fields = ["user"]


class DeliverableInline(CourseTimes, InstructorAdminPermissions, admin.TabularInline):
    model = Deliverable
    extra = 0
    fields = ["kind", "download", "size", "uploaded_by", "uploaded_at", "is_late", "sha256"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="file")
    def download(self, deliverable: Deliverable) -> str:
        url = reverse("project-deliverable-file", args=[deliverable.pk])
        return format_html('<a href="{}">{}</a>', url, deliverable.file_name)


class MarkChangeInline(CourseTimes, InstructorAdminPermissions, admin.TabularInline):
    model = MarkChange
    extra = 0
    fields = ["changed_at", "changed_by", "field", "member", "old_value", "new_value"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProjectGroup)
class ProjectGroupAdmin(CourseTimes, InstructorAdminPermissions, admin.ModelAdmin):
    list_display = ["name", "topic_title", "member_list", "mark", "mark_released", "created_at"]
    list_filter = ["mark_released", "topic__family"]
    search_fields = ["name", "own_topic", "memberships__user__username"]
    fields = [
        "name",
        "topic",
        "own_topic",
        "description",
        "invite_code",
        "created_by",
        "marking",
        "mark",
        "feedback",
        "mark_released",
    ]
    readonly_fields = ["invite_code", "created_by", "marking", "mark", "feedback", "mark_released"]
    inlines = [MembershipInline, DeliverableInline, MarkChangeInline]
    actions = ["release_marks"]

    @admin.display(description="members")
    def member_list(self, group: ProjectGroup) -> str:
        return ", ".join(m.user.username for m in group.memberships.select_related("user"))

    @admin.display(description="marking")
    def marking(self, group: ProjectGroup) -> str:
        if group.pk is None:
            return "—"
        url = reverse("project-group", args=[group.pk])
        return format_html(
            '<a href="{}">Enter the mark, feedback and adjustments</a> '
            "(every change is kept in the history)",
            url,
        )

    @admin.action(description="Release the marks of the selected groups")
    def release_marks(self, request, queryset):
        released = 0
        for group in queryset.exclude(mark=None):
            marks.mark_set(
                group=group,
                by=request.user,
                mark=group.mark,
                feedback=group.feedback,
                released=True,
            )
            released += 1
        self.message_user(request, f"{released} groups' marks released.", messages.SUCCESS)
