from django.contrib import admin

from vsegrader.permissions import is_instructor
from vsegrader.training.models import BaselineRun


@admin.register(BaselineRun)
class BaselineRunAdmin(admin.ModelAdmin):
    """Read-only: runs are started from the challenge page or `manage.py runbaseline`."""

    list_display = [
        "id",
        "challenge",
        "status",
        "quick",
        "device",
        "epoch",
        "epochs",
        "metric_name",
        "metric_value",
        "submission",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "quick", "device", "challenge"]
    search_fields = ["challenge__slug", "error"]
    list_select_related = ["challenge", "submission"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_module_permission(self, request):
        return is_instructor(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
