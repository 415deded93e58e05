"""Names on boards (challenges/rules/profiles.py, challenges/boards/pseudonyms.py): chosen
display names, and pseudonyms that are unique, stable and keyed by PSEUDONYM_KEY."""

import pytest

from challenges.boards.leaderboards import leaderboard
from challenges.boards.pseudonyms import pseudonym, pseudonym_for, team_number_for
from challenges.rules import profiles
from tests.factories import scored_submission

pytestmark = pytest.mark.django_db


def test_a_chosen_display_name_replaces_the_pseudonym(student_client, challenge, student):
    scored_submission(challenge, student, 0.1, 0.2)
    response = student_client.post("/profile/", {"display_name": "  Gradient  Descent "})
    assert response.status_code == 302
    page = student_client.get("/challenges/tiny-1d/leaderboard/").content.decode()
    assert "Gradient Descent" in page and pseudonym_for(student.pk) not in page


@pytest.mark.parametrize("name", ["ab", "Quick Otter 12", "Baseline CNN"])
def test_display_names_that_mislead_are_refused(student, name):
    with pytest.raises(profiles.DisplayNameRefused):
        profiles.display_name_set(user=student, name=name)


def test_a_display_name_cannot_be_taken_twice(student, other_student):
    profiles.display_name_set(user=student, name="Overfit")
    with pytest.raises(profiles.DisplayNameRefused, match="taken"):
        profiles.display_name_set(user=other_student, name="overfit")


def test_pseudonyms_are_unique_and_stable():
    names = [pseudonym_for(user_id) for user_id in range(1, 5001)]
    assert len(set(names)) == len(names)
    assert pseudonym_for(42) == pseudonym_for(42)


def test_rotating_the_secret_key_renames_nobody(settings, student, challenge):
    scored_submission(challenge, student, 0.2, 0.3)
    settings.PSEUDONYM_KEY = "the course's pseudonym key"
    name, team = pseudonym_for(student.pk), team_number_for(student.pk)
    (row,) = leaderboard(challenge=challenge, split="public")
    settings.SECRET_KEY = "a freshly rotated secret key"
    (after,) = leaderboard(challenge=challenge, split="public")
    assert (pseudonym_for(student.pk), team_number_for(student.pk)) == (name, team)
    assert (after.name, after.team_id) == (row.name, row.team_id) == (name, f"u{team}")


def test_unset_the_pseudonym_key_is_the_secret_key_so_old_names_stay():
    from vsegrader import settings as project_settings

    assert project_settings.PSEUDONYM_KEY == project_settings.SECRET_KEY
    assert pseudonym(7, project_settings.SECRET_KEY + ":pseudonym") == pseudonym_for(7)


def test_another_pseudonym_key_gives_other_names(settings):
    before = [pseudonym_for(user_id) for user_id in range(1, 50)]
    settings.PSEUDONYM_KEY = "another course"
    assert [pseudonym_for(user_id) for user_id in range(1, 50)] != before
