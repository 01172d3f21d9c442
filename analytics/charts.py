"""The analytics page's SVG charts: grouped bars with intervals, a ratio plot on a log scale,
monthly volume. No chart library, no script; styled by classes in app.css, each with its own text
alternative (<title>, <desc>) and a table of the same numbers on the page.
"""

import math
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class BarPair:
    """A clinic value (with its interval, or None when suppressed) beside the study's value."""

    label: str
    value: float | None
    low: float | None
    high: float | None
    reference: float | None
    text: str


@dataclass(frozen=True)
class RatioPoint:
    """One ratio (OR or PR) with its interval; `style` "a" is the clinic, "b" the study."""

    label: str
    value: float | None
    low: float | None
    high: float | None
    style: str
    text: str


@dataclass(frozen=True)
class CountBar:
    """One period's count; None is a suppressed small count (no bar drawn)."""

    label: str
    value: int | None
    tick: bool


def _an_svg_open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    chart_id = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _an_n(number: float) -> str:
    return f"{number:.1f}"


def bar_pairs_chart(
    chart_id: str, title: str, desc: str, pairs: list[BarPair], *, legend: tuple[str, str]
) -> SafeString:
    """Grouped bars of proportions (0-1): the clinic's with a 95% interval, the study's beside."""
    width, height, left, top, bottom = 640, 280, 48, 36, 64
    tops = [v for p in pairs for v in (p.high, p.value, p.reference) if v is not None]
    y_max = max(0.4, math.ceil(max(tops, default=0) * 10) / 10)
    plot_h = height - top - bottom
    group_w = (width - left - 16) / max(len(pairs), 1)

    def y(value: float) -> float:
        return top + plot_h * (1 - value / y_max)

    parts = _an_svg_open(chart_id, width, height, title, desc)
    for step in range(round(y_max * 10) + 1):
        tick = step / 10
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - 16}" y1="{_an_n(y(tick))}" '
            f'y2="{_an_n(y(tick))}"/><text x="{left - 6}" y="{_an_n(y(tick))}" '
            f'text-anchor="end" dominant-baseline="middle">{step * 10}%</text>'
        )
    bar_w = group_w * 0.3
    for index, pair in enumerate(pairs):
        x0 = left + index * group_w + group_w * 0.15
        if pair.value is not None:
            parts.append(
                f'<rect class="bar-clinic" x="{_an_n(x0)}" y="{_an_n(y(pair.value))}" '
                f'width="{_an_n(bar_w)}" height="{_an_n(y(0) - y(pair.value))}">'
                f"<title>{escape(pair.text)}</title></rect>"
            )
            if pair.low is not None and pair.high is not None:
                mid = x0 + bar_w / 2
                parts.append(
                    f'<line class="ci" x1="{_an_n(mid)}" x2="{_an_n(mid)}" '
                    f'y1="{_an_n(y(pair.low))}" y2="{_an_n(y(pair.high))}"/>'
                    f'<line class="ci" x1="{_an_n(mid - 5)}" x2="{_an_n(mid + 5)}" '
                    f'y1="{_an_n(y(pair.low))}" y2="{_an_n(y(pair.low))}"/>'
                    f'<line class="ci" x1="{_an_n(mid - 5)}" x2="{_an_n(mid + 5)}" '
                    f'y1="{_an_n(y(pair.high))}" y2="{_an_n(y(pair.high))}"/>'
                )
        else:
            parts.append(
                f'<text x="{_an_n(x0 + bar_w / 2)}" y="{_an_n(y(0) - 6)}" '
                'text-anchor="middle">suppressed</text>'
            )
        if pair.reference is not None:
            parts.append(
                f'<rect class="bar-study" x="{_an_n(x0 + bar_w + 4)}" '
                f'y="{_an_n(y(pair.reference))}" width="{_an_n(bar_w)}" '
                f'height="{_an_n(y(0) - y(pair.reference))}"/>'
            )
        parts.append(
            f'<text x="{_an_n(x0 + bar_w + 2)}" y="{height - bottom + 16}" '
            f'text-anchor="middle">{escape(pair.label)}</text>'
        )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{width - 16}" y1="{_an_n(y(0))}" y2="{_an_n(y(0))}"/>'
        f'<rect class="bar-clinic" x="{left}" y="{height - 22}" width="12" height="12"/>'
        f'<text x="{left + 18}" y="{height - 12}">{escape(legend[0])}</text>'
        f'<rect class="bar-study" x="{left + 220}" y="{height - 22}" width="12" height="12"/>'
        f'<text x="{left + 238}" y="{height - 12}">{escape(legend[1])}</text>'
        "</svg>"
    )
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def ratio_chart(chart_id: str, title: str, desc: str, points: list[RatioPoint]) -> SafeString:
    """Ratios with 95% intervals on a log scale, a line at 1 (no association)."""
    width, left, right, top, row_h = 640, 300, 24, 16, 30
    height = top + row_h * len(points) + 40
    values = [v for p in points for v in (p.low, p.high, p.value) if v is not None and v > 0]
    low_exp = min(-1, math.floor(math.log2(min(values, default=1))))
    high_exp = max(2, math.ceil(math.log2(max(values, default=1))))

    def x(value: float) -> float:
        share = (math.log2(value) - low_exp) / (high_exp - low_exp)
        return left + share * (width - left - right)

    parts = _an_svg_open(chart_id, width, height, title, desc)
    axis_y = top + row_h * len(points) + 4
    for exponent in range(low_exp, high_exp + 1):
        tick = 2.0**exponent
        label = f"{tick:g}"
        css = "analytics-ref" if exponent == 0 else "grid"
        parts.append(
            f'<line class="{css}" x1="{_an_n(x(tick))}" x2="{_an_n(x(tick))}" y1="{top}" '
            f'y2="{axis_y}"/><text x="{_an_n(x(tick))}" y="{axis_y + 16}" '
            f'text-anchor="middle">{label}</text>'
        )
    for index, point in enumerate(points):
        cy = top + row_h * index + row_h / 2
        parts.append(
            f'<text x="{left - 10}" y="{_an_n(cy)}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(point.label)}</text>'
        )
        style = escape(point.style)
        if point.value is None:
            parts.append(
                f'<text x="{left + 6}" y="{_an_n(cy)}" dominant-baseline="middle">suppressed</text>'
            )
            continue
        if point.low is not None and point.high is not None:
            parts.append(
                f'<line class="ci" x1="{_an_n(x(point.low))}" x2="{_an_n(x(point.high))}" '
                f'y1="{_an_n(cy)}" y2="{_an_n(cy)}"/>'
            )
        parts.append(
            f'<circle class="dot-{style}" cx="{_an_n(x(point.value))}" cy="{_an_n(cy)}" r="5">'
            f"<title>{escape(point.text)}</title></circle>"
        )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{width - right}" y1="{axis_y}" y2="{axis_y}"/></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


