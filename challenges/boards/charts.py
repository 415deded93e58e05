"""Challenge-page charts as inline SVG strings: pure Python, no JavaScript, nothing from a CDN.

- `progress_svg`: the class's best public score over time, a step line that moves at each
  new best, with baselines as labelled dashed horizontal lines;
- `histogram_svg`: how the participants' current best scores are spread, with baselines as
  labelled dashed vertical lines.

Each SVG names itself (`aria-label` and `<title>`) and carries a one-paragraph text summary in
`<desc>`, so screen readers and text browsers get the facts. Every text is escaped. Scores of
lower-is-better metrics that span more than two decades are drawn on a log scale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from html import escape

from challenges.boards.chart_axes import (
    DAY,
    Axis,
    _finite,
    _log,
    count_step,
    default_bins,
    nice_step,
    time_step,
    time_ticks,
    use_log,
    value_axis,
)

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 24, 40  # margins around the plotting area
ACCENT, MUTED, BASELINE = "#1f6feb", "#667085", "#9a6700"


@dataclass(frozen=True)
class Baseline:
    label: str
    score: float


# --- the two charts ------------------------------------------------------------------------


def progress_svg(
    points: Sequence[tuple[datetime, float]],
    *,
    higher_is_better: bool,
    baselines: Sequence[Baseline] = (),
    metric_label: str = "Score",
    tz: tzinfo | None = None,
    until: datetime | None = None,
) -> str:
    """The best score so far, over time, from every scored submission's (time, score)."""
    title = f"Best public {metric_label} over time"
    steps = best_over_time(points, higher_is_better=higher_is_better)
    if not steps:
        return empty_svg(title)
    end = max(when for when, _ in points)
    end = max(until, end) if until else end
    baselines = _drawable(baselines)
    values = [score for _, score in steps] + [b.score for b in baselines]
    y = value_axis(values, HEIGHT - BOTTOM, TOP, log=use_log(values, higher_is_better))
    x = time_axis(steps[0][0], end)
    parts = [
        *_value_grid(y, f"{metric_label} ({_direction(higher_is_better)})"),
        *_time_ticks(x, tz),
        *(_horizontal_baseline(y, baseline) for baseline in baselines),
        _step_path(steps, end, x, y),
        *(_step_marker(when, score, x, y, tz) for when, score in steps),
    ]
    summary = _progress_summary(steps, baselines, metric_label, higher_is_better, tz, len(points))
    return _svg(title, summary, parts)


def histogram_svg(
    scores: Sequence[float],
    *,
    higher_is_better: bool,
    baselines: Sequence[Baseline] = (),
    metric_label: str = "Score",
    bins: int | None = None,
) -> str:
    """How many participants have their best score in each bin."""
    title = f"Distribution of current {metric_label}"
    scores = [float(s) for s in scores if _finite(s)]
    if not scores:
        return empty_svg(title)
    baselines = _drawable(baselines)
    values = scores + [b.score for b in baselines]
    x = value_axis(values, LEFT, WIDTH - RIGHT, log=use_log(values, higher_is_better))
    edges = _edges(x, bins or default_bins(len(scores)))
    counts = _histogram(scores, edges, x.log)
    step = count_step(max(counts))
    y = Axis(0, step * math.ceil(max(counts) / step), HEIGHT - BOTTOM, TOP)
    parts = [
        *_count_grid(y, step),
        *_value_ticks(x, f"{metric_label} ({_direction(higher_is_better)})"),
        *_bars(edges, counts, x, y),
        *(_vertical_baseline(x, baseline, i) for i, baseline in enumerate(baselines)),
    ]
    summary = _histogram_summary(scores, baselines, metric_label, higher_is_better)
    return _svg(title, summary, parts)


def best_over_time(
    points: Sequence[tuple[datetime, float]], *, higher_is_better: bool
) -> list[tuple[datetime, float]]:
    """The (time, score) of each submission that set a new best, in time order."""
    steps: list[tuple[datetime, float]] = []
    for when, score in sorted((p for p in points if _finite(p[1])), key=lambda p: p[0]):
        if not steps or _better(float(score), steps[-1][1], higher_is_better):
            steps.append((when, float(score)))
    return steps


def empty_svg(title: str, message: str = "No submissions yet") -> str:
    return _svg(title, message, [_text(WIDTH / 2, 36, message, "middle")], height=60)


# --- axes ------------------------------------------------------------------------------------


# --- pieces ----------------------------------------------------------------------------------


