"""Before the reveal, no insight reaches a student: every insights URL (taken from the
URLconf, so a new one is covered as soon as it exists), page and API, refuses them even
when the reports are stored, and nothing of the private split appears in any answer."""

import re

import pytest
from rest_framework.test import APIClient

from challenges.insights import services
from challenges.insights import urls as insights_urls
from tests.insight_world import (
    ALICE,
    BOB,
    import_bundle,
    predictions_csv,
    submit,
    write_label_bundle,
)

pytestmark = pytest.mark.django_db
PRIVATE = 0.6543217  # alice's private score, distinctive


def every_url(slug: str, user_ids) -> list[str]:
    urls = []
    for pattern in (*insights_urls.page_urls, *insights_urls.api_urls):
        prefix = "/api/" if pattern in insights_urls.api_urls else "/"
        route = str(pattern.pattern).replace("<slug:slug>", slug)
        urls += [prefix + route.replace("<int:id>", str(pk)) for pk in user_ids]
    return sorted(set(urls))


@pytest.fixture
def sealed(tmp_path, student, other_student):
    challenge = import_bundle(write_label_bundle(tmp_path), revealed=False)
    submit(challenge, student, predictions_csv(ALICE), 1.0, PRIVATE)
    submit(challenge, other_student, predictions_csv(BOB), 1.0, 0.5)
    services.insights_compute(challenge_id=challenge.pk, force=True)  # stored, not shown
    return challenge


def test_every_insights_url_refuses_a_student_before_the_reveal(sealed, student, other_student):
    urls = every_url(sealed.slug, (student.pk, other_student.pk))
    assert len(urls) >= 6 and not any("<" in url for url in urls)
    page_client, api_client = APIClient(), APIClient()
    page_client.force_login(student)
    api_client.force_authenticate(student)
    api_urls = [url for url in urls if url.startswith("/api/")]
    for client, walked in ((page_client, urls), (api_client, api_urls)):
        for url in walked:
            for method in ("get", "post"):
                answer = getattr(client, method)(url)
                assert answer.status_code in (403, 404, 405), (method, url, answer.status_code)
                body = answer.content.decode()
                assert not re.search(r"0\.65432|confusion|a4|data:image", body), (method, url)


def test_the_student_sees_their_result_once_the_challenge_is_revealed(sealed, student, client):
    client.force_login(student)
    assert client.get(f"/challenges/{sealed.slug}/insights/").status_code == 403
    sealed.deadline = sealed.deadline.replace(year=2020)
    sealed.save()
    page = client.get(f"/challenges/{sealed.slug}/insights/")
    assert page.status_code == 200 and "0.654322" in page.content.decode()
    api = client.get(f"/api/challenges/{sealed.slug}/insights/mine/")
    assert api.status_code == 200 and api.json()["confusion"] == [[2, 1], [1, 2]]
    for staff_only in ("class/", "integrity/", f"students/{student.pk}/"):
        assert client.get(f"/challenges/{sealed.slug}/insights/{staff_only}").status_code == 403


def test_the_instructor_sees_every_report_before_the_reveal(sealed, instructor, student, client):
    client.force_login(instructor)
    for url in every_url(sealed.slug, (student.pk,)):
        assert client.get(url).status_code in (200, 404), url  # 404: the API's "mine"
    page = client.get(f"/challenges/{sealed.slug}/insights/students/{student.pk}/")
    assert "0.654322" in page.content.decode()
