"""Small inline SVG charts for the reports (no JavaScript, nothing fetched). Pure Python;
every text is escaped."""

from __future__ import annotations

from html import escape

W, H, PAD = 420, 260, 36


def _scale(values: list[float], lo_px: float, hi_px: float):
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    span = (hi - lo) or 1.0
    return lambda v: lo_px + (float(v) - lo) / span * (hi_px - lo_px)


def _frame(body: str, x_label: str, y_label: str, title: str) -> str:
    return (
        f'<svg class="insight-chart" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<rect x="{PAD}" y="8" width="{W - PAD - 8}" height="{H - PAD - 8}" fill="none" '
        f'stroke="#bbb"/>{body}'
        f'<text x="{W / 2}" y="{H - 6}" text-anchor="middle" font-size="11">{escape(x_label)}'
        f'</text><text x="10" y="{H / 2}" font-size="11" transform="rotate(-90 10 {H / 2})" '
        f'text-anchor="middle">{escape(y_label)}</text></svg>'
    )


def scatter(
    points: list[list[float]],
    *,
    x_label: str,
    y_label: str,
    title: str,
    diagonal: bool = False,
    series: int = 1,
) -> str:
    """points: [x, y1, y2, ...]; `series` y columns are drawn (blue, orange, green)."""
    colours = ("#1f6feb", "#e36209", "#2da44e")
    xs = [p[0] for p in points]
    ys = [v for p in points for v in p[1 : 1 + series]]
    sx = _scale(xs, PAD + 4, W - 12)
    sy = _scale(ys, H - PAD - 4, 12)
    dots = "".join(
        f'<circle cx="{sx(p[0]):.1f}" cy="{sy(p[1 + k]):.1f}" r="2" fill="{colours[k]}"/>'
        for p in points
        for k in range(series)
    )
    line = ""
    if diagonal and points:
        lo, hi = min(xs), max(xs)
        line = (
            f'<line x1="{sx(lo):.1f}" y1="{sy(lo):.1f}" x2="{sx(hi):.1f}" '
            f'y2="{sy(hi):.1f}" stroke="#999" stroke-dasharray="4"/>'
        )
    return _frame(line + dots, x_label, y_label, title)


def bars(counts: list[int], edges: list[float], *, x_label: str, title: str) -> str:
    if not counts:
        return _frame("", x_label, "count", title)
    top = max(counts) or 1
    width = (W - PAD - 12) / len(counts)
    body = "".join(
        f'<rect x="{PAD + 4 + k * width:.1f}" y="{H - PAD - 4 - c / top * (H - PAD - 20):.1f}" '
        f'width="{max(width - 1, 1):.1f}" height="{c / top * (H - PAD - 20):.1f}" '
        f'fill="#1f6feb"><title>{edges[k]:.4g} to {edges[k + 1]:.4g}: {c}</title></rect>'
        for k, c in enumerate(counts)
    )
    label = f"{x_label} ({edges[0]:.3g} to {edges[-1]:.3g})"
    return _frame(body, label, "count", title)
