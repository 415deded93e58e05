"""SVG charts of a challenge: pure, no database. Each SVG is parsed as XML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from challenges.boards.chart_axes import nice_step, time_step, time_ticks
from challenges.boards.charts import Baseline, best_over_time, histogram_svg, progress_svg
from tests.factories import scored_submission

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2023, 3, 1, 12, 0, tzinfo=UTC)
PRAGUE = ZoneInfo("Europe/Prague")


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def markers(root: ET.Element) -> list[tuple[float, float]]:
    return [(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(f"{SVG}circle")]


def step_path(root: ET.Element) -> str:
    return next(p for p in root.iter(f"{SVG}path") if p.get("class") == "best").get("d")


# --- best over time ------------------------------------------------------------------------


def test_the_best_so_far_keeps_only_new_bests_in_time_order():
    points = [(at(2), 0.5), (at(0), 0.9), (at(1), 0.95), (at(3), 0.4), (at(4), 0.7)]
    assert best_over_time(points, higher_is_better=False) == [
        (at(0), 0.9),
        (at(2), 0.5),
        (at(3), 0.4),
    ]
    assert best_over_time(points, higher_is_better=True) == [(at(0), 0.9), (at(1), 0.95)]


def test_a_tie_with_the_best_is_not_a_new_best():
    assert best_over_time([(at(0), 0.5), (at(1), 0.5)], higher_is_better=True) == [(at(0), 0.5)]


def test_missing_and_infinite_scores_are_left_out():
    points = [(at(0), float("nan")), (at(1), float("inf")), (at(2), 0.3)]
    assert best_over_time(points, higher_is_better=False) == [(at(2), 0.3)]


# --- progress chart --------------------------------------------------------------------------


def test_the_progress_chart_is_named_and_summarised():
    root = parse(
        progress_svg(
            [(at(0), 0.9), (at(5), 0.4)], higher_is_better=False, metric_label="MSE", tz=PRAGUE
        )
    )
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Best public MSE over time"
    assert root.find(f"{SVG}title").text == "Best public MSE over time"
    desc = root.find(f"{SVG}desc").text
    assert "2 scored submissions" in desc and "0.4" in desc and "lower is better" in desc
    assert "2023-03-01 18:00 Europe/Prague" in desc  # 17:00 UTC shown in Prague time


def test_markers_move_right_with_time_and_up_with_the_score():
    points = [(at(0), 0.5), (at(1), 0.6), (at(3), 0.8), (at(7), 0.95)]
    positions = markers(parse(progress_svg(points, higher_is_better=True)))
    xs, ys = zip(*positions, strict=True)
    assert list(xs) == sorted(xs) and len(set(xs)) == 4
    assert list(ys) == sorted(ys, reverse=True) and len(set(ys)) == 4  # SVG y grows downwards


def test_the_step_line_runs_to_the_last_submission():
    points = [(at(0), 0.5), (at(1), 0.3), (at(10), 0.9)]
    root = parse(progress_svg(points, higher_is_better=False))
    path = step_path(root)
    assert path.startswith("M") and path.count("V") == 1
    last_x = float(re.findall(r"H([\d.]+)", path)[-1])
    assert last_x > max(x for x, _ in markers(root))


def test_a_lower_is_better_score_is_drawn_lower_when_smaller():
    root = parse(progress_svg([(at(0), 0.9), (at(1), 0.1)], higher_is_better=False))
    (_, first_y), (_, second_y) = markers(root)
    assert second_y > first_y


def test_baselines_are_dashed_horizontal_lines_with_their_labels():
    root = parse(
        progress_svg(
            [(at(0), 0.9), (at(1), 0.5)],
            higher_is_better=False,
            baselines=[Baseline("Linear", 0.7), Baseline("Zero", 2.0)],
        )
    )
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "baseline"]
    assert len(groups) == 2
    for group in groups:
        line = group.find(f"{SVG}line")
        assert line.get("y1") == line.get("y2") and line.get("stroke-dasharray")
    assert "Linear (0.7)" in texts(root) and "Zero (2)" in texts(root)
    assert "Baselines: Linear: 0.7; Zero: 2." in root.find(f"{SVG}desc").text


def test_baselines_without_a_score_are_left_out():
    root = parse(
        progress_svg(
            [(at(0), 0.9)], higher_is_better=False, baselines=[Baseline("Unscored", float("nan"))]
        )
    )
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") == "baseline"]


def test_labels_are_escaped():
    label = '<script>alert("x")</script> & co'
    svg = progress_svg(
        [(at(0), 1.0)], higher_is_better=True, metric_label="a<b>", baselines=[Baseline(label, 0.5)]
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)  # still well-formed XML
    assert f"{label} (0.5)" in texts(root)
    assert root.get("aria-label") == "Best public a<b> over time"


def test_a_single_submission_gets_a_chart():
    root = parse(progress_svg([(at(0), 0.42)], higher_is_better=False))
    assert len(markers(root)) == 1
    assert len(texts(root)) > 3  # ticks on both axes


def test_no_submissions_give_a_small_message():
    root = parse(progress_svg([], higher_is_better=False))
    assert "No submissions yet" in texts(root)
    assert root.find(f"{SVG}desc").text == "No submissions yet"


def test_an_mse_spanning_decades_is_drawn_on_a_log_scale():
    points = [(at(0), 100.0), (at(1), 1.0), (at(2), 0.01)]
    root = parse(progress_svg(points, higher_is_better=False))
    ys = [y for _, y in markers(root)]
    assert ys[1] - ys[0] == pytest.approx(ys[2] - ys[1], abs=0.2)  # equal steps per decade
    assert {"0.01", "1", "100"} <= set(texts(root))


def test_accuracy_stays_on_a_linear_scale():
    points = [(at(0), 0.001), (at(1), 0.5), (at(2), 0.999)]
    ys = [y for _, y in markers(parse(progress_svg(points, higher_is_better=True)))]
    assert ys[0] - ys[1] == pytest.approx(ys[1] - ys[2], abs=0.2)


def test_date_ticks_fall_on_whole_hours_or_days_in_the_zone():
    assert time_step(5 * 3600) == 3600 and time_step(4 * 86400) == 86400
    ticks = time_ticks(at(0.25).timestamp(), at(40).timestamp(), 86400, PRAGUE)  # 2 midnights
    local = [datetime.fromtimestamp(t, PRAGUE) for t in ticks]
    assert [(d.hour, d.minute) for d in local] == [(0, 0), (0, 0)]


# --- histogram -----------------------------------------------------------------------------


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]


def test_the_histogram_counts_every_participant_once():
    scores = [0.5, 0.55, 0.6, 0.62, 0.9, 0.91, 0.92]
    root = parse(histogram_svg(scores, higher_is_better=True, bins=4))
    counts = [int(b.find(f"{SVG}title").text.rsplit(": ", 1)[1]) for b in bars(root)]
    assert len(counts) == 4 and sum(counts) == 7


def test_taller_bars_hold_more_participants():
    root = parse(histogram_svg([1, 1, 1, 1, 2, 3, 3], higher_is_better=False, bins=3))
    by_count = sorted(bars(root), key=lambda b: int(b.find(f"{SVG}title").text[-1]))
    heights = [float(b.get("height")) for b in by_count]
    assert heights == sorted(heights)


def test_bars_are_placed_left_to_right_by_score():
    root = parse(histogram_svg([0.1, 0.2, 0.3, 0.4], higher_is_better=True, bins=4))
    xs = [float(b.get("x")) for b in bars(root)]
    assert xs == sorted(xs) and len(set(xs)) == 4


def test_histogram_baselines_are_vertical_marks():
    root = parse(
        histogram_svg(
            [0.6, 0.7, 0.8], higher_is_better=True, baselines=[Baseline("Sample & co", 0.5)]
        )
    )
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "baseline")
    line = group.find(f"{SVG}line")
    assert line.get("x1") == line.get("x2")
    assert "Sample & co (0.5)" in texts(root)
    assert "median 0.7" in root.find(f"{SVG}desc").text


def test_a_single_score_gets_one_bar():
    root = parse(histogram_svg([0.3], higher_is_better=False))
    assert sum(int(b.find(f"{SVG}title").text.rsplit(": ", 1)[1]) for b in bars(root)) == 1


def test_an_empty_histogram_says_so():
    assert "No submissions yet" in texts(parse(histogram_svg([], higher_is_better=True)))


def test_nice_steps_are_one_two_or_five_times_a_power_of_ten():
    assert [nice_step(span) for span in (1, 0.08, 7, 30, 0.0004)] == [0.5, 0.02, 2, 10, 0.0001]


@pytest.mark.django_db
def test_the_chart_shows_progress_and_baselines_without_scripts(
    student_client, challenge, student, other_student, make_user
):
    scored_submission(challenge, student, 0.5, 0.5, minutes_ago=60)
    scored_submission(challenge, other_student, 0.2, 0.2, minutes_ago=30)
    scored_submission(
        challenge, make_user("baseline"), 0.3, 0.3, is_baseline=True, description="MLP"
    )
    chart = "/challenges/tiny-1d/chart/"
    fragment = student_client.get(chart, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.count("<svg") == 2 and "<script" not in fragment
    assert "<html" not in fragment and "<html" in student_client.get(chart).content.decode()
    assert "Baseline: MLP" in fragment
