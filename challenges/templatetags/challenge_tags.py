import markdown as markdown_lib
import nh3
from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

register = template.Library()

PLOT_WIDTH, PLOT_HEIGHT, PLOT_MARGIN = 640, 280, 36


@register.filter
def render_markdown(text: str) -> str:
    """Markdown from a bundle, sanitised: instructors write it, but nobody's HTML runs."""
    html = markdown_lib.markdown(text or "", extensions=["tables", "fenced_code"])
    return mark_safe(nh3.clean(html))


@register.filter
def score(value) -> str:
    if value is None:
        return "—"
    return f"{value:.6g}"


@register.simple_tag
def leaderboard_rows(rows, split: str, is_instructor: bool, viewer_id: int):
    """The rows of a leaderboard, built in Python: a board of 1,000 participants through the
    template language would take several times longer than everything else on the page."""
    private = split == "private"
    return format_html_join(
        "\n", "{}", ((_board_row(row, private, is_instructor, viewer_id),) for row in rows)
    )


def _board_row(row, private: bool, is_instructor: bool, viewer_id: int) -> str:
    classes = "baseline" if row.is_baseline else ("me" if row.user_id == viewer_id else "")
    cells = [format_html("<td>{}</td>", row.rank or "—")]
    if private:
        cells.append(format_html('<td class="move">{}</td>', _move(row)))
    badge = mark_safe(' <span class="pill">baseline</span>') if row.is_baseline else ""
    cells.append(format_html("<td>{}{}</td>", row.name, badge))
    if is_instructor:
        cells.append(format_html("<td>{}</td>", "" if row.is_baseline else row.username))
    cells.append(format_html('<td class="num">{}</td>', score(row.score)))
    if is_instructor and private:
        interval = "" if row.ci_low is None else f"[{score(row.ci_low)}, {score(row.ci_high)}]"
        cells.append(format_html('<td class="num muted">{}</td>', interval))
    cells.append(format_html('<td class="num">{}</td>', row.entries))
    last = localtime(row.last_submission).strftime("%d %b %H:%M %Z")
    cells.append(format_html("<td>{}</td>", last))
    return format_html('<tr class="{}">{}</tr>', classes, mark_safe("".join(cells)))


def _move(row) -> str:
    if row.move is None:
        return "new" if row.rank else ""
    arrow = "▲" if row.move > 0 else "▼" if row.move < 0 else "="
    amount = abs(row.move) or ""
    return f"{arrow}{amount} ({row.public_rank} → {row.rank})"


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
