"""No URL serves a hidden solution; students reach only what is theirs.

Walks the whole URLconf as an anonymous visitor and as a student, filling every URL
parameter with real values (including another student's submission) and with hostile ones.
tests/test_access_matrix.py walks it as every kind of visitor, over every kind of secret.
"""

import pytest

from challenges.bundles.reader import read_bundle
from challenges.importing import challenge_import
from tests.access import HOSTILE_NAMES, PUBLIC_PAGES, all_urls, payload
from tests.bundles import write_tiny_bundle
from tests.factories import scored_submission

pytestmark = pytest.mark.django_db

HIDDEN_MARKER = b"987654"  # every hidden target value starts with it (see the fixture)


@pytest.fixture
def secret_challenge(tmp_path):
    bundle = write_tiny_bundle(tmp_path, shift=987654.0)
    return challenge_import(bundle=read_bundle(bundle)).challenge


def assert_nothing_hidden(response, url: str, solution_name: str):
    assert response.status_code < 500, url
    body = payload(response)
    assert HIDDEN_MARKER not in body, f"{url} leaked a hidden value"
    assert solution_name.encode() not in body, f"{url} named the hidden file"


@pytest.mark.parametrize("role", ["anonymous", "student"])
def test_no_url_serves_the_hidden_solution(client, role, secret_challenge, student, other_student):
    theirs = scored_submission(secret_challenge, other_student, 1.0, 2.0, content=b"id,y\nbob\n")
    if role == "student":
        client.force_login(student)
    values = {
        "slug": [secret_challenge.slug],
        "pk": [str(theirs.pk)],
        "name": [*HOSTILE_NAMES, secret_challenge.solution.name],
    }
    urls = all_urls(values)
    assert len(urls) > 30  # the walk really covers the site
    print(f"walked {len(urls)} URLs as {role}")
    for url in urls:
        response = client.get(url)
        assert_nothing_hidden(response, url, secret_challenge.solution.name)
        if role == "anonymous" and not url.startswith(PUBLIC_PAGES):
            assert response.status_code in (302, 401, 403, 404, 405), url
        if str(theirs.pk) in url and "/file/" in url:
            assert response.status_code in (302, 401, 404), url


def test_the_solution_is_not_among_the_downloadable_files(secret_challenge):
    names = list(secret_challenge.files.values_list("name", flat=True))
    assert "solution.csv" not in names
    for data_file in secret_challenge.files.all():
        with data_file.file.open("rb") as handle:
            assert HIDDEN_MARKER not in handle.read()


def test_a_failed_submission_never_echoes_a_hidden_value(secret_challenge, student):
    from challenges.services import submission_score

    content = b"id,y\n" + b"".join(f"{i},x{i}\n".encode() for i in range(1, 21))
    submission = scored_submission(secret_challenge, student, 0, 0, content=content)
    submission.status = "queued"
    submission.save()
    scored = submission_score(submission_id=submission.pk)
    assert scored.status == "failed"
    assert HIDDEN_MARKER.decode() not in scored.error
