"""Grading rules edited as a form (/grades/rules/<slug>/): the rule type, tiers as rows and
top K; problems said in words; a preview of the marks on the current final board; and a
warning when the sample submission (it predicts 0 for every row of the tiny challenge:
private MSE ≈ 42) would earn marks under the rule.

Five students on tiny-1d (MSE, lower is better), private scores 0.005, 0.05, 0.5, 2 and 50:
the sample ranks 5th of 6."""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.factories import scored_submission
from vsegrader.course import grading
from vsegrader.course.rule_editor import RuleEditor

SCORES = {"anna": 0.005, "ben": 0.05, "cyril": 0.5, "dora": 2.0, "emil": 50.0}
TIERS = [[1.0, 0.5], [0.1, 0.7], [0.01, 0.9]]


def post_data(rule="tiers", tiers=(), **fields) -> dict:
    rows = list(tiers) + [("", "")] * 2
    data = {
        "rule": rule,
        "boundary": fields.pop("boundary", "strict"),
        "full_marks_top": fields.pop("full_marks_top", ""),
        "target": fields.pop("target", ""),
        "zero": fields.pop("zero", ""),
        "action": fields.pop("action", "preview"),
        "tiers-TOTAL_FORMS": str(len(rows)),
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "20",
    }
    for index, (threshold, mark) in enumerate(rows):
        data[f"tiers-{index}-threshold"] = str(threshold)
        data[f"tiers-{index}-mark"] = str(mark)
    assert not fields, fields
    return data


def editor(data, higher_is_better=False) -> RuleEditor:
    challenge = SimpleNamespace(grading={}, higher_is_better=higher_is_better)
    return RuleEditor(data, challenge=challenge)


# --- pure: the checks, without the database ------------------------------------------------


def test_well_ordered_tiers_have_no_problem_in_either_direction():
    assert grading.tier_problems([(1.0, 0.5), (0.1, 0.7)], higher_is_better=False) == []
    assert grading.tier_problems([(0.9, 0.8), (0.5, 0.3)], higher_is_better=True) == []


def test_a_threshold_given_twice_is_an_overlap():
    problems = grading.tier_problems([(1.0, 0.5), (0.1, 0.7), (0.1, 0.9)], higher_is_better=False)
    assert problems[0] == "tiers 2 and 3 both use the threshold 0.1: give each threshold once"


def test_a_harder_tier_that_earns_less_would_never_apply():
    problems = grading.tier_problems([(1.0, 0.7), (0.1, 0.5)], higher_is_better=False)
    assert problems == [
        "the tier at 0.1 gives 0.5, not more than the 0.7 of the easier tier at 1, so it "
        "would never apply: give it a mark above 0.7 or remove it"
    ]
    # the same pair is fine where higher is better: 0.1 is then the easier threshold
    assert grading.tier_problems([(1.0, 0.7), (0.1, 0.5)], higher_is_better=True) == []


def test_the_form_makes_the_table_a_bundle_would_give():
    form = editor(post_data(tiers=[(0.01, 0.9), (1, 0.5), (0.1, 0.7)], full_marks_top="3"))
    assert form.is_valid(), form.problems
    assert form.table() == {
        "rule": "tiers",
        "tiers": TIERS,  # easiest first, blank rows dropped
        "boundary": "strict",
        "full_marks_top": 3,
    }
    linear = editor(post_data(rule="linear", target="0", zero="2.5"))
    assert linear.is_valid() and linear.table() == {"rule": "linear", "target": 0.0, "zero": 2.5}
    best = editor(post_data(rule="linear"))
    assert best.is_valid() and best.table() == {"rule": "linear", "target": "best"}


def messages_of(form: RuleEditor) -> list[str]:
    assert not form.is_valid()
    tier_errors = [e for tier in form.tiers.errors for errors in tier.values() for e in errors]
    field_errors = [e for errors in form.form.errors.values() for e in errors]
    return form.problems + field_errors + tier_errors


def test_a_negative_mark_is_refused_with_the_range_to_use():
    assert messages_of(editor(post_data(tiers=[(1.0, -0.5)]))) == [
        "A mark lies between 0 and 1 (the share of this challenge's marks), not -0.5."
    ]


