import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from challenges.models import Challenge
from demo.bundles import DEMO_SLUGS
from vsegrader.accounts.tokens import token_create, token_list
from vsegrader.permissions import is_instructor

pytestmark = pytest.mark.django_db

COURSE_FORMATS = {
    "fitting-1d": ("mse", ["id", "y"]),
    "fitting-5d": ("mean_column_mse", ["id", "y1", "y2", "y3", "y4", "y5"]),
    "glasses": ("accuracy", ["id", "glasses"]),
    "mics-mnist": ("accuracy", ["id", "label"]),
    "sword-video": ("accuracy", ["video", "category"]),
}


def test_loaddemo_opens_the_five_challenges_and_prints_logins(capsys):
    call_command("loaddemo", "--scale", "0.02")
    out = capsys.readouterr().out
    assert "instructor  instructor   password: instructor-demo" in out
    assert "student1" in out
    challenges = {c.slug: c for c in Challenge.objects.all()}
    assert sorted(challenges) == sorted(DEMO_SLUGS) == sorted(COURSE_FORMATS)
    for slug, (metric, columns) in COURSE_FORMATS.items():
        challenge = challenges[slug]
        assert (challenge.metric, list(challenge.spec.columns)) == (metric, columns)
        closes = timezone.localtime(challenge.deadline)  # open: relative to day one
        assert (closes.date() - timezone.localdate()).days == 28 and closes.hour == 17
        assert challenge.files.filter(name="sample_submission.csv").exists()
        assert challenge.preview["kind"] != "none", slug
    assert is_instructor(get_user_model().objects.get(username="instructor"))
    assert not get_user_model().objects.get(username="baseline").has_usable_password()


def test_loaddemo_twice_changes_nothing(capsys):
    call_command("loaddemo", "--scale", "0.02")
    deadlines = dict(Challenge.objects.values_list("slug", "deadline"))
    student = get_user_model().objects.get(username="student1")
    token_create(user=student, name="laptop")  # `dev.py serve` reloads the demo on each start
    capsys.readouterr()
    call_command("loaddemo", "--scale", "0.02")
    assert capsys.readouterr().out.count("0 data files written, 0 removed") == 5
    assert dict(Challenge.objects.values_list("slug", "deadline")) == deadlines
    assert token_list(user=student), "restarting the site must not log the demo's CLI out"
    assert get_user_model().objects.get(username="student1").check_password("student-demo")