def _value_grid(y: Axis, label: str) -> list[str]:
    parts = [_axis_line(LEFT, TOP, LEFT, HEIGHT - BOTTOM), _text(8, 14, label)]
    for tick in y.ticks():
        parts.append(_grid_line(LEFT, y(tick), WIDTH - RIGHT, y(tick)))
        parts.append(_text(LEFT - 6, y(tick) + 4, _number(tick, y), "end"))
    return parts


def _time_ticks(x: Axis, tz: tzinfo | None) -> list[str]:
    parts = [_axis_line(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM)]
    step = time_step(x.high - x.low)
    pattern = "%d %b" if step >= DAY else "%d %b %H:%M"
    for moment in time_ticks(x.low, x.high, step, tz):
        label = datetime.fromtimestamp(moment, tz or UTC).strftime(pattern)
        parts.append(_tick_label(x(moment), label))
    zone = _zone_name(tz)
    parts.append(_text(WIDTH - RIGHT, HEIGHT - 6, f"time ({zone})", "end"))
    return parts


def _tick_label(position: float, label: str) -> str:
    """A label under the horizontal axis, kept inside the chart at either end."""
    if position < LEFT + 30:
        return _text(position - 4, HEIGHT - BOTTOM + 16, label, "start")
    if position > WIDTH - RIGHT - 30:
        return _text(position + 4, HEIGHT - BOTTOM + 16, label, "end")
    return _text(position, HEIGHT - BOTTOM + 16, label, "middle")


def _count_grid(y: Axis, step: int) -> list[str]:
    parts = [_axis_line(LEFT, TOP, LEFT, HEIGHT - BOTTOM), _text(8, 14, "participants")]
    for tick in range(0, int(y.high) + 1, step):
        parts.append(_grid_line(LEFT, y(tick), WIDTH - RIGHT, y(tick)))
        parts.append(_text(LEFT - 6, y(tick) + 4, str(tick), "end"))
    return parts


def _value_ticks(x: Axis, label: str) -> list[str]:
    parts = [_axis_line(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM)]
    for tick in x.ticks():
        parts.append(_tick_label(x(tick), _number(tick, x)))
    parts.append(_text(WIDTH - RIGHT, HEIGHT - 6, label, "end"))
    return parts


def _step_path(steps: list[tuple[datetime, float]], end: datetime, x: Axis, y: Axis) -> str:
    first_time, first_score = steps[0]
    commands = [f"M{x(first_time.timestamp())},{y(first_score)}"]
    for when, score in steps[1:]:
        commands.append(f"H{x(when.timestamp())}V{y(score)}")
    commands.append(f"H{x(end.timestamp())}")
    return (
        f'<path class="best" d="{"".join(commands)}" fill="none" stroke="{ACCENT}" '
        'stroke-width="2"/>'
    )


def _step_marker(when: datetime, score: float, x: Axis, y: Axis, tz: tzinfo | None) -> str:
    label = f"{_moment(when, tz)}: {_precise(score)}"
    return (
        f'<circle cx="{x(when.timestamp())}" cy="{y(score)}" r="3" fill="{ACCENT}">'
        f"<title>{escape(label)}</title></circle>"
    )


def _horizontal_baseline(y: Axis, baseline: Baseline) -> str:
    level = y(baseline.score)
    label = f"{baseline.label} ({_precise(baseline.score)})"
    return (
        f'<g class="baseline"><line x1="{LEFT}" y1="{level}" x2="{WIDTH - RIGHT}" '
        f'y2="{level}" stroke="{BASELINE}" stroke-dasharray="6 4"/>'
        f"{_text(WIDTH - RIGHT - 4, level - 4, label, 'end', BASELINE)}</g>"
    )


def _vertical_baseline(x: Axis, baseline: Baseline, index: int) -> str:
    position = x(baseline.score)
    label = f"{baseline.label} ({_precise(baseline.score)})"
    anchor = "end" if position > (LEFT + WIDTH - RIGHT) / 2 else "start"
    shift = -4 if anchor == "end" else 4
    return (
        f'<g class="baseline"><line x1="{position}" y1="{TOP}" x2="{position}" '
        f'y2="{HEIGHT - BOTTOM}" stroke="{BASELINE}" stroke-dasharray="6 4"/>'
        f"{_text(position + shift, TOP + 10 + 14 * index, label, anchor, BASELINE)}</g>"
    )


