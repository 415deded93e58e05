"""The personal status strip (best public score, rank "#k of n", finals, left today, deadline;
after the reveal the private score and rank) on the challenge page and on each card of the
list, and the presentation helpers of the challenge pages (pure: no database)."""

from datetime import UTC, datetime, timedelta

import pytest

from challenges.boards.leaderboards import LeaderboardRow
from challenges.boards.status import Placing, placing_on, rank_label
from challenges.templatetags.challenge_tags import (
    format_interval,
    format_score,
    group_problems,
    move_label,
    problem_count,
)

MOMENT = datetime(2030, 1, 1, tzinfo=UTC)


def board_row(user_id: int, rank: int | None, score: float, baseline: bool = False):
    return LeaderboardRow(
        rank=rank,
        team_id=f"t{user_id}",
        user_id=user_id,
        name="x",
        username="x",
        score=score,
        entries=1,
        last_submission=MOMENT,
        is_baseline=baseline,
        submission_id=user_id,
    )


# Pure: the strip's arithmetic


def test_a_rank_reads_hash_k_of_n_and_unranked_without_a_counted_submission():
    assert rank_label(5, 63) == "#5 of 63"
    assert rank_label(None, 63) == "unranked"


def test_the_placing_counts_only_ranked_rows_and_skips_baselines_of_the_same_user():
    rows = [
        board_row(7, None, 0.01, baseline=True),  # a baseline uploaded by user 7: not theirs
        board_row(1, 1, 0.1),
        board_row(7, 2, 0.2),
        board_row(3, 2, 0.2),
    ]
    assert placing_on(rows, 7) == Placing(score=0.2, rank=2, participants=3)
    assert placing_on(rows, 9) == Placing(score=None, rank=None, participants=3)
    assert placing_on(rows, 7).rank_label == "#2 of 3"


# Pure: presentation


@pytest.mark.parametrize(
    ("value", "metric", "shown"),
    [
        (0.0104532, "mse", "0.01045"),
        (0.680805, "mse", "0.6808"),
        (0.00301162, "rmse", "0.003012"),
        (12.3456, "mae", "12.35"),
        (12345.6, "mse", "12346"),
        (0.25, "mse", "0.2500"),
        (0.232, "mse", "0.2320"),
        (0.0, "mse", "0"),
        (0.93, "accuracy", "0.9300"),
        (None, "mse", "—"),
    ],
)
def test_scores_show_four_significant_digits_or_four_places_for_bounded_metrics(
    value, metric, shown
):
    assert format_score(value, metric) == shown


def test_an_interval_is_shown_as_plus_minus_its_half_width():
    assert format_interval(0.1, 0.3, "mse") == "± 0.1000"
    assert format_interval(None, 0.3, "mse") == ""


def test_the_move_reads_as_arrows_and_a_dash():
    assert [move_label(3, True), move_label(-2, True), move_label(0, True)] == ["▲3", "▼2", "–"]
    assert move_label(None, True) == "new" and move_label(None, False) == ""


def test_repeated_problems_are_grouped_by_kind_with_the_uncounted_rest():
    error = "\n".join(
        [f"Unknown id '{i}' on line {i}" for i in range(10)] + ["and 1980 more problems"]
    )
    (group,) = group_problems(error)
    assert (group.label, group.example) == ("Unknown id (1,990 rows)", "Unknown id '0' on line 0")
    assert problem_count(error) == 1990


def test_problems_of_several_kinds_keep_the_rest_apart():
    error = "\n".join(
        [
            "Column 'y' line 3: 'abc' is not a number",
            "Column 'y' line 4: 'x' is not a number",
            "Duplicate id '5' on lines 6 and 7",
            "and 40 more problems",
        ]
    )
    labels = [group.label for group in group_problems(error)]
    assert labels == [
        "Column 'y': not a number (2 rows)",
        "Duplicate id",
        "More problems (40 rows)",
    ]


def test_a_single_message_is_its_own_group():
    (group,) = group_problems("Submission must have 20 rows (found 19)")
    assert group.label == "Submission must have 20 rows (found 19)" and group.count == 1
    assert group_problems("") == []


# Through the database


@pytest.mark.django_db
class TestStrip:
    def test_the_challenge_page_shows_best_score_rank_finals_and_left_today(
        self, student_client, challenge, student, other_student
    ):
        from tests.factories import scored_submission

        scored_submission(challenge, other_student, 0.1, 0.9)
        scored_submission(challenge, student, 0.3, 0.2, is_final=True)
        scored_submission(challenge, student, 0.25, 0.5)
        html = student_client.get("/challenges/tiny-1d/").content.decode()
        assert 'data-strip="public-score">0.2500<' in html
        assert 'data-strip="public-rank">#2 of 2<' in html
        assert 'data-strip="finals">1/2<' in html
        assert 'data-strip="left-today">3<' in html
        assert "private-rank" not in html and "0.9" not in html  # not before the reveal

    def test_after_the_reveal_the_strip_adds_the_private_score_and_rank(
        self, student_client, challenge, student, other_student
    ):
        from django.utils import timezone

        from tests.factories import scored_submission

        scored_submission(challenge, other_student, 0.1, 0.9, minutes_ago=120)
        scored_submission(challenge, student, 0.3, 0.2, minutes_ago=120)
        challenge.deadline = timezone.now() - timedelta(hours=1)
        challenge.save()
        html = student_client.get("/challenges/tiny-1d/").content.decode()
        assert 'data-strip="private-score">0.2000<' in html
        assert 'data-strip="private-rank">#1 of 2<' in html
        assert 'data-strip="public-rank">#2 of 2<' in html

    def test_instructors_get_a_note_instead_of_a_strip(self, client, challenge, instructor):
        client.force_login(instructor)
        for url in ("/", "/challenges/tiny-1d/"):
            html = client.get(url).content.decode()
            assert "Instructor: not ranked, no limits." in html and "data-strip=" not in html

    def test_each_card_of_the_list_has_its_strip(
        self, student_client, challenge, student, other_student, tmp_path
    ):
        from tests.bundles import write_tiny_bundle
        from tests.factories import scored_submission

        second = import_challenge(write_tiny_bundle(tmp_path, slug="tiny-2"))
        scored_submission(challenge, student, 0.3, 0.2)
        scored_submission(second, other_student, 0.1, 0.2)
        scored_submission(second, student, 0.2, 0.2)
        html = student_client.get("/").content.decode()
        first_card, second_card = cards(html, "tiny-1d"), cards(html, "tiny-2")
        assert 'data-strip="public-rank">#1 of 1<' in first_card
        assert 'data-strip="public-rank">#2 of 2<' in second_card
        assert 'data-strip="left-today">4<' in first_card and 'data-strip="deadline"' in first_card

    def test_the_list_adds_a_small_constant_of_queries_per_card(
        self, student_client, challenge, student, tmp_path, django_assert_max_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from tests.bundles import write_tiny_bundle

        with CaptureQueriesContext(connection) as one:
            student_client.get("/")
        for n in range(4):
            import_challenge(write_tiny_bundle(tmp_path, slug=f"more-{n}"))
        with django_assert_max_num_queries(len(one.captured_queries) + 4 * 2):
            html = student_client.get("/").content.decode()
        assert html.count('class="status-strip"') == 5


def import_challenge(bundle):
    from challenges.bundles.importing import challenge_import
    from challenges.bundles.reader import read_bundle

    return challenge_import(bundle=read_bundle(bundle)).challenge


def cards(html: str, slug: str) -> str:
    start = html.index(f'data-challenge="{slug}"')
    end = html.find("</article>", start)
    return html[start:end]
