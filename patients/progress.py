"""The patient page's progress charts: PHQ-9 and PEG over time, each score beside the first
(issue 16, point 6; the markers come from screening/progress.py)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from patients import charts
from screening import progress
from screening.instruments.lbp_peg import PEG_MAX
from screening.instruments.phq9 import MAX_SCORE
from screening.models import RecordedInstrument


@dataclass(frozen=True)
class ProgressRow:
    """One row of a progress table: what the chart shows of one record, in words."""

    record_id: int
    date: str
    score: str
    change: str
    marks: str


@dataclass(frozen=True)
class ProgressChart:
    """A chart, its SVG, the same figures as table rows, and what its rings mean."""

    chart: charts.LineChart
    svg: str
    score_heading: str
    rows: list[ProgressRow]
    legend: str


def _build(
    records: Sequence[RecordedInstrument],
    followed: list[progress.Followed],
    *,
    chart_id: str,
    title: str,
    what: str,
    y_max: int,
    y_ticks: tuple[int, ...],
    threshold: charts.Tick | None,
    style: str,
    legend: str,
) -> ProgressChart:
    dates = [timezone.localtime(r.administered_at).strftime("%Y-%m-%d") for r in records]
    xs = [r.administered_at.timestamp() for r in records]
    points, rows = [], []
    for record, item, x, day in zip(records, followed, xs, dates, strict=True):
        score = str(item.score)
        marks = ", ".join(item.marks)
        detail = "; ".join(part for part in (item.change_label, marks) if part)
        points.append(
            charts.Point(x, float(item.score), day, f"{score} ({detail})", marks=item.marks)
        )
        rows.append(ProgressRow(record.pk, day, score, item.change_label, marks or "None"))
    picks = sorted({0, len(records) // 2, len(records) - 1})
    marked = sum(1 for item in followed if item.marks)
    latest = followed[-1]
    chart = charts.LineChart(
        chart_id=chart_id,
        title=title,
        description=(
            f"{len(records)} score(s) from {dates[0]} to {dates[-1]}. First: "
            f"{followed[0].score}; latest: {latest.score} "
            f"({latest.change_label}). {marked} later score(s) marked. {legend}"
        ),
        y_label=what,
        y_min=0,
        y_max=y_max,
        y_ticks=tuple(charts.Tick(n, str(n)) for n in y_ticks),
        x_ticks=tuple(charts.Tick(xs[i], dates[i]) for i in picks),
        series=(charts.Series(title, style, tuple(points)),),
        threshold=threshold,
        x_label="Date administered",
    )
    return ProgressChart(chart, charts.line_chart(chart), what, rows, legend)


def progress_charts(
    phq9: Sequence[RecordedInstrument], peg: Sequence[RecordedInstrument]
) -> list[ProgressChart]:
    """A PHQ-9 chart and a PEG chart over the patient's current records (oldest first), each
    present only when the patient has such a record."""
    built = []
    if phq9:
        built.append(
            _build(
                phq9,
                progress.follow_phq9([int(r.result["score"]) for r in phq9]),
                chart_id="chart-phq9",
                title="PHQ-9 over time",
                what=f"PHQ-9 (0-{MAX_SCORE})",
                y_max=MAX_SCORE,
                y_ticks=(0, 5, 10, 15, 20, 27),
                threshold=charts.Tick(progress.PHQ9_REMISSION_BELOW, "remission below 5"),
                style="a",
                legend=(
                    "Solid ring: response (down 50% or more from the first); dashed ring: "
                    "remission (under 5)."
                ),
            )
        )
    if peg:
        built.append(
            _build(
                peg,
                progress.follow_peg([Decimal(str(r.result["peg_score"])) for r in peg]),
                chart_id="chart-peg",
                title="PEG pain score over time",
                what=f"PEG (0-{PEG_MAX})",
                y_max=PEG_MAX,
                y_ticks=(0, 2, 4, 6, 8, 10),
                threshold=None,
                style="b",
                legend=(
                    "Ring: a change of 30% or more from the first, solid for a meaningful "
                    "improvement, dashed for a meaningful worsening."
                ),
            )
        )
    return built