# A label's width in the chart's units: about 7 of 640 per character at the page's font size.
LABEL_CHAR_PX, LABEL_GAP_PX = 7.5, 12


def count_bars_chart(chart_id: str, title: str, desc: str, bars: list[CountBar]) -> SafeString:
    """Counts per period as bars; suppressed periods are left empty."""
    width, height, left, right, top, bottom = 640, 240, 56, 16, 16, 40
    peak = max((bar.value or 0 for bar in bars), default=0)
    step = _an_nice_step(peak)
    y_max = max(step, math.ceil(peak / step) * step)
    plot_h = height - top - bottom
    slot = (width - left - right) / max(len(bars), 1)
    # label every `every`-th bar so labels stand at least one label's width apart
    widest = max((len(bar.label) for bar in bars), default=0) * LABEL_CHAR_PX + LABEL_GAP_PX
    every = max(1, math.ceil(widest / slot))

    def y(value: float) -> float:
        return top + plot_h * (1 - value / y_max)

    parts = _an_svg_open(chart_id, width, height, title, desc)
    tick = 0
    while tick <= y_max:
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{_an_n(y(tick))}" '
            f'y2="{_an_n(y(tick))}"/><text x="{left - 6}" y="{_an_n(y(tick))}" '
            f'text-anchor="end" dominant-baseline="middle">{tick:,}</text>'
        )
        tick += step
    for index, bar in enumerate(bars):
        x0 = left + index * slot
        if bar.value is not None and bar.value > 0:
            parts.append(
                f'<rect class="bar-clinic" x="{_an_n(x0 + slot * 0.1)}" '
                f'y="{_an_n(y(bar.value))}" width="{_an_n(slot * 0.8)}" '
                f'height="{_an_n(y(0) - y(bar.value))}"><title>{escape(bar.label)}: '
                f"{bar.value:,}</title></rect>"
            )
        if bar.tick and index % every == 0:
            parts.append(
                f'<text x="{_an_n(x0 + slot / 2)}" y="{height - bottom + 16}" '
                f'text-anchor="middle">{escape(bar.label)}</text>'
            )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{width - right}" y1="{_an_n(y(0))}" '
        f'y2="{_an_n(y(0))}"/></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def _an_nice_step(peak: float) -> int:
    """A round grid step giving about four lines up to `peak`."""
    if peak <= 0:
        return 1
    raw = peak / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return int(max(1, factor * magnitude))
    return int(10 * magnitude)