def _bars(edges: list[float], counts: list[int], x: Axis, y: Axis) -> list[str]:
    bars = []
    for low, high, count in zip(edges, edges[1:], counts, strict=False):
        left, right, top = x(low), x(high), y(count)
        label = f"{_precise(low)} to {_precise(high)}: {count}"
        bars.append(
            f'<rect class="bar" x="{left}" y="{top}" width="{max(right - left - 1, 1)}" '
            f'height="{round(y(0) - top, 1)}" fill="{ACCENT}" fill-opacity="0.7">'
            f"<title>{escape(label)}</title></rect>"
        )
    return bars


def _edges(x: Axis, bins: int) -> list[float]:
    if x.log:
        low, high = _log(x.low), _log(x.high)
        return [10 ** (low + (high - low) * i / bins) for i in range(bins + 1)]
    return [x.low + (x.high - x.low) * i / bins for i in range(bins + 1)]


def _histogram(scores: list[float], edges: list[float], log: bool) -> list[int]:
    counts = [0] * (len(edges) - 1)
    low, high = (_log(edges[0]), _log(edges[-1])) if log else (edges[0], edges[-1])
    for score in scores:
        value = _log(score) if log else score
        index = int((value - low) / (high - low) * len(counts))
        counts[min(max(index, 0), len(counts) - 1)] += 1
    return counts


# --- summaries -------------------------------------------------------------------------------


def _progress_summary(steps, baselines, metric_label, higher_is_better, tz, total) -> str:
    when, best = steps[-1]
    text = (
        f"{total} scored submissions. The best public {metric_label} "
        f"({_direction(higher_is_better)}) is {_precise(best)}, reached {_moment(when, tz)}, "
        f"after {len(steps) - 1} improvements since {_moment(steps[0][0], tz)}."
    )
    return text + _baselines_sentence(baselines)


def _histogram_summary(scores, baselines, metric_label, higher_is_better) -> str:
    ordered = sorted(scores, reverse=higher_is_better)
    median = ordered[len(ordered) // 2]
    text = (
        f"{len(scores)} participants. Best {metric_label} ({_direction(higher_is_better)}) "
        f"{_precise(ordered[0])}, median {_precise(median)}, worst {_precise(ordered[-1])}."
    )
    return text + _baselines_sentence(baselines)


def _baselines_sentence(baselines: Sequence[Baseline]) -> str:
    if not baselines:
        return ""
    listed = "; ".join(f"{b.label}: {_precise(b.score)}" for b in baselines)
    return f" Baselines: {listed}."


# --- SVG text helpers ------------------------------------------------------------------------


def _svg(
    title: str, summary: str, parts: list[str], width: int = WIDTH, height: int = HEIGHT
) -> str:
    body = "\n".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot chart" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">\n'
        f"<title>{escape(title)}</title>\n<desc>{escape(summary)}</desc>\n{body}\n</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", fill: str = MUTED) -> str:
    # the white outline keeps labels legible where they cross lines or bars
    return (
        f'<text x="{round(x, 1)}" y="{round(y, 1)}" text-anchor="{anchor}" fill="{fill}" '
        f'font-size="12" stroke="#fff" stroke-width="3" paint-order="stroke">'
        f"{escape(text)}</text>"
    )


def _axis_line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line class="axis" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#999"/>'


def _grid_line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line class="grid" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#eaeef2"/>'


def _number(value: float, axis: Axis) -> str:
    if axis.log:
        return f"{value:g}"
    decimals = max(0, -math.floor(math.log10(nice_step(axis.high - axis.low)) + 1e-9))
    return f"{value:.{decimals}f}"


def _precise(value: float) -> str:
    return f"{value:.6g}"


def _moment(when: datetime, tz: tzinfo | None) -> str:
    shown = when.astimezone(tz) if tz else when
    return f"{shown:%Y-%m-%d %H:%M} {_zone_name(tz) if tz else shown.tzname() or 'UTC'}"


def _zone_name(tz: tzinfo | None) -> str:
    return getattr(tz, "key", None) or (tz.tzname(None) if tz else None) or "UTC"


def _direction(higher_is_better: bool) -> str:
    return "higher is better" if higher_is_better else "lower is better"


def _better(score: float, best: float, higher_is_better: bool) -> bool:
    return score > best if higher_is_better else score < best


def _drawable(baselines: Sequence[Baseline]) -> list[Baseline]:
    return [baseline for baseline in baselines if _finite(baseline.score)]


def time_axis(first: datetime, last: datetime) -> Axis:
    start, end = first.timestamp(), last.timestamp()
    if end - start < 60:  # a single moment: show an hour around it
        start, end = start - 1800, end + 1800
    return Axis(start, end, LEFT, WIDTH - RIGHT)
