"""The analytics statistics on hand-checked counts: no database, no Django."""

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from analytics.intervals import (
    MIN_CELL,
    Proportion,
    odds_ratio,
    prevalence_ratio,
    ratio_suppressed,
    wilson,
    woolf,
)
from analytics.stats import odds_ratios

COVARIATES = ("age_band", "sex")


def test_wilson_interval_matches_the_published_example_when_81_of_263():
    # Newcombe 1998, Stat Med 17:857, example: 81/263 -> 0.2553 to 0.3662
    interval = wilson(81, 263)
    assert interval.value == pytest.approx(81 / 263)
    assert interval.low == pytest.approx(0.2553, abs=1e-4)
    assert interval.high == pytest.approx(0.3662, abs=1e-4)


def test_wilson_interval_stays_inside_zero_and_one_when_none_or_all_are_cases():
    assert wilson(0, 20).low == 0.0
    assert wilson(20, 20).high == 1.0


def test_wilson_interval_refuses_when_there_are_no_patients():
    with pytest.raises(ValueError, match="at least one patient"):
        wilson(0, 0)


def test_odds_ratio_is_ad_over_bc_when_given_a_two_by_two_table():
    assert odds_ratio(20, 80, 10, 90) == pytest.approx(20 * 90 / (80 * 10))


def test_woolf_interval_matches_the_log_scale_formula_when_cells_are_known():
    interval = woolf(20, 80, 10, 90)
    se = math.sqrt(1 / 20 + 1 / 80 + 1 / 10 + 1 / 90)
    assert interval.low == pytest.approx(2.25 * math.exp(-1.959964 * se), rel=1e-6)
    assert interval.high == pytest.approx(2.25 * math.exp(1.959964 * se), rel=1e-6)


def test_prevalence_ratio_and_katz_interval_when_risks_are_known():
    interval = prevalence_ratio(30, 100, 15, 100)
    se = math.sqrt(1 / 30 - 1 / 100 + 1 / 15 - 1 / 100)
    assert interval.value == pytest.approx(2.0)
    assert interval.low == pytest.approx(2.0 * math.exp(-1.959964 * se), rel=1e-6)
    assert interval.contains(2.0)


@pytest.mark.parametrize(
    ("k", "n", "suppressed"),
    [(10, 100, True), (11, 100, False), (95, 100, True), (89, 100, False), (0, 0, True)],
)
def test_proportion_is_suppressed_when_cases_or_non_cases_are_fewer_than_11(k, n, suppressed):
    share = Proportion(k, n)
    assert share.suppressed is suppressed
    assert (share.interval is None) is suppressed


def test_ratio_is_suppressed_when_any_of_its_four_cells_is_small():
    assert not ratio_suppressed(11, 22, 11, 22)
    assert ratio_suppressed(10, 40, 20, 40)
    assert ratio_suppressed(30, 40, 20, 40)
    assert MIN_CELL == 11


def _cells(table: dict[tuple[bool, bool, str, str], int]) -> pd.DataFrame:
    rows = [
        {"back_pain": bp, "major_depression": dep, "age_band": age, "sex": sex, "n": n}
        for (bp, dep, age, sex), n in table.items()
    ]
    return pd.DataFrame(rows)


def test_crude_or_equals_the_two_by_two_table_or_when_patterns_are_collapsed():
    table = {
        (True, True, "young", "male"): 30,
        (True, False, "young", "male"): 70,
        (False, True, "young", "male"): 40,
        (False, False, "young", "male"): 260,
        (True, True, "old", "female"): 25,
        (True, False, "old", "female"): 75,
        (False, True, "old", "female"): 20,
        (False, False, "old", "female"): 180,
        (False, False, "old", "male"): 15,
    }
    result = odds_ratios(
        _cells(table),
        outcome="major_depression",
        exposure="back_pain",
        covariates=COVARIATES,
        replicates=50,
    )
    a, b, c, d = 55, 145, 60, 455
    assert result.crude.value == pytest.approx(a * d / (b * c))
    assert result.crude_woolf.value == pytest.approx(a * d / (b * c))
    assert result.crude.low < result.crude.value < result.crude.high
    assert result.patients == 715