def test_top_k_below_one_is_refused_and_says_how_to_turn_it_off():
    assert messages_of(editor(post_data(tiers=[(1.0, 0.5)], full_marks_top="0"))) == [
        "Top K must be a whole number of at least 1; leave it empty for no full marks by rank."
    ]


def test_overlapping_tiers_half_rows_and_no_tiers_are_refused_in_words():
    assert messages_of(editor(post_data(tiers=[(0.1, 0.5), (0.1, 0.7)])))[0].startswith(
        "Tiers 1 and 2 both use the threshold 0.1"
    )
    assert messages_of(editor(post_data(tiers=[(1.0, "")]))) == [
        "Give the tier's mark too, or clear its threshold."
    ]
    assert messages_of(editor(post_data())) == [
        "Give at least one tier: a threshold and the mark a score beyond it earns."
    ]
    assert messages_of(editor(post_data(rule="linear", target="top"))) == [
        "The target must be a score (a number) or empty for the best student's score, not 'top'."
    ]


def test_score_or_percentile_is_refused_where_lower_is_better():
    assert messages_of(editor(post_data(rule="score_or_percentile")))[0].startswith(
        "Rule 'score_or_percentile' needs a metric where higher is better"
    )


def test_a_reversed_or_flat_linear_rule_is_refused_naming_both_fields():
    reversed_mse = messages_of(editor(post_data(rule="linear", target="0.7", zero="0.001")))
    assert reversed_mse == [
        "Rule 'linear': the target score 0.7 (mark 1) must be better than the zero score "
        "0.001 (mark 0); lower is better on this challenge, so give a target below 0.001, "
        "or swap the two scores."
    ]
    flat = messages_of(editor(post_data(rule="linear", target="0.5", zero="0.5"), True))
    assert flat == [
        "Rule 'linear': the target score (mark 1) and the zero score (mark 0) are both 0.5; "
        "give two different scores, the target above the zero score."
    ]


# --- the page ----------------------------------------------------------------------------


@pytest.fixture
def board(challenge, make_user):
    for username, score in SCORES.items():
        scored_submission(challenge, make_user(username), score, score, minutes_ago=60)
    return challenge


@pytest.fixture
def url(challenge):
    return reverse("grading-rules-edit", args=[challenge.slug])


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


def preview_marks(page: str) -> dict[str, str]:
    """username -> the mark under the previewed rule, read from the preview table."""
    table = page[page.index('<table class="preview">') :]
    marks = {}
    for name in SCORES:
        row = table[table.index(f"<td>{name}</td>") :]
        row = row[: row.index("</tr>")]
        marks[name] = row.rsplit("<strong>", 1)[1].split("</strong>", 1)[0]
    return marks


