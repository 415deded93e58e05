"""The challenge page as four tabs, each its own URL: the whole page for a plain request,
only the tab's body for an htmx tab switch; the upload posts to the Submissions tab and
comes back there (Post/Redirect/Get) with the outcome at the top."""

import re

import pytest
from django.utils import timezone

from challenges.models import Submission
from challenges.submissions import judge
from tests.bundles import constant_submission
from tests.conftest import csv_upload
from tests.factories import scored_submission

pytestmark = pytest.mark.django_db

BASE = "/challenges/tiny-1d/"
TABS = {
    "": "Predict <strong>y</strong>",  # Overview: the rendered description
    "data/": "sample_submission.csv",
    "submissions/": 'id="upload-form"',
    "leaderboard/": 'class="leaderboard"',
}
TAB_SWITCH = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "tab-body"}
WRONG_HEADER = b"id,prediction\n" + constant_submission(0.5).split(b"\n", 1)[1]


def page(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def submission_rows(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-submission="(\d+)"', html)]


@pytest.mark.parametrize("tab", list(TABS))
def test_each_tab_is_a_whole_page_with_the_header_and_the_tab_bar(student_client, challenge, tab):
    html = page(student_client, BASE + tab)
    assert "<html" in html and 'id="tab-body"' in html and TABS[tab] in html
    assert 'id="submit-button"' in html and 'id="status-strip"' in html
    active = re.search(r'<a href="([^"]+)"[^>]*class="active" aria-current="page"', html)
    assert active and active.group(1) == BASE + tab


@pytest.mark.parametrize("tab", list(TABS))
def test_a_tab_switch_by_htmx_gets_only_the_tab_body_and_the_tab_bar(
    student_client, challenge, tab
):
    response = student_client.get(BASE + tab, **TAB_SWITCH)
    html = response.content.decode()
    assert "<html" not in html and 'id="submit-button"' not in html
    assert TABS[tab] in html
    assert re.search(r'<nav class="tabs"[^>]*hx-swap-oob="true"', html)  # the active tab moves
    assert html.startswith("<title>")
    assert "HX-Request" in response["Vary"]  # the browser must not cache one for the other


def test_the_back_buttons_history_restore_gets_the_whole_page(student_client, challenge):
    html = page(
        student_client, BASE + "data/", HTTP_HX_HISTORY_RESTORE_REQUEST="true", **TAB_SWITCH
    )
    assert "<html" in html and 'id="tab-body"' in html


def test_tab_links_are_plain_links_that_htmx_enhances(student_client, challenge):
    html = page(student_client, BASE)
    for tab in TABS:
        assert f'<a href="{BASE}{tab}" hx-get="{BASE}{tab}"' in html
    assert 'hx-target="#tab-body" hx-push-url="true"' in html


def test_the_overview_url_no_longer_takes_uploads(student_client, challenge):
    response = student_client.post(BASE, {"file": csv_upload(constant_submission(0.5))})
    assert response.status_code == 405
    assert not Submission.objects.exists()


def test_an_upload_redirects_to_the_submissions_tab_with_the_new_row_first(
    student_client, challenge, student
):
    older = scored_submission(challenge, student, 0.5, 0.5, minutes_ago=5)
    response = student_client.post(
        BASE + "submissions/",
        {"file": csv_upload(constant_submission(0.0)), "description": "zeros"},
    )
    new = Submission.objects.exclude(pk=older.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}submissions/?new={new.pk}"
    html = page(student_client, response["Location"])
    assert submission_rows(html) == [new.pk, older.pk]
    notice = html[html.index('id="submit-notice"') : html.index('id="upload-form"')]
    assert f"Submission #{new.pk} received; it is being scored." in notice
    assert 'class="flash info"' in notice  # not a success banner: nothing is scored yet
    assert f'hx-get="/challenges/tiny-1d/my-submissions/?new={new.pk}"' in html  # live status


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a CSV file to upload."),
        ({"file": csv_upload(b"")}, "The file is empty."),
    ],
)
def test_a_refused_upload_says_why_above_the_form(student_client, challenge, data, message):
    response = student_client.post(BASE + "submissions/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html[html.index('id="tab-body"') : html.index('id="upload-form"')]
    assert not Submission.objects.exists()


def test_a_used_up_daily_limit_is_shown_above_the_form(student_client, challenge, student):
    challenge.daily_limit = 1
    challenge.save()
    scored_submission(challenge, student, 0.5, 0.5)
    response = student_client.post(BASE + "submissions/", {"file": csv_upload(b"id,y\n1,2\n")})
    html = response.content.decode()
    top = html[html.index('id="tab-body"') : html.index('id="upload-form"')]
    assert response.status_code == 400 and "You have used all 1 submissions" in top
    assert Submission.objects.count() == 1


def test_a_file_over_the_size_limit_is_shown_above_the_form(settings, student_client, challenge):
    settings.SUBMISSION_MAX_BYTES = 1024 * 1024
    big = b"id,y\n" + b"1,0.5\n" * (1024 * 1024 // 6 + 10)
    response = student_client.post(BASE + "submissions/", {"file": csv_upload(big)})
    html = response.content.decode()
    top = html[html.index('id="tab-body"') : html.index('id="upload-form"')]
    assert response.status_code == 400 and "The file is too large" in top


def test_the_empty_form_cannot_be_sent_from_the_browser(student_client, challenge):
    html = page(student_client, BASE + "submissions/")
    assert re.search(r'<input type="file" name="file"[^>]*required', html)


def test_a_refused_file_gets_no_success_banner_and_does_not_count(
    student_client, challenge, student
):
    response = student_client.post(BASE + "submissions/", {"file": csv_upload(WRONG_HEADER)})
    new = Submission.objects.get()
    judge.submission_score(submission_id=new.pk)
    html = page(student_client, response["Location"])
    notice = html[html.index('id="submit-notice"') : html.index('id="upload-form"')]
    assert 'data-outcome="failed"' in notice and 'class="flash error"' in notice
    assert "does not count against your daily limit: 5 left today" in notice
    assert 'data-outcome="scored"' not in html and "flash success" not in html
    assert "<strong>5</strong> left today · resets 00:00 CET" in html


def test_the_polled_list_refreshes_the_headers_numbers_and_the_outcome(
    student_client, challenge, student
):
    response = student_client.post(
        BASE + "submissions/", {"file": csv_upload(constant_submission(0.0))}
    )
    new = Submission.objects.get()
    poll = f"{BASE}my-submissions/?new={new.pk}"
    before = page(student_client, poll, HTTP_HX_REQUEST="true")
    assert 'data-strip="left-today">4<' in before and "every 1s" in before
    assert 'data-outcome="checking"' in before
    judge.submission_score(submission_id=new.pk)
    after = page(student_client, poll, HTTP_HX_REQUEST="true")
    for element in ("status-strip", "quota-line", "submit-notice"):
        assert re.search(rf'id="{element}"[^>]*hx-swap-oob="true"', after)
    assert 'data-strip="public-rank">#1 of 1<' in after
    assert 'data-outcome="scored"' in after and "your rank: <strong>#1 of 1</strong>" in after
    assert "every 1s" not in after
    assert response["Location"].endswith(f"?new={new.pk}")


def test_a_failed_submission_takes_one_row_with_its_problems_grouped(
    student_client, challenge, student
):
    problems = [f"Unknown id '{900 + i}' on line {i + 2}" for i in range(10)]
    Submission.objects.filter(pk=scored_submission(challenge, student, 0.5, 0.5).pk).update(
        status="failed", error="\n".join([*problems, "and 1980 more problems"])
    )
    html = page(student_client, BASE + "submissions/")
    assert len(re.findall(r"<tr[ >]", html)) == 2  # the header and the one row
    assert "<details><summary>Unknown id &#x27;900&#x27; on line 2" in html
    assert "(+1989 more)" in html and "Unknown id (1,990 rows)" in html


def test_a_long_list_shows_the_latest_twenty_and_a_link_to_all(student_client, challenge, student):
    for minutes in range(25):
        scored_submission(challenge, student, 0.5, 0.5, minutes_ago=minutes)
    latest = list(Submission.objects.order_by("-created_at").values_list("pk", flat=True))
    html = page(student_client, BASE + "submissions/")
    assert submission_rows(html) == latest[:20]
    assert f'href="{BASE}submissions/?all=1"' in html
    assert submission_rows(page(student_client, BASE + "submissions/?all=1")) == latest


def test_opening_the_chart_url_gives_the_styled_overview(student_client, challenge, student):
    scored_submission(challenge, student, 0.5, 0.5)
    html = page(student_client, BASE + "chart/")
    assert "<html" in html and "css/challenge.css" in html and 'id="challenge-tabs"' in html
    assert '<section class="card" id="chart"><h2>Progress</h2>' in html
    fragment = page(student_client, BASE + "chart/", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment and fragment.startswith("<h2>Progress</h2>")


def test_the_leaderboard_tab_right_aligns_numbers_with_their_headers(
    client, challenge, student, other_student, instructor
):
    scored_submission(challenge, student, 0.25, 0.125)
    scored_submission(challenge, other_student, 0.5, 0.0625)
    Submission.objects.update(private_ci_low=0.05, private_ci_high=0.15)
    from challenges.boards.standings import refresh_standings

    refresh_standings(challenge=challenge)
    client.force_login(instructor)
    html = page(client, BASE + "leaderboard/?split=private")
    assert '<th class="num">Score</th>' in html and '<th class="num">95 % CI</th>' in html
    assert '<td class="move" title="public #2 → private #1">▲1</td>' in html
    assert '<td class="move" title="public #1 → private #2">▼1</td>' in html
    assert "± 0.05" in html


def test_rescoring_asks_for_confirmation_with_the_count(client, challenge, student, instructor):
    scored_submission(challenge, student, 0.25, 0.75)
    scored_submission(challenge, student, 0.5, 0.75)
    client.force_login(instructor)
    overview = page(client, BASE)
    assert (
        f'href="{BASE}rescore/"' in overview
        and 'action="/challenges/tiny-1d/rescore/"' not in overview
    )
    confirm = page(client, BASE + "rescore/")
    assert "Rescore 2 submissions" in confirm and 'method="post"' in confirm
    assert Submission.objects.filter(status="queued").count() == 0  # asking changes nothing
    response = client.post(BASE + "rescore/")
    assert response.status_code == 302 and Submission.objects.filter(status="queued").count() == 2


def test_a_student_cannot_see_the_rescore_confirmation(student_client, challenge):
    assert student_client.get(BASE + "rescore/").status_code == 404


def test_dates_name_the_course_zone_in_one_format(student_client, challenge, student):
    scored_submission(challenge, student, 0.25, 0.75)
    challenge.deadline = timezone.make_aware(timezone.datetime(2026, 12, 6, 17, 0))
    challenge.save()
    html = page(student_client, BASE)
    assert "6 Dec 2026, 17:00 CET" in html and "6 Dec 2026, 16:00 UTC" in html


# --- an instructor's view of what students sent ---------------------------------------------


def failed_upload(challenge, user, error: str) -> Submission:
    return Submission.objects.create(
        challenge=challenge, user=user, file_name="bad.csv", size=5, status="failed", error=error
    )


def test_an_instructor_sees_the_students_latest_submissions_and_why_files_failed(
    client, challenge, student, instructor
):
    failed = failed_upload(challenge, student, "Required column 'y' could not be found")
    scored_submission(challenge, student, 0.25, 0.75)
    client.force_login(instructor)
    section = page(client, BASE + "submissions/").split('id="latest-submissions"')[1]
    assert "alice" in section and "Required column &#x27;y&#x27; could not be found" in section
    assert f"/admin/challenges/submission/{failed.pk}/change/" in section
    assert section.count('<tr class="status-') == 2


def test_a_student_sees_nobody_elses_submissions(student_client, challenge, student, other_student):
    from django.core.exceptions import PermissionDenied

    from challenges import selectors

    failed_upload(challenge, other_student, "Unknown id 'x' on line 2")
    html = page(student_client, BASE + "submissions/")
    assert 'id="latest-submissions"' not in html and "Unknown id" not in html
    with pytest.raises(PermissionDenied):
        selectors.latest_submissions(challenge=challenge, user=student)
