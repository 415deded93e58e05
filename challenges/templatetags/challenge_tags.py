import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

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


@register.filter
def absolute(value):
    return abs(value)


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
        "points": points, "width": PLOT_WIDTH, "height": PLOT_HEIGHT, "margin": PLOT_MARGIN,
        "preview": preview, "bottom": PLOT_HEIGHT - PLOT_MARGIN, "right": PLOT_WIDTH - PLOT_MARGIN,
    }
