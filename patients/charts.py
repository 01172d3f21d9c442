"""Small server-rendered SVG charts: no chart library, no script, styled by classes in app.css.

Every chart carries its own text alternative (<title>, <desc>) and `data_table` renders the same
numbers as an HTML table, so the figures reach people who cannot see the drawing.
"""

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Tick:
    """A labelled position on an axis (also used for a threshold line)."""

    value: float
    label: str


@dataclass(frozen=True)
class Point:
    """One observation; y None is a gap (not recorded), drawn as a break in the line. Each of
    `marks` rings the dot (app.css mark-<name>, spaces as hyphens), innermost first."""

    x: float
    y: float | None
    x_label: str
    y_label: str
    marks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Series:
    """A line; `style` picks the app.css classes series-<style> and dot-<style> ("a", "b")."""

    label: str
    style: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class LineChart:
    """Everything a line chart shows, including its text alternative."""

    chart_id: str
    title: str
    description: str
    y_label: str
    y_min: float
    y_max: float
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    series: tuple[Series, ...]
    threshold: Tick | None = None
    x_label: str = ""
    width: int = 560
    height: int = 220
    margin_left: int = 96


_TOP, _RIGHT, _BOTTOM = 28, 16, 40


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


class _Scale:
    """Maps data to SVG coordinates inside the plot area."""

    def __init__(self, chart: LineChart) -> None:
        xs = [point.x for series in chart.series for point in series.points]
        xs += [tick.value for tick in chart.x_ticks]
        self.x_min, self.x_max = (min(xs), max(xs)) if xs else (0.0, 1.0)
        self.left = chart.margin_left
        self.right = chart.width - _RIGHT
        self.top = _TOP
        self.bottom = chart.height - _BOTTOM
        self.y_min, self.y_max = chart.y_min, chart.y_max

    def x(self, value: float) -> float:
        if self.x_max == self.x_min:  # one observation: centre it
            return (self.left + self.right) / 2
        share = (value - self.x_min) / (self.x_max - self.x_min)
        return self.left + share * (self.right - self.left)

    def y(self, value: float) -> float:
        share = (value - self.y_min) / (self.y_max - self.y_min)
        return self.bottom - share * (self.bottom - self.top)


def _segments(points: tuple[Point, ...], scale: _Scale) -> list[str]:
    """SVG path data for each unbroken run of points (a None breaks the line)."""
    runs: list[list[Point]] = [[]]
    for point in sorted(points, key=lambda p: p.x):
        if point.y is None:
            runs.append([])
        else:
            runs[-1].append(point)
    paths = []
    for run in runs:
        if len(run) > 1:
            steps = " L ".join(f"{_fmt(scale.x(p.x))} {_fmt(scale.y(p.y or 0))}" for p in run)
            paths.append(f"M {steps}")
    return paths


def _axes(chart: LineChart, scale: _Scale) -> list[str]:
    parts = []
    for tick in chart.y_ticks:
        y = _fmt(scale.y(tick.value))
        parts.append(
            f'<line class="grid" x1="{scale.left}" x2="{scale.right}" y1="{y}" y2="{y}"/>'
            f'<text x="{scale.left - 6}" y="{y}" text-anchor="end" dominant-baseline="middle">'
            f"{escape(tick.label)}</text>"
        )
    for tick in chart.x_ticks:
        x = scale.x(tick.value)
        # labels at either end of the axis extend inwards, so they stay inside the drawing
        anchor = "start" if x <= scale.left + 40 else "end" if x >= scale.right - 40 else "middle"
        parts.append(
            f'<line class="axis" x1="{_fmt(x)}" x2="{_fmt(x)}" y1="{scale.bottom}" '
            f'y2="{scale.bottom + 4}"/><text x="{_fmt(x)}" y="{scale.bottom + 16}" '
            f'text-anchor="{anchor}">{escape(tick.label)}</text>'
        )
    parts.append(
        f'<line class="axis" x1="{scale.left}" x2="{scale.left}" y1="{scale.top}" '
        f'y2="{scale.bottom}"/>'
        f'<line class="axis" x1="{scale.left}" x2="{scale.right}" y1="{scale.bottom}" '
        f'y2="{scale.bottom}"/>'
        f'<text x="{scale.left}" y="{_TOP - 12}" text-anchor="start">{escape(chart.y_label)}</text>'
    )
    if chart.x_label:
        middle = _fmt((scale.left + scale.right) / 2)
        parts.append(
            f'<text x="{middle}" y="{chart.height - 4}" text-anchor="middle">'
            f"{escape(chart.x_label)}</text>"
        )
    return parts


def _threshold(chart: LineChart, scale: _Scale) -> list[str]:
    if chart.threshold is None:
        return []
    y = _fmt(scale.y(chart.threshold.value))
    return [
        f'<line class="threshold" x1="{scale.left}" x2="{scale.right}" y1="{y}" y2="{y}"/>'
        f'<text class="threshold-label" x="{scale.right}" y="{y}" dy="-4" text-anchor="end">'
        f"{escape(chart.threshold.label)}</text>"
    ]


def _series(chart: LineChart, scale: _Scale) -> list[str]:
    parts = []
    for series in chart.series:
        style = escape(series.style)
        for path in _segments(series.points, scale):
            parts.append(f'<path class="series-{style}" d="{path}"/>')
        for point in series.points:
            if point.y is None:
                continue
            tip = escape(f"{series.label}, {point.x_label}: {point.y_label}")
            cx, cy = _fmt(scale.x(point.x)), _fmt(scale.y(point.y))
            for ring, mark in enumerate(point.marks):
                name = escape(mark.replace(" ", "-"))
                parts.append(
                    f'<circle class="mark mark-{name}" cx="{cx}" cy="{cy}" r="{6.5 + 3 * ring}"/>'
                )
            parts.append(
                f'<circle class="dot-{style}" cx="{cx}" '
                f'cy="{cy}" r="3.5"><title>{tip}</title></circle>'
            )
    return parts


def line_chart(chart: LineChart) -> SafeString:
    """The chart as inline SVG markup, announced by its title and description."""
    scale = _Scale(chart)
    chart_id = escape(chart.chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width} {chart.height}" '
        f'width="{chart.width}" height="{chart.height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(chart.title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(chart.description)}</desc>',
        *_axes(chart, scale),
        *_threshold(chart, scale),
        *_series(chart, scale),
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def data_table(chart: LineChart, x_heading: str) -> SafeString:
    """The chart's numbers as an HTML table, one row per x value, one column per series."""
    rows: dict[float, dict[str, str]] = {}
    labels: dict[float, str] = {}
    for series in chart.series:
        for point in series.points:
            labels[point.x] = point.x_label
            rows.setdefault(point.x, {})[series.label] = point.y_label
    head = "".join(f'<th scope="col">{escape(series.label)}</th>' for series in chart.series)
    body = "".join(
        f'<tr><th scope="row">{escape(labels[x])}</th>'
        + "".join(f"<td>{escape(rows[x].get(series.label, ''))}</td>" for series in chart.series)
        + "</tr>"
        for x in sorted(rows)
    )
    return mark_safe(  # noqa: S308 (every text above is escaped)
        f'<table class="table table-sm"><caption>{escape(chart.title)}</caption>'
        f'<thead><tr><th scope="col">{escape(x_heading)}</th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )
