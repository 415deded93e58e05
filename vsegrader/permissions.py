"""Roles and refusals: the one home of "is an instructor" for every app.

An instructor is an active staff user (Django's `is_staff` flag, set in the admin or by
`createsuperuser`); everyone else who is logged in is a student. Nothing outside this module
reads the flag: views, services, selectors and admin classes call `is_instructor`, and
queries use `instructor_lookup` / `not_instructor`.

The rule for refusals, the same on pages and in the API:

- **404** when the refused thing's existence must not be revealed: another student's
  submission, group or file, an unpublished challenge, and the instructors' tools on a
  challenge page (rescore, baseline panel: `challenges.selectors.instructor_challenge_get`).
  The answer is the one for an id that does not exist, so ids and slugs reveal nothing
  (`refuse_unless_instructor(user, hide=True)`, `instructor_required(hide=True)`).
- **403** when everyone knows the thing exists and the visitor merely may not have it: the
  gradebook and its CSV and API, the project groups list, the private leaderboard before the
  reveal, the API's rescore (`instructor_required()`, `IsInstructor`).
- A **service** asked by a non-instructor raises its own `Refused` subclass with a stable
  `code` (e.g. `not_an_instructor`), which the view turns into a message.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from rest_framework.permissions import BasePermission

INSTRUCTOR_FLAG = "is_staff"  # the user field that makes an instructor


def is_instructor(user) -> bool:
    """An active, logged-in staff user."""
    return bool(user.is_authenticated and user.is_active and getattr(user, INSTRUCTOR_FLAG))


def make_instructor(user, instructor: bool = True) -> None:
    """Sets the role on an unsaved or saved user (the caller saves)."""
    setattr(user, INSTRUCTOR_FLAG, instructor)


def instructor_lookup(relation: str = "") -> str:
    """The ORM lookup of the flag through `relation` (`"user"` → `"user__is_staff"`)."""
    return f"{relation}__{INSTRUCTOR_FLAG}" if relation else INSTRUCTOR_FLAG


def not_instructor(relation: str = "") -> Q:
    """A filter keeping the rows whose user (through `relation`) is not an instructor."""
    return Q(**{instructor_lookup(relation): False})


def visible_to(user, queryset, owner: str):
    """Instructors see every row; anyone else only the rows `owner` (a lookup to a user, e.g.
    `"user"` or `"group__memberships__user"`) leads to them. Callers answer 404 for the rest."""
    return queryset if is_instructor(user) else queryset.filter(**{owner: user})


def refuse_unless_instructor(user, message: str = "", *, hide: bool = False) -> None:
    """Anyone but an instructor gets 404 with `hide` (the thing's existence stays secret),
    else 403; `message` replaces the default text."""
    if not is_instructor(user):
        if hide:
            raise Http404(message or "No such page.")
        raise PermissionDenied(message or "Only instructors may do this.")


def instructor_required(view=None, *, message: str = "", hide: bool = False):
    """Decorator for a function view: instructors only, refusing others with 403 (or 404
    with `hide=True`; see the module docstring). Put it below `login_required`."""

    def decorate(function):
        @wraps(function)
        def wrapper(request, *args, **kwargs):
            refuse_unless_instructor(request.user, message, hide=hide)
            return function(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


class IsInstructor(BasePermission):
    """DRF: instructors only; others get 403 with `message`."""

    message = "Only instructors may do this."

    def has_permission(self, request, view) -> bool:
        return is_instructor(request.user)


class InstructorAdminPermissions:
    """Admin mixin: instructors may manage everything without per-model grants."""

    def has_module_permission(self, request):
        return is_instructor(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


def instructors_only(message: str) -> type[IsInstructor]:
    """`IsInstructor` refusing with this message: `permission_classes = [instructors_only(…)]`."""
    return type("InstructorsOnly", (IsInstructor,), {"message": message})


def roles(request) -> dict:
    """Template context processor: `user_is_instructor` for every template, so templates
    never read the flag themselves. A page rendered before the authentication middleware
    ran (the upload-size refusal) has no user yet: no instructor then."""
    user = getattr(request, "user", None)
    return {"user_is_instructor": user is not None and is_instructor(user)}
