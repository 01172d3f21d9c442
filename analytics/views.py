"""The analytics page (/analytics/): the clinic's numbers beside the study's, admins only.

pandas, SciPy and scikit-learn (about 140 MB a worker) load with the first report, not with the
URLconf: a worker that never shows this page never pays for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString

from analytics import charts
from analytics.forms import AnalyticsFilterForm
from analytics.intervals import MIN_CELL, Interval
from audit.requests import actor_for
from screening import study

if TYPE_CHECKING:
    from analytics.report import Report

SHORT_LABELS = {
    "depression_given_back_pain": "Depression | back pain",
    "depression_given_no_back_pain": "Depression | no back pain",
    "back_pain_given_depression": "Back pain | depression",
    "back_pain_given_no_depression": "Back pain | no depression",
}


@permission_required("screening.view_analytics", raise_exception=True)
def analytics(request: HttpRequest) -> HttpResponse:
    from analytics.report import COVARIATE_LABELS
    from analytics.services import clinic_report

    form = AnalyticsFilterForm(request.GET or None)
    report = None
    if not form.is_bound or form.is_valid():
        actor = actor_for(request)
        report = clinic_report(filters=form.filters(), actor=actor)
    context = {
        "nav": "analytics",
        "form": form,
        "report": report,
        "charts": _charts(report) if report is not None and report.patients else {},
        "study": study,
        "covariates": ", ".join(COVARIATE_LABELS),
        "analytics_doc_url": reverse("analytics:methods"),
    }
    return render(request, "analytics/analytics.html", context)


@permission_required("screening.view_analytics", raise_exception=True)
def methods(request: HttpRequest) -> HttpResponse:
    """docs/analytics.md as plain text: the methods the page's "How these are computed" links."""
    text = (settings.BASE_DIR / "docs" / "analytics.md").read_text(encoding="utf-8")
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def _charts(report: Report) -> dict[str, SafeString]:
    """The page's three drawings; each section's table carries the same numbers."""
    pairs = [
        charts.BarPair(
            label=SHORT_LABELS[row.figure.key],
            value=None if row.share.interval is None else row.share.interval.value,
            low=None if row.share.interval is None else row.share.interval.low,
            high=None if row.share.interval is None else row.share.interval.high,
            reference=row.figure.value / 100,
            text=f"{row.figure.label}: clinic {row.share.k} of {row.share.n}",
        )
        for row in report.prevalences
    ]
    points = []
    if report.odds is not None:
        points += [
            _point("Odds ratio, crude (clinic)", report.odds.crude, "a"),
            _point("Odds ratio, adjusted (clinic)", report.odds.adjusted, "a"),
        ]
    for row in report.ratios:
        points.append(_point(f"{row.label} (clinic)", row.estimate, "a"))
        figure = row.figure
        reference = Interval(figure.value, figure.ci_low or 0, figure.ci_high or 0)
        points.append(_point(f"{row.label} (study)", reference, "b"))
    bars = [  # the chart labels as many months as fit without overlapping
        charts.CountBar(
            label=month.month.strftime("%b %Y"),
            value=month.visits if month.visits >= MIN_CELL else None,
            tick=True,
        )
        for month in report.months
    ]
    return {
        "prevalence": charts.bar_pairs_chart(
            "prevalence-chart",
            "Prevalence in the clinic beside the study",
            "Bars: the clinic's share with its 95% confidence interval beside the study's "
            "figure, for each of the four conditional prevalences. The table below gives the "
            "numbers.",
            pairs,
            legend=("Clinic (95% CI)", "Study (Yang et al. 2023)"),
        ),
        "ratios": charts.ratio_chart(
            "ratio-chart",
            "Odds and prevalence ratios beside the study's",
            "Points with 95% confidence intervals on a logarithmic scale; 1 means no "
            "association. The tables above give the numbers.",
            points,
        ),
        "volume": charts.count_bars_chart(
            "volume-chart",
            "Screening visits per month",
            "Bars: current visits recorded in each month; months with fewer than 11 visits are "
            "left empty. The table below gives the numbers.",
            bars,
        ),
    }


def _point(label: str, interval: Interval | None, style: str) -> charts.RatioPoint:
    if interval is None:
        return charts.RatioPoint(label, None, None, None, style, f"{label}: suppressed")
    text = f"{label}: {interval.value:.2f} ({interval.low:.2f} to {interval.high:.2f})"
    return charts.RatioPoint(label, interval.value, interval.low, interval.high, style, text)
