"""The axes of the challenge-page charts (charts.py): value and time axes, log scales for
lower-is-better metrics spanning decades, and tick steps that read well."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

LOG_SPAN = 100.0  # max / min above which a lower-is-better axis becomes logarithmic


HOUR, DAY = 3600, 86400


TIME_STEPS = (HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY)


@dataclass(frozen=True)
class Axis:
    """Maps values in [low, high] onto pixels [start, end] (end < start for a vertical axis)."""

    low: float
    high: float
    start: float
    end: float
    log: bool = False

    def __call__(self, value: float) -> float:
        low, high, value = (_log(v) if self.log else v for v in (self.low, self.high, value))
        fraction = (value - low) / (high - low)
        return round(self.start + fraction * (self.end - self.start), 1)

    def ticks(self) -> list[float]:
        if self.log:
            first, last = round(math.log10(self.low)), round(math.log10(self.high))
            return [10.0**power for power in range(first, last + 1)]
        step = nice_step(self.high - self.low)
        count = round((self.high - self.low) / step)
        return [self.low + i * step for i in range(count + 1)]


def use_log(values: Sequence[float], higher_is_better: bool) -> bool:
    if higher_is_better or not values or min(values) <= 0:
        return False
    return max(values) / min(values) > LOG_SPAN


def value_axis(values: Sequence[float], start: float, end: float, *, log: bool) -> Axis:
    low, high = min(values), max(values)
    if log:
        return Axis(10.0 ** math.floor(_log(low)), 10.0 ** math.ceil(_log(high)), start, end, True)
    if high == low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = nice_step(high - low)
    return Axis(math.floor(low / step) * step, math.ceil(high / step) * step, start, end)


def nice_step(span: float, target_ticks: int = 4) -> float:
    """A step of 1, 2 or 5 times a power of ten that cuts `span` into about that many parts."""
    raw = span / target_ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * (1 - 1e-9))


def count_step(largest: int) -> int:
    return max(1, round(nice_step(largest)))


def default_bins(count: int) -> int:
    return min(20, max(5, math.ceil(math.sqrt(count))))


def time_step(span: float) -> int:
    """Seconds between date ticks: a round number of hours or days giving at most 6 ticks."""
    fitting = (step for step in TIME_STEPS if span / step <= 6)
    return next(fitting, TIME_STEPS[-1] * math.ceil(span / (6 * TIME_STEPS[-1])))


def time_ticks(low: float, high: float, step: int, tz: tzinfo | None) -> list[float]:
    """Timestamps in [low, high] on whole multiples of `step` in the zone's local time."""
    offset = datetime.fromtimestamp(low, tz or UTC).utcoffset().total_seconds()
    first = math.ceil((low + offset) / step) * step - offset
    return [first + i * step for i in range(int((high - first) // step) + 1)]


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _log(value: float) -> float:
    return math.log10(value)
