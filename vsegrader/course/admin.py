from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from challenges.admin import InstructorPermissions

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(InstructorPermissions, UserAdmin):
    """Students and instructors (staff). Instructors manage accounts without extra grants."""

    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active",
                    "last_login"]
