"""Template helpers of the challenge pages: Markdown, scores at the precision of their metric,
dates in the course zone, failed submissions' problems grouped by kind, the board's rows."""

import math
import re
from dataclasses import dataclass

import markdown as markdown_lib
import nh3
from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from vsegrader_client.problems import kind_of

from vsegrader.times import course_time, utc_time

register = template.Library()

PLOT_WIDTH, PLOT_HEIGHT, PLOT_MARGIN = 640, 280, 36
SIGNIFICANT_DIGITS = 4
# Metrics bounded by [0, 1] read best with a fixed number of places (0.9300, as on Kaggle);
# errors span magnitudes, so they keep significant digits (0.01045, 12.35).
FIXED_PLACES_METRICS = frozenset({"accuracy", "macro_f1", "roc_auc"})
MORE_PROBLEMS = re.compile(r"and (\d+) more problems?")


@register.filter
def render_markdown(text: str) -> str:
    """Markdown from a bundle, sanitised: instructors write it, but nobody's HTML runs."""
    html = markdown_lib.markdown(text or "", extensions=["tables", "fenced_code"])
    return mark_safe(nh3.clean(html))


@register.filter
def score(value) -> str:
    """A precise number (the Ladder's thresholds, for instructors): six significant digits."""
    if value is None:
        return "—"
    return f"{value:.6g}"


def significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> str:
    """`digits` significant digits without an exponent for everyday magnitudes: 0.01045,
    0.6808, 12.35, 12346, 0.2500; trailing zeros kept, so that a column of scores lines up
    and every score on a page has the same precision."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    exponent = math.floor(math.log10(abs(value)))
    if exponent < -4:
        return f"{value:.{digits - 1}e}"
    return f"{value:.{max(digits - 1 - exponent, 0)}f}"


def format_score(value: float | None, metric: str = "") -> str:
    """A score at its metric's precision, the same for every score on a page."""
    if value is None:
        return "—"
    if metric in FIXED_PLACES_METRICS:
        return f"{value:.{SIGNIFICANT_DIGITS}f}"
    return significant(value)


@register.filter
def metric_score(value, metric: str = "") -> str:
    """`{{ s.public_score|metric_score:challenge.metric }}`"""
    return format_score(value, metric)


@register.simple_tag
def interval(low, high, metric: str = "") -> str:
    """A private score's 95 % interval as its half-width: `{% interval lo hi metric %}`."""
    return format_interval(low, high, metric)


def format_interval(low: float | None, high: float | None, metric: str = "") -> str:
    if low is None or high is None:
        return ""
    return f"± {format_score((high - low) / 2, metric)}"


@register.filter
def when(value) -> str:
    """One date format for the challenge pages, the course zone named: 6 Dec 2026, 17:00 CET."""
    return course_time(value)


@register.filter
def utc_when(value) -> str:
    """The same moment in UTC, for students abroad: 15 Mar 2030, 16:00 UTC."""
    return utc_time(value)


@dataclass(frozen=True)
class ProblemGroup:
    kind: str  # "Unknown id", "Column 'y': not a number"
    count: int  # rows with this problem
    example: str  # the first message of this kind, as the checker worded it

    @property
    def label(self) -> str:
        rows = f" ({self.count:,} rows)" if self.count > 1 else ""
        return f"{self.kind}{rows}"


def group_problems(error: str) -> list[ProblemGroup]:
    """A failed submission's stored messages (one a line, at most ten, then "and N more
    problems") grouped by kind with counts. The uncounted rest belongs to the kind of the
    shown messages when they share one (the checker describes the first rows of a kind and
    counts the others); otherwise it stays a group of its own."""
    lines = [line.strip() for line in (error or "").splitlines() if line.strip()]
    more = 0
    if lines and (match := MORE_PROBLEMS.fullmatch(lines[-1])):
        more = int(match.group(1))
        lines = lines[:-1]
    counts: dict[str, int] = {}
    examples: dict[str, str] = {}
    for line in lines:
        kind = kind_of(line)
        counts[kind] = counts.get(kind, 0) + 1
        examples.setdefault(kind, line)
    if more and len(counts) == 1:
        (only,) = counts
        counts[only] += more
    elif more:
        counts["More problems"] = more
        examples["More problems"] = lines[-1] if lines else ""
    return [ProblemGroup(_capitalised(kind), n, examples[kind]) for kind, n in counts.items()]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