def test_weighted_fit_on_patterns_equals_the_fit_on_one_row_per_patient():
    table = {
        (True, True, "young", "male"): 30,
        (True, False, "young", "male"): 70,
        (False, True, "young", "male"): 40,
        (False, False, "young", "male"): 260,
        (True, True, "old", "female"): 25,
        (True, False, "old", "female"): 75,
        (False, True, "old", "female"): 20,
        (False, False, "old", "female"): 180,
        (True, True, "old", "male"): 12,
        (False, False, "young", "female"): 50,
    }
    cells = _cells(table)
    grouped = odds_ratios(
        cells, outcome="major_depression", exposure="back_pain", covariates=COVARIATES, replicates=1
    )
    patients = cells.loc[cells.index.repeat(cells["n"])]
    x = pd.get_dummies(patients[list(COVARIATES)], drop_first=True, dtype=float)
    x.insert(0, "back_pain", patients["back_pain"].astype(float))
    model = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-10)
    model.fit(x, patients["major_depression"])
    assert grouped.adjusted.value == pytest.approx(math.exp(model.coef_[0][0]), rel=1e-4)


def test_adjusted_or_moves_toward_one_when_age_drives_both_conditions():
    # Within each age band back pain and depression are independent (OR 1); old patients have
    # more of both, so the crude OR is inflated by age alone.
    table = {
        (True, True, "old", "male"): 120,
        (True, False, "old", "male"): 280,
        (False, True, "old", "male"): 30,
        (False, False, "old", "male"): 70,
        (True, True, "young", "male"): 10 * 2,
        (True, False, "young", "male"): 90 * 2,
        (False, True, "young", "male"): 40 * 2,
        (False, False, "young", "male"): 360 * 2,
    }
    result = odds_ratios(
        _cells(table),
        outcome="major_depression",
        exposure="back_pain",
        covariates=COVARIATES,
        replicates=100,
    )
    assert result.crude.value > 2
    assert result.adjusted.value == pytest.approx(1.0, abs=1e-6)
    assert result.adjusted.contains(1.0)
    assert not result.crude.contains(1.0)


def test_bootstrap_interval_is_the_same_when_run_twice_with_the_fixed_seed():
    table = {
        (True, True, "young", "male"): 30,
        (True, False, "young", "male"): 70,
        (False, True, "young", "male"): 40,
        (False, False, "young", "male"): 260,
    }
    first, second = (
        odds_ratios(
            _cells(table),
            outcome="major_depression",
            exposure="back_pain",
            covariates=COVARIATES,
            replicates=30,
        )
        for _ in range(2)
    )
    assert first == second


def test_duplicate_unknown_indicators_are_dropped_when_covariates_are_missing_together():
    # a blank covariate section leaves exercise and alcohol unknown on the same patients
    rows = []
    for bp, dep, n_known, n_unknown in [(True, True, 40, 12), (True, False, 90, 20)]:
        rows += [(bp, dep, "yes", "none", n_known), (bp, dep, "unknown", "unknown", n_unknown)]
    for bp, dep, n_known, n_unknown in [(False, True, 50, 15), (False, False, 300, 40)]:
        rows += [(bp, dep, "yes", "none", n_known), (bp, dep, "unknown", "unknown", n_unknown)]
    cells = pd.DataFrame(
        rows, columns=["back_pain", "major_depression", "exercise", "alcohol", "n"]
    )

    both = odds_ratios(
        cells,
        outcome="major_depression",
        exposure="back_pain",
        covariates=("exercise", "alcohol"),
        replicates=20,
    )
    one = odds_ratios(
        cells,
        outcome="major_depression",
        exposure="back_pain",
        covariates=("exercise",),
        replicates=20,
    )

    assert both.dropped_columns == ("alcohol_unknown",)
    assert both.adjusted.value == pytest.approx(one.adjusted.value, rel=1e-6)
