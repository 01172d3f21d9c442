"""The report: the clinic's prevalences, odds and prevalence ratios beside the study's figures."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import pandas as pd
from django.utils import timezone

from analytics.filters import Filters
from analytics.intervals import (
    MIN_CELL,
    Interval,
    Proportion,
    prevalence_ratio,
    ratio_suppressed,
)
from analytics.selectors import (
    COVARIATES,
    FlagRow,
    MonthRow,
    data_version,
    flag_yield,
    patient_cells,
    screening_volume,
)
from analytics.stats import OddsRatios, odds_ratios
from screening import study

COVARIATE_LABELS = (
    "age (10-year bands)",
    "sex",
    "education",
    "personal earnings",
    "regular exercise",
    "smoking",
    "alcohol",
    "obesity (BMI 30 or more)",
)


@dataclass(frozen=True)
class PrevalenceRow:
    """One conditional prevalence in the clinic, beside the study's figure for it."""

    figure: study.Figure
    share: Proportion


@dataclass(frozen=True)
class RatioRow:
    """A prevalence ratio of a new condition at follow-up, exposed vs unexposed at baseline."""

    label: str
    exposure: str
    figure: study.Figure
    exposed: Proportion
    unexposed: Proportion
    estimate: Interval | None


@dataclass(frozen=True)
class Report:
    """Everything the analytics page shows, computed for one set of filters and one data version."""

    filters: Filters
    patients: int
    table: tuple[
        int, int, int, int
    ]  # back pain & depression, back pain only, depression only, neither
    prevalences: list[PrevalenceRow]
    odds: OddsRatios | None
    followed: int
    ratios: list[RatioRow]
    flags: list[FlagRow]
    months: list[MonthRow]
    data_version: str
    computed_at: dt.datetime
    seconds: float
    from_cache: bool = field(default=False, compare=False)

    @property
    def table_suppressed(self) -> bool:
        return min(self.table) < MIN_CELL


def compute_report(filters: Filters, *, version: str | None = None) -> Report:
    """The full report from the database, without the cache (the benchmark times this)."""
    started = time.perf_counter()
    cells, transitions = patient_cells(filters)
    counts = _two_by_two(cells)
    odds = None
    if min(counts) >= MIN_CELL:
        odds = odds_ratios(
            cells, outcome="major_depression", exposure="back_pain", covariates=COVARIATES
        )
    return Report(
        filters=filters,
        patients=sum(counts),
        table=counts,
        prevalences=_prevalences(counts),
        odds=odds,
        followed=int(transitions["n"].sum()),
        ratios=_ratios(transitions),
        flags=flag_yield(filters),
        months=screening_volume(filters),
        data_version=version if version is not None else data_version(),
        computed_at=timezone.now(),
        seconds=time.perf_counter() - started,
    )


def _two_by_two(cells: pd.DataFrame) -> tuple[int, int, int, int]:
    def total(back_pain: bool, depression: bool) -> int:
        mask = (cells["back_pain"] == back_pain) & (cells["major_depression"] == depression)
        return int(cells.loc[mask, "n"].sum())

    return total(True, True), total(True, False), total(False, True), total(False, False)


def _prevalences(counts: tuple[int, int, int, int]) -> list[PrevalenceRow]:
    both, back_only, depression_only, neither = counts
    shares = {
        "depression_given_back_pain": Proportion(both, both + back_only),
        "depression_given_no_back_pain": Proportion(depression_only, depression_only + neither),
        "back_pain_given_depression": Proportion(both, both + depression_only),
        "back_pain_given_no_depression": Proportion(back_only, back_only + neither),
    }
    return [PrevalenceRow(study.FIGURES[key], share) for key, share in shares.items()]


def _incidence(
    frame: pd.DataFrame, *, free_of: str, exposure: str, outcome: str
) -> tuple[Proportion, Proportion]:
    """New `outcome` at follow-up among patients free of it at baseline: exposed, unexposed."""
    at_risk = frame[~frame[free_of].astype(bool)]
    exposed = at_risk[at_risk[exposure].astype(bool)]
    unexposed = at_risk[~at_risk[exposure].astype(bool)]

    def proportion(group: pd.DataFrame) -> Proportion:
        return Proportion(
            int(group.loc[group[outcome].astype(bool), "n"].sum()), int(group["n"].sum())
        )

    return proportion(exposed), proportion(unexposed)


def _ratios(frame: pd.DataFrame) -> list[RatioRow]:
    rows = []
    specs = (
        ("New major depression at follow-up", "back pain", "base_depression", "base_back_pain",
         "major_depression", "pr_back_pain_to_depression"),
        ("New back pain at follow-up", "major depression", "base_back_pain", "base_depression",
         "back_pain", "pr_depression_to_back_pain"),
    )  # fmt: skip
    for label, exposure_label, free_of, exposure, outcome, figure in specs:
        exposed, unexposed = _incidence(frame, free_of=free_of, exposure=exposure, outcome=outcome)
        cells = (exposed.k, exposed.n, unexposed.k, unexposed.n)
        estimate = None if ratio_suppressed(*cells) else prevalence_ratio(*cells)
        rows.append(
            RatioRow(label, exposure_label, study.FIGURES[figure], exposed, unexposed, estimate)
        )
    return rows
