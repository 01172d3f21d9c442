"""The clinic's numbers as SQL aggregates: counts per covariate pattern, per month, per flag kind.

Every query here groups in PostgreSQL, so the report never loads one row per visit;
analytics.stats does the statistics on those counts (docs/analytics.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import connections

from analytics.filters import Filters
from analytics.intervals import MIN_CELL, Proportion
from config.replica import read_alias
from lib.dates import day_range
from screening.models import FlagKind, FlagOutcome

COVARIATES = (
    "age_band",
    "sex",
    "education",
    "earnings",
    "regular_exercise",
    "smoking",
    "alcohol",
    "obesity",
)
FOLLOW_UP = "6 months"
CONFIRMED = (FlagOutcome.CONFIRMED_REFERRED.value, FlagOutcome.CONFIRMED_MANAGED.value)


@dataclass(frozen=True)
class FlagRow:
    """How the flags of one kind fared: confirmed share of resolved flags and the wait."""

    kind: str
    label: str
    raised: int
    resolved: int
    unresolved: int
    confirmed: Proportion | None  # None for SAFETY, which confirms nothing
    median_days: float | None
    p90_days: float | None
    # Resolved flags whose outcome rests on a recorded instrument (Flag.outcome_instrument), and
    # of those confirmed with a positive one (SAFETY: the ASQ positive), beside the confirmed
    # outcomes no instrument measured (issue 16, point 4).
    measured: int = 0
    by_measure: int = 0
    confirmed_unmeasured: int | None = None  # None for SAFETY
    measure_label: str = ""


# What a positive result of each kind's instrument means, as the flag yield names it.
MEASURE_LABELS = {
    FlagKind.ASSESS_DEPRESSION: "Confirmed by PHQ-9 \N{GREATER-THAN OR EQUAL TO} 10",
    FlagKind.ASSESS_BACK_PAIN: "Confirmed by chronic low back pain",
    FlagKind.SAFETY: "ASQ positive (acute or non-acute)",
}


@dataclass(frozen=True)
class MonthRow:
    """Current visits recorded in one calendar month, and how many met each criterion."""

    month: dt.date
    visits: int
    back_pain: int
    depression: int


# Visits are insert-only and every flag change writes an insert-only FlagEvent, so the newest
# id of each plus the rows among the last RECENT ids change with any new visit or flag action;
# the count catches a transaction that commits after a later id did. Both read a few index
# pages, not the tables (a count over 1M visits took 200 ms).
RECENT = 1000
_DATA_VERSION = """
SELECT v.top, (SELECT count(*) FROM screening_visit WHERE id > v.top - %(recent)s),
    e.top, (SELECT count(*) FROM screening_flagevent WHERE id > e.top - %(recent)s)
FROM (SELECT coalesce(max(id), 0) AS top FROM screening_visit) v,
    (SELECT coalesce(max(id), 0) AS top FROM screening_flagevent) e
