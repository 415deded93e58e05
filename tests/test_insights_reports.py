"""Insight reports computed by the service (as the worker does) and shown by the pages."""

import pytest

from challenges.insights import services
from challenges.insights.models import InsightReport, IntegrityDismissal
from tests.bundles import constant_submission, write_tiny_bundle
from tests.insight_world import (
    ALICE,
    BOB,
    import_bundle,
    predictions_csv,
    submit,
    write_label_bundle,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pets(tmp_path, student, other_student):
    challenge = import_bundle(write_label_bundle(tmp_path), revealed=True)
    submit(challenge, student, predictions_csv(ALICE), 1.0, 4 / 6)
    submit(challenge, other_student, predictions_csv(BOB), 0.5, 0.5)
    assert services.insights_compute(challenge_id=challenge.pk)
    return challenge


def report(challenge, user):
    return InsightReport.objects.get(challenge=challenge, kind="student", subject=f"u{user.pk}")


def test_a_students_confusion_matrix_and_wrong_examples_are_computed_on_the_private_split(
    pets, student, other_student
):
    mine, bobs = report(pets, student).data, report(pets, other_student).data
    assert mine["confusion"] == [[2, 1], [1, 2]]
    assert mine["per_class"] == [2 / 3, 2 / 3]
    assert [(e["id"], e["true"], e["predicted"]) for e in mine["wrong"]] == [
        ("a4", "cat", "dog"),
        ("a6", "dog", "cat"),
    ]  # a4 fewer classmates missed
    assert bobs["confusion"] == [[3, 0], [3, 0]]
    assert (mine["public_rank"], mine["private_rank"], mine["percentile"]) == (1, 1, 100.0)
    assert (bobs["private_rank"], bobs["percentile"]) == (2, 50.0)


def test_the_class_report_lists_the_hardest_examples_with_their_pictures(pets):
    data = InsightReport.objects.get(challenge=pets, kind="class").data
    assert [(e["id"], e["wrong"]) for e in data["hardest"]] == [
        ("a6", 2),
        ("a4", 1),
        ("a5", 1),
        ("a8", 1),
    ]
    assert data["shakeup"] == [[1, 1], [2, 2]]
    pictures = InsightReport.objects.filter(challenge=pets, kind="image")
    assert pictures.count() == 4
    assert all(p.data["src"].startswith("data:image/png;base64,") for p in pictures)


def test_reports_are_computed_once_until_their_inputs_change(pets, other_student):
    assert not services.insights_compute(challenge_id=pets.pk)
    assert not services.stale_revealed_challenges()
    submit(pets, other_student, predictions_csv(ALICE), 1.0, 4 / 6)
    assert services.stale_revealed_challenges() == [pets.pk]
    assert services.insights_compute(challenge_id=pets.pk)
    assert report(pets, other_student).data["confusion"] == [[2, 1], [1, 2]]


def test_the_student_page_shows_the_matrix_and_pictures_of_their_mistakes(client, pets, student):
    client.force_login(student)
    page = client.get(f"/challenges/{pets.slug}/insights/").content.decode()
    assert 'id="confusion"' in page and "data:image/png;base64," in page
    assert "true <strong>cat</strong>, predicted dog" in page


def test_identical_predictions_are_flagged_and_can_be_dismissed_with_a_note(
    client, pets, other_student, instructor, student
):
    submit(pets, other_student, predictions_csv(ALICE), 1.0, 4 / 6)
    services.insights_compute(challenge_id=pets.pk)
    flags = InsightReport.objects.get(challenge=pets, kind="integrity").data["flags"]
    assert [(f["kind"], {f["user_a"], f["user_b"]}) for f in flags] == [
        ("identical", {student.pk, other_student.pk})
    ]
    client.force_login(instructor)
    url = f"/challenges/{pets.slug}/insights/integrity/"
    assert "identical predictions on all 8 rows" in client.get(url).content.decode()
    client.post(url, {"user_a": other_student.pk, "user_b": student.pk, "note": "same team"})
    assert IntegrityDismissal.objects.get(challenge=pets).note == "same team"
    assert "dismissed: same team" in client.get(url).content.decode()


def test_a_regression_report_holds_truth_predictions_and_residuals_over_x(tmp_path, student):
    challenge = import_bundle(write_tiny_bundle(tmp_path), revealed=True)
    submit(challenge, student, constant_submission(1.0), 1.0, 1.0)
    services.insights_compute(challenge_id=challenge.pk)
    points = report(challenge, student).data["points"]
    assert len(points) == 12  # the private rows, ids 7-18 with x = id / 10, y = id / 2
    assert points[0] == [0.7, 3.5, 1.0, -2.5]
    assert points[-1] == [1.8, 9.0, 1.0, -8.0]


def test_the_instructor_sees_the_class_report_and_every_students_result(
    client, pets, instructor, other_student
):
    client.force_login(instructor)
    page = client.get(f"/challenges/{pets.slug}/insights/class/").content.decode()
    assert 'id="hardest"' in page and other_student.username in page
    theirs = client.get(f"/challenges/{pets.slug}/insights/students/{other_student.pk}/")
    assert "[[3, 0], [3, 0]]" not in theirs.content.decode()  # a table, not raw data
    assert theirs.status_code == 200 and 'id="confusion"' in theirs.content.decode()
