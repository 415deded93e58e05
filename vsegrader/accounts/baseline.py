"""The baseline account: the participant that baseline models submit as. It cannot log in,
is not a student (`vsegrader.course.roster` leaves it out) and its rows are reference rows."""

from django.contrib.auth import get_user_model

BASELINE_USERNAME = "baseline"


def baseline_account():
    """The baseline account, created on first use."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=BASELINE_USERNAME, defaults={"first_name": "Baseline", "email": ""}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user
