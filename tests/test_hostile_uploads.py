"""Hostile uploads through the real API: generated files, oversized and lying bodies, hostile
file names, and names that try formula injection in the CSV exports.

Every request ends in a 2xx or a 4xx with a JSON message, never a 5xx; a stored file ends
`scored` or `failed` with the pure scorer's own messages, never the internal error.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from challenges.bundles.importing import challenge_import
from challenges.bundles.reader import read_bundle
from challenges.models import Challenge, Competitor, Submission
from challenges.submissions import judge
from tests import hostile, hostile_damage
from tests.bundles import perfect_submission
from tests.factories import scored_submission
from tests.verdicts import check_messages, server_verdict
from vsegrader import uploads

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
BOUNDARY = "hostile-boundary-7f3a"


def hostile_settings(examples: int):
    return hypothesis_settings(
        max_examples=examples,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


class CountingReader(io.RawIOBase):
    """A request body that counts what the server reads of it."""

    def __init__(self, data: bytes):
        self.stream, self.consumed = io.BytesIO(data), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.stream.readinto(buffer)
        self.consumed += count
        return count


def multipart(data: bytes, name: str = "submission.csv", *, encoded_name: bool = False) -> bytes:
    """A form with one file, built by hand: the test client would clean the name itself."""
    if encoded_name:
        disposition = f"filename*=UTF-8''{urllib.parse.quote(name, safe='')}"
    else:
        disposition = f'filename="{name}"'
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; {disposition}\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def post(api, slug: str, body: bytes, **environ):
    return api.post(
        f"/api/challenges/{slug}/submissions/",
        data=body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **environ,
    )


def assert_refused_with_a_message(response, *statuses: int) -> str:
    assert response.status_code in statuses, response.content[:300]
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail.strip()
    return detail


@pytest.fixture(autouse=True)
def no_throttle(settings):
    """Hundreds of uploads a minute: the API's per-user rate would refuse most of them."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None},
    }


@pytest.fixture
def tiny(challenge):
    challenge.daily_limit = 1_000_000
    challenge.save()
    return challenge


@pytest.fixture
def demo_challenges(db):
    for slug in hostile.DEMO_SLUGS:
        challenge_import(bundle=read_bundle(hostile.demo_root() / slug))
    Challenge.objects.update(daily_limit=1_000_000)


# --- generated files --------------------------------------------------------------------


@hostile_settings(200)
@given(file=hostile_damage.hostile_files(among=hostile.DEMO_SLUGS))
def test_generated_files_end_as_the_pure_scorer_says_never_in_an_internal_error(
    file, student_api, demo_challenges
):
    response = post(student_api, file.slug, multipart(file.data))
    if not file.data:
        assert assert_refused_with_a_message(response, 400) == "The file is empty."
        return
    assert response.status_code == 201, response.content[:300]
    submission = judge.submission_score(submission_id=response.json()["id"])
    shown = student_api.get(f"/api/submissions/{submission.pk}/")  # an infinite score: a 500
    assert shown.status_code == 200
    verdict = server_verdict(file.data, hostile.case(file.slug))
    if isinstance(verdict, list):
        assert submission.status == Submission.Status.FAILED
        assert submission.error.split("\n") == verdict
        check_messages(verdict, file.data, hostile.case(file.slug))
    else:
        assert submission.status == Submission.Status.SCORED
        assert shown.json()["public_score"] == verdict.public
    assert judge.INTERNAL_ERROR_MESSAGE not in submission.error


def test_a_file_whose_score_would_overflow_fails_with_a_message_not_a_server_error(
    student_api, challenge
):
    data = perfect_submission().replace(b"\n2,1.0\n", b"\n2,1e200\n")
    response = post(student_api, "tiny-1d", multipart(data))
    submission = judge.submission_score(submission_id=response.json()["id"])
    assert student_api.get(f"/api/submissions/{submission.pk}/").status_code == 200
    assert submission.status == Submission.Status.FAILED
    assert submission.error == (
        "Column 'y' line 3: 1e+200 is too large to score (numbers must lie between -1e100 and "
        "1e100)"
    )


# --- size limits and lying lengths ------------------------------------------------------