def test_the_preview_shows_each_participants_mark_and_saves_nothing(board, instructor_client, url):
    board.grading = {"rule": "tiers", "tiers": [[1.0, 0.5]]}
    board.save()
    page = instructor_client.post(url, post_data(tiers=TIERS, full_marks_top="1"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Preview (not saved)" in text
    assert preview_marks(text) == {
        "anna": "1.000",  # rank 1: full marks, though 0.005 alone earns 0.9
        "ben": "0.700",
        "cyril": "0.500",
        "dora": "0.000",
        "emil": "0.000",
    }
    board.refresh_from_db()
    assert board.grading == {"rule": "tiers", "tiers": [[1.0, 0.5]]}


def test_the_sample_submission_earning_full_marks_under_top_10_is_a_warning(
    board, instructor_client, url
):
    page = instructor_client.post(url, post_data(tiers=TIERS, full_marks_top="10"))
    text = page.content.decode()
    assert "sample-warning" in text
    assert "would rank 5 of 6 and earn <strong>1.000</strong>" in text
    assert "sample_submission.csv" in text


def test_no_warning_when_the_rule_gives_the_sample_nothing(board, instructor_client, url):
    text = instructor_client.post(url, post_data(tiers=TIERS, full_marks_top="3")).content
    text = text.decode()
    assert "sample-warning" not in text
    assert "earns 0 under this rule" in text and "rank 5 of 6" in text


def test_saving_valid_tiers_stores_the_rule_the_gradebook_applies(board, instructor_client, url):
    data = post_data(tiers=[(0.1, 0.7), (1.0, 0.5)], boundary="inclusive", action="save")
    response = instructor_client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    board.refresh_from_db()
    assert board.grading == {
        "rule": "tiers",
        "tiers": [[1.0, 0.5], [0.1, 0.7]],
        "boundary": "inclusive",
    }
    page = instructor_client.get(url).content.decode()
    assert "Grading rule of tiny-1d saved." in page and "Preview of the saved rule" in page
    assert 'value="0.1"' in page and 'value="0.7"' in page  # the form shows the saved tiers


def test_bad_input_is_refused_with_what_to_fix_and_nothing_is_saved(board, instructor_client, url):
    board.grading = {"rule": "tiers", "tiers": [[1.0, 0.5]]}
    board.save()
    data = post_data(tiers=[(1.0, 0.7), (0.1, 0.5), (0.01, -1)], full_marks_top="0")
    response = instructor_client.post(url, {**data, "action": "save"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Fix these before the rule can be previewed or saved" in text
    assert "Tier 3, mark: A mark lies between 0 and 1" in text
    assert "Top K must be a whole number of at least 1" in text
    assert "Preview (not saved)" not in text
    board.refresh_from_db()
    assert board.grading == {"rule": "tiers", "tiers": [[1.0, 0.5]]}


def test_students_get_403_and_visitors_the_login_page(client, board, student, url):
    assert client.get(url).status_code == 302
    client.force_login(student)
    assert client.get(url).status_code == 403
    assert client.post(url, post_data(tiers=TIERS, action="save")).status_code == 403
    board.refresh_from_db()
    assert board.grading == {}


def test_the_gradebook_links_each_challenges_rule(board, instructor_client, url):
    assert f'href="{url}"' in instructor_client.get(reverse("grades")).content.decode()


def test_a_challenge_without_a_rule_says_so_and_offers_the_form(board, instructor_client, url):
    page = instructor_client.get(url).content.decode()
    assert "this challenge has no grading rule yet" in page
    assert 'name="tiers-0-threshold"' in page and 'value="preview"' in page
    assert "Preview of" not in page  # nothing to preview until a rule is given


# --- saving: a rule the board cannot carry, and a reversed linear rule ----------------------

NO_ZERO = (
    "On the current board: rule &#x27;linear&#x27; has no zero score (mark 0): none is given, "
    "and the leaderboard has no baseline to take it from; give a zero score, or train a "
    "baseline first"
)


def test_saving_linear_with_no_baseline_and_no_zero_is_refused_and_keeps_the_saved_rule(
    board, instructor_client, url
):
    board.grading = {"rule": "tiers", "tiers": [[1.0, 0.5]]}
    board.save()
    preview = instructor_client.post(url, post_data(rule="linear", target="0.01"))
    assert NO_ZERO in preview.content.decode()  # what the preview says ...
    response = instructor_client.post(url, post_data(rule="linear", target="0.01", action="save"))
    assert response.status_code == 400
    text = response.content.decode()
    assert NO_ZERO + ".</li>" in text  # ... saving says too, and saves nothing
    assert "Not saved; the saved rule stays in use." in text
    assert "Grading rule of tiny-1d saved." not in text
    assert re.search(r'value="linear"[^>]* checked', text)
    assert 'name="target" value="0.01"' in text  # nothing typed is lost
    board.refresh_from_db()
    assert board.grading == {"rule": "tiers", "tiers": [[1.0, 0.5]]}


def test_the_same_linear_rule_saves_once_a_baseline_is_on_the_board(
    board, instructor_client, url, make_user
):
    scored_submission(board, make_user("bot"), 1.0, 1.0, is_baseline=True)
    response = instructor_client.post(url, post_data(rule="linear", action="save"))
    assert response.status_code == 302
    board.refresh_from_db()
    assert board.grading == {"rule": "linear", "target": "best"}
    assert "has no zero score" not in instructor_client.get(url).content.decode()


def test_saving_a_reversed_linear_rule_is_refused_and_saves_nothing(board, instructor_client, url):
    data = post_data(rule="linear", target="0.7", zero="0.001", action="save")
    response = instructor_client.post(url, data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "must be better than the zero score 0.001 (mark 0)" in text
    assert 'name="zero" value="0.001"' in text
    board.refresh_from_db()
    assert board.grading == {}