@register.filter
def problem_groups(error: str) -> list[ProblemGroup]:
    return group_problems(error)


def problem_count(error: str) -> int:
    """How many problems a stored message reports, "and N more problems" included."""
    return sum(group.count for group in group_problems(error))


register.filter("problem_count", problem_count)


@register.filter
def first_line(text: str) -> str:
    return (text or "").strip().split("\n", 1)[0]


@register.simple_tag
def leaderboard_rows(rows, split: str, is_instructor: bool, viewer_id: int, metric: str = ""):
    """The rows of a leaderboard, built in Python: a board of 1,000 participants through the
    template language would take several times longer than everything else on the page."""
    private = split == "private"
    return format_html_join(
        "\n",
        "{}",
        ((_board_row(row, private, is_instructor, viewer_id, metric),) for row in rows),
    )


def _board_row(row, private: bool, is_instructor: bool, viewer_id: int, metric: str) -> str:
    classes = "baseline" if row.is_baseline else ("me" if row.user_id == viewer_id else "")
    cells = [format_html('<td class="num">{}</td>', row.rank or "—")]
    if private:
        cells.append(format_html('<td class="move" title="{}">{}</td>', *_move(row)))
    badge = mark_safe(' <span class="pill">baseline</span>') if row.is_baseline else ""
    cells.append(format_html("<td>{}{}</td>", row.name, badge))
    # the score beside the name: on a phone the columns after it scroll out of sight
    cells.append(format_html('<td class="num">{}</td>', format_score(row.score, metric)))
    if is_instructor and private:
        shown = format_interval(row.ci_low, row.ci_high, metric)
        cells.append(format_html('<td class="num muted nowrap">{}</td>', shown))
    if is_instructor:
        cells.append(format_html("<td>{}</td>", "" if row.is_baseline else row.username))
    cells.append(format_html('<td class="num">{}</td>', row.entries))
    cells.append(format_html('<td class="nowrap">{}</td>', when(row.last_submission)))
    return format_html('<tr class="{}">{}</tr>', classes, mark_safe("".join(cells)))


def move_label(move: int | None, ranked: bool) -> str:
    """Places gained from the public to the private board: ▲3, ▼2, – (none); "new" for a
    ranked team that had no public rank."""
    if move is None:
        return "new" if ranked else ""
    if move == 0:
        return "–"
    return f"▲{move}" if move > 0 else f"▼{-move}"


def _move(row) -> tuple[str, str]:
    title = f"public #{row.public_rank} → private #{row.rank}" if row.move is not None else ""
    return title, move_label(row.move, bool(row.rank))


def scale(value: float, low: float, high: float, size: float) -> float:
    span = (high - low) or 1.0
    return PLOT_MARGIN + (value - low) / span * (size - 2 * PLOT_MARGIN)


@register.inclusion_tag("challenges/_xy_plot.html")
def xy_plot(preview: dict) -> dict:
    (x_low, x_high), (y_low, y_high) = preview["x_range"], preview["y_range"]
    points = [
        (
            round(scale(x, x_low, x_high, PLOT_WIDTH), 1),
            round(PLOT_HEIGHT - scale(y, y_low, y_high, PLOT_HEIGHT), 1),
        )
        for x, y in preview["points"]
    ]
    return {
        "points": points,
        "width": PLOT_WIDTH,
        "height": PLOT_HEIGHT,
        "margin": PLOT_MARGIN,
        "preview": preview,
        "bottom": PLOT_HEIGHT - PLOT_MARGIN,
        "right": PLOT_WIDTH - PLOT_MARGIN,
    }