@pytest.mark.parametrize("page", [False, True], ids=["api", "page"])
def test_a_body_over_the_challenge_s_limit_is_refused_before_it_is_read(
    page, student_api, student_client, challenge
):
    data = multipart(b"id,y\n" + b"1,0.5\n" * (3 * MB // 6))  # the limit is 1 MB
    body = CountingReader(data)
    environ = {"CONTENT_LENGTH": str(len(data)), "wsgi.input": body}
    if page:
        response = student_client.post(
            "/challenges/tiny-1d/submissions/",
            data=b"",
            **environ,
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
        )
        assert response.status_code == 413
        assert b"The file is too large: the limit is 1 MB." in response.content
    else:
        detail = assert_refused_with_a_message(post(student_api, "tiny-1d", b"", **environ), 413)
        assert detail == "The file is too large: the limit is 1 MB."
    assert body.consumed == 0
    assert not Submission.objects.exists()


def test_a_streamed_file_over_the_site_limit_is_cut_off_at_the_limit(
    student_api, challenge, settings, monkeypatch
):
    settings.SUBMISSION_MAX_BYTES = 256 * 1024
    monkeypatch.setattr(uploads, "MULTIPART_OVERHEAD", 16 * MB)  # so that the middleware lets
    challenge.max_file_mb = 50  # it through: the upload handler alone must stop it
    challenge.save()
    data = multipart(b"id,y\n" + b"1,0.5\n" * (4 * MB // 6))
    body = CountingReader(data)
    response = post(
        student_api, "tiny-1d", b"", CONTENT_LENGTH=str(len(data)), **{"wsgi.input": body}
    )
    assert assert_refused_with_a_message(response, 413).startswith("The file is too large")
    assert body.consumed < 512 * 1024 < len(data)
    assert not Submission.objects.exists()


def test_a_small_declared_length_bounds_what_is_read_of_a_bigger_body(student_api, challenge):
    data = multipart(perfect_submission() + b"9" * (5 * MB))
    body = CountingReader(data)
    response = post(student_api, "tiny-1d", b"", CONTENT_LENGTH="2000", **{"wsgi.input": body})
    assert response.status_code < 500
    assert body.consumed <= 2000
    assert all(s.size <= 2000 for s in Submission.objects.all())


@hostile_settings(60)
@given(
    declared=st.one_of(
        st.text(max_size=8),
        st.integers(-10, 10**12).map(str),
        st.sampled_from(["²", "١٢٣", "1e9", " 12", "0x10", "-0", "+5", "\x00", "٣" * 9]),
    )
)
def test_any_content_length_header_ends_in_a_client_error_at_worst(declared, student_api, tiny):
    body = CountingReader(multipart(perfect_submission()))
    response = post(student_api, "tiny-1d", b"", CONTENT_LENGTH=declared, **{"wsgi.input": body})
    assert response.status_code in (201, 400, 413), (declared, response.content[:200])
    try:  # Django reads at most int() of the header, and nothing when int() refuses it
        allowed = max(int(declared), 0)
    except ValueError:
        allowed = 0
    assert body.consumed <= allowed


# --- file names -------------------------------------------------------------------------

NAME_PIECES = [
    "..",
    "/",
    "\\",
    "\x00",
    "\r\n",
    "\u202e",
    "\u200f",
    "etc",
    "passwd",
    ".csv",
    "%2e%2e",
    "&#47;",
    " ",
    "~",
    "C:",
    "\x1b[31m",
    '"',
    ";",
    "\t",
    "NUL",
    ".",
]
hostile_names = st.one_of(
    st.lists(st.sampled_from(NAME_PIECES), min_size=1, max_size=12).map("".join),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40),
    st.integers(256, 3000).map(lambda size: "n" * size + ".csv"),
)
SERVER_PATH = re.compile(r"submissions/tiny-1d/\d+/[0-9a-f]{32}\.csv")


def files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file() and "sqlite3" not in path.name}


@hostile_settings(120)
@given(name=hostile_names, encoded=st.booleans())
def test_hostile_file_names_are_harmless(name, encoded, student_api, tiny):
    var_dir, media = Path(settings.MEDIA_ROOT).parent, Path(settings.MEDIA_ROOT).resolve()
    before = files_under(var_dir)
    plain = not encoded and not re.search(r'[\r\n"\\]', name)  # what a quoted name can carry
    response = post(
        student_api, "tiny-1d", multipart(perfect_submission(), name, encoded_name=not plain)
    )
    if response.status_code != 201:  # a name cleaned down to nothing, or headers too long
        assert_refused_with_a_message(response, 400)
        assert files_under(var_dir) == before
        return
    submission = Submission.objects.get(pk=response.json()["id"])
    stored = Path(submission.file.path).resolve()
    assert stored.is_relative_to(media) and SERVER_PATH.fullmatch(submission.file.name)
    assert files_under(var_dir) - before == {Path(submission.file.path)}
    assert stored.read_bytes() == perfect_submission()
    check_display_name(submission.file_name)
    assert response.json()["file_name"] == submission.file_name
    download = student_api.get(f"/api/submissions/{submission.pk}/file/")
    assert download.status_code == 200
    assert not re.search(r"[\x00-\x1f\x7f]", download["Content-Disposition"])


def check_display_name(shown: str) -> None:
    assert 0 < len(shown) <= 255 and shown == shown.strip()
    assert "/" not in shown and "\\" not in shown
    assert not [ch for ch in shown if unicodedata.category(ch)[0] == "C"]  # RTL marks too


@pytest.mark.parametrize("name", [".. ", ". ", "..\u200b"])
def test_a_name_of_dots_is_not_shown_as_a_folder(name, student_api, tiny):
    response = post(student_api, "tiny-1d", multipart(perfect_submission(), name))
    if response.status_code == 400:  # Django's parser itself drops a file named like a folder
        assert response.json()["code"] == "file_missing"
    else:
        assert response.json()["file_name"] == "submission.csv"


# --- CSV exports: no cell a spreadsheet would run -----------------------------------------

NO_NUL = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")  # PostgreSQL
formula_like = st.builds(
    lambda lead, start, rest: lead + start + rest,
    st.sampled_from(["", " ", "   ", '"', "'", ' "', '" ', "\u00a0", "\u3000", "\n", "\t "]),
    st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\r\n"]),
    st.text(NO_NUL, max_size=30),
)
hostile_texts = st.one_of(formula_like, formula_like, st.text(NO_NUL, max_size=30))
FORMULA_CHARS = ("=", "+", "-", "@")


def evaluated(cell: str) -> bool:
    """Whether a spreadsheet could take the cell for a formula: some trim leading spaces and
    quote marks first. A leading apostrophe makes any cell text."""
    if cell.startswith("'"):
        return False
    return cell.startswith(("\t", "\r")) or cell.lstrip().lstrip("\"'").lstrip().startswith(
        FORMULA_CHARS
    )


def assert_inert(text: str, numeric: set[str]) -> list[list[str]]:
    header, *rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    for row in rows:
        assert len(row) == len(header), row  # no value broke out of its cell
        for column, cell in zip(header, row, strict=True):
            assert column in numeric or not evaluated(cell), (column, cell)
    return rows


@pytest.fixture
def counter():
    return iter(range(10**6))


def hostile_student(django_user_model, counter, texts: tuple[str, str, str, str]):
    first, last, username, display = texts
    n = next(counter)
    user = django_user_model.objects.create(
        username=f"{username[:140]}{n}",
        first_name=first[:150],
        last_name=last[:150],
        email=f"s{n}@example.com",
    )
    Competitor.objects.create(user=user, display_name=f"{display[:34]}{n:06d}")
    return user


@hostile_settings(100)
@given(texts=st.tuples(hostile_texts, hostile_texts, hostile_texts, hostile_texts))
def test_names_never_make_a_formula_in_the_leaderboard_download(
    texts, api_client, instructor, student, challenge, django_user_model, counter
):
    user = hostile_student(django_user_model, counter, texts)
    scored_submission(challenge, user, 0.5, 0.25)
    scored_submission(challenge, instructor, 0.1, 0.1, is_baseline=True, description=texts[0])
    numeric = {"Rank", "Score", "SubmissionCount"}
    for viewer in (student, instructor):  # display names; real names and usernames
        api_client.force_authenticate(viewer)
        for split in ("public", "private"):
            response = api_client.get(
                "/api/challenges/tiny-1d/leaderboard/download/", {"split": split}
            )
            if response.status_code == 403:  # the private board before the reveal
                continue
            assert response.status_code == 200
            assert_inert(response.content.decode(), numeric)


@hostile_settings(100)
@given(texts=st.tuples(hostile_texts, hostile_texts, hostile_texts, hostile_texts))
def test_names_never_make_a_formula_in_the_gradebook_csv(
    texts, client, instructor, challenge, django_user_model, counter
):
    user = hostile_student(django_user_model, counter, texts)
    scored_submission(challenge, user, 0.5, 0.25)
    client.force_login(instructor)
    response = client.get("/grades/export.csv")
    assert response.status_code == 200
    numeric = {"tiny-1d", "challenge_points", "project_mark", "project_points", "final_points"}
    rows = assert_inert(response.content.decode(), numeric)
    mine = next(row for row in rows if row[0] in {user.username, "'" + user.username})
    assert mine[2] in {user.first_name, "'" + user.first_name}  # defused, not mangled