"""


def data_version() -> str:
    """Changes whenever a visit is recorded or a flag is opened, attached to or acted on."""
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(_DATA_VERSION, {"recent": RECENT})
        row = cursor.fetchone()
    return "/".join(str(value) for value in row)


def _visit_where(filters: Filters) -> tuple[str, dict[str, Any]]:
    """SQL conditions on current visits (no amendment points to them) of alias v, and params."""
    # NOT IN over the few amended ids hashes them once (the amends index without its NULLs);
    # NOT EXISTS made PostgreSQL hash all 1M index entries, 0.6 s of a 2.3 s query.
    clauses = ["v.id NOT IN (SELECT amends_id FROM screening_visit WHERE amends_id IS NOT NULL)"]
    params: dict[str, Any] = {"tz": settings.TIME_ZONE}
    clauses += _range_clauses("v.visit_at", filters, params)
    if filters.clinician_id is not None:
        clauses.append("v.clinician_id = %(clinician)s")
        params["clinician"] = filters.clinician_id
    return " AND ".join(clauses), params


def _range_clauses(column: str, filters: Filters, params: dict[str, Any]) -> list[str]:
    """Inclusive local dates as a half-open range of instants, so an index on `column` serves."""
    clauses = []
    start, end = day_range(filters.date_from, filters.date_to)
    if start is not None:
        params["start"] = start
        clauses.append(f"{column} >= %(start)s")
    if end is not None:
        params["end"] = end
        clauses.append(f"{column} < %(end)s")
    return clauses


def _frame(sql: str, params: dict[str, Any], columns: list[str]) -> pd.DataFrame:
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=columns)


# One pass over the current visits: each patient's latest visit (rank 1, newest first) carries
# its baseline (the first visit in range) alongside, so one sort serves both the cross-section
# and the follow-up; GROUPING SETS then counts both in the same scan.
_PER_PATIENT = """
WITH per_patient AS (
    SELECT v.patient_id, v.visit_at, v.back_pain, v.major_depression, v.regular_exercise,
        v.smoking, v.alcohol, v.height_cm, v.weight_kg,
        row_number() OVER newest_first AS rank,
        last_value(v.visit_at) OVER newest_first AS base_at,
        last_value(v.back_pain) OVER newest_first AS base_back_pain,
        last_value(v.major_depression) OVER newest_first AS base_depression
    FROM screening_visit v
    WHERE {where}
    WINDOW newest_first AS (
        PARTITION BY v.patient_id ORDER BY v.visit_at DESC, v.id DESC
        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
), aged AS (
    SELECT l.*, p.sex, p.education, p.earnings,
        extract(year FROM age((l.visit_at AT TIME ZONE %(tz)s)::date, p.date_of_birth)) AS age
    FROM per_patient l JOIN patients_patient p ON p.id = l.patient_id
    WHERE l.rank = 1
)"""
# Without filters each patient's latest and first current visit are already one row each in
# analytics_patientlatest (kept by the database: analytics/models.py).
_MAINTAINED = """
WITH aged AS (
    SELECT l.*, p.sex, p.education, p.earnings,
        extract(year FROM age((l.visit_at AT TIME ZONE %(tz)s)::date, p.date_of_birth)) AS age
    FROM analytics_patientlatest l JOIN patients_patient p ON p.id = l.patient_id
)"""
_COUNT_PATIENTS = """, latest AS (
    SELECT back_pain, major_depression,
        CASE WHEN age < 35 THEN 'under 35' WHEN age < 45 THEN '35-44' WHEN age < 55 THEN '45-54'
             WHEN age < 65 THEN '55-64' WHEN age < 75 THEN '65-74' ELSE '75 and over'
        END AS age_band,
        sex,
        coalesce(education, 'unknown') AS education,
        coalesce(earnings, 'unknown') AS earnings,
        CASE regular_exercise WHEN true THEN 'yes' WHEN false THEN 'no' ELSE 'unknown'
        END AS regular_exercise,
        coalesce(smoking, 'unknown') AS smoking,
        coalesce(alcohol, 'unknown') AS alcohol,
        CASE WHEN height_cm IS NULL OR weight_kg IS NULL THEN 'unknown'
             WHEN weight_kg / ((height_cm / 100.0) * (height_cm / 100.0)) >= 30 THEN 'obese'
             ELSE 'not obese' END AS obesity,
        visit_at >= base_at + interval '{follow_up}' AS followed,
        base_back_pain, base_depression
    FROM aged
)
SELECT GROUPING(followed) = 0, back_pain, major_depression,
    age_band, sex, education, earnings, regular_exercise, smoking, alcohol, obesity,
    followed, base_back_pain, base_depression, count(*)
FROM latest
GROUP BY GROUPING SETS (
    (back_pain, major_depression, age_band, sex, education, earnings, regular_exercise, smoking,
     alcohol, obesity),
    (followed, base_back_pain, base_depression, back_pain, major_depression)
)
"""


def patient_cells(filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Patients counted once each, by their latest current visit in range.

    First frame: one row per covariate pattern with its count n (the cross-section). Second: the
    patients with a visit 6+ months after their first in range, by baseline and latest status.
    """
    where, params = _visit_where(filters)
    columns = ["longitudinal", "back_pain", "major_depression", *COVARIATES]
    columns += ["followed", "base_back_pain", "base_depression", "n"]
    if filters.narrowed:
        sql = _PER_PATIENT.format(where=where) + _COUNT_PATIENTS.format(follow_up=FOLLOW_UP)
    else:
        sql = _MAINTAINED + _COUNT_PATIENTS.format(follow_up=FOLLOW_UP)
    frame = _frame(sql, params, columns)
    longitudinal = frame["longitudinal"].astype(bool)
    cells = frame.loc[~longitudinal, ["back_pain", "major_depression", *COVARIATES, "n"]]
    followed = frame.loc[longitudinal & frame["followed"].eq(True)]
    transitions = followed[
        ["base_back_pain", "base_depression", "back_pain", "major_depression", "n"]
    ]
    return cells.reset_index(drop=True), transitions.reset_index(drop=True)


_FLAGS = """
SELECT f.kind,
    count(*),
    count(*) FILTER (WHERE f.status = 'resolved'),
    count(*) FILTER (WHERE f.status <> 'resolved'),
    count(*) FILTER (WHERE f.status = 'resolved' AND f.outcome = ANY(%(confirmed)s)),
    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM f.resolved_at - f.opened_at))
        FILTER (WHERE f.status = 'resolved'),
    percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM f.resolved_at - f.opened_at))
        FILTER (WHERE f.status = 'resolved'),
    count(*) FILTER (WHERE f.status = 'resolved' AND f.outcome_instrument_id IS NOT NULL),
    count(*) FILTER (WHERE f.status = 'resolved' AND ri.positive
        AND (f.kind = 'safety' OR f.outcome = ANY(%(confirmed)s))),
    count(*) FILTER (WHERE f.status = 'resolved' AND f.outcome_instrument_id IS NULL
        AND f.outcome = ANY(%(confirmed)s))
FROM screening_flag f
-- by primary key, and only for the few flags resolved on a measure
LEFT JOIN screening_recordedinstrument ri ON ri.id = f.outcome_instrument_id{join}
WHERE {where}
GROUP BY f.kind
"""


def flag_yield(filters: Filters) -> list[FlagRow]:
    """Per flag kind (flags opened in range, raised by the clinician's visits): outcome and wait."""
    params: dict[str, Any] = {"confirmed": list(CONFIRMED)}
    clauses = ["TRUE", *_range_clauses("f.opened_at", filters, params)]
    join = ""
    if filters.clinician_id is not None:
        # the visit is joined only to filter by clinician: 1M visits are not read otherwise
        join = " JOIN screening_visit v ON v.id = f.visit_id"
        clauses.append("v.clinician_id = %(clinician)s")
        params["clinician"] = filters.clinician_id
    sql = _FLAGS.format(join=join, where=" AND ".join(clauses))
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    rows = []
    for kind in (FlagKind.ASSESS_DEPRESSION, FlagKind.ASSESS_BACK_PAIN, FlagKind.SAFETY):
        raised, resolved, unresolved, confirmed, median, p90, measured, by_measure, bare = (
            found.get(kind.value, (0, 0, 0, 0, None, None, 0, 0, 0))
        )
        waited = resolved >= MIN_CELL
        rows.append(
            FlagRow(
                kind=kind.value,
                label=kind.label,
                raised=raised,
                resolved=resolved,
                unresolved=unresolved,
                confirmed=None if kind is FlagKind.SAFETY else Proportion(confirmed, resolved),
                median_days=float(median) / 86400 if waited and median is not None else None,
                p90_days=float(p90) / 86400 if waited and p90 is not None else None,
                measured=measured,
                by_measure=by_measure,
                confirmed_unmeasured=None if kind is FlagKind.SAFETY else bare,
                measure_label=MEASURE_LABELS[kind],
            )
        )
    return rows


_VOLUME = """
SELECT date_trunc('month', v.visit_at AT TIME ZONE %(tz)s)::date,
    count(*), count(*) FILTER (WHERE v.back_pain), count(*) FILTER (WHERE v.major_depression)
FROM screening_visit v
WHERE {where}
GROUP BY 1
ORDER BY 1
"""


# Without filters: the quarter hours of analytics_visitvolume, added up by local month.
_MAINTAINED_VOLUME = """
SELECT date_trunc('month', bucket AT TIME ZONE %(tz)s)::date,
    sum(visits)::bigint, sum(back_pain)::bigint, sum(depression)::bigint
FROM analytics_visitvolume
GROUP BY 1
HAVING sum(visits) > 0
ORDER BY 1
"""


def screening_volume(filters: Filters) -> list[MonthRow]:
    """Current visits per calendar month in range, with empty months filled in."""
    where, params = _visit_where(filters)
    sql = _VOLUME.format(where=where) if filters.narrowed else _MAINTAINED_VOLUME
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        found = {row[0]: MonthRow(*row) for row in cursor.fetchall()}
    if not found:
        return []
    months = []
    month, last = min(found), max(found)
    while month <= last:
        months.append(found.get(month, MonthRow(month, 0, 0, 0)))
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months
