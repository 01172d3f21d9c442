"""The statistics behind the analytics page, as pure functions over counts and pandas frames.

No Django imports: the page's SQL hands these functions grouped counts, never one row per visit,
and the unit tests check them without a database (docs/analytics.md explains the methods).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.linalg import LinAlgWarning
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from analytics.intervals import Interval, odds_ratio, woolf

BOOTSTRAP_REPLICATES = 200
BOOTSTRAP_SEED = 20230304  # fixed, so a page shows the same interval for the same data


@dataclass(frozen=True)
class OddsRatios:
    """Crude and adjusted odds ratios from one set of bootstrap replicates."""

    crude: Interval
    adjusted: Interval
    crude_woolf: Interval
    replicates: int
    patients: int
    design_columns: tuple[str, ...]
    dropped_columns: tuple[str, ...]


def design_matrix(
    cells: pd.DataFrame, exposure: str, covariates: Sequence[str], weights: np.ndarray
) -> tuple[sparse.csr_matrix, tuple[str, ...], tuple[str, ...]]:
    """The exposure plus one indicator per non-reference level of each covariate (sparse),
    without indicators that duplicate others; returns the matrix, kept and dropped columns."""
    dummies = pd.get_dummies(cells[list(covariates)].astype(str), drop_first=True, dtype=float)
    frame = pd.concat([cells[exposure].astype(float).rename(exposure), dummies], axis=1)
    kept = _independent(frame.to_numpy(dtype=float), weights)
    dropped = tuple(name for i, name in enumerate(frame.columns) if i not in kept)
    frame = frame.iloc[:, kept]
    return sparse.csr_matrix(frame.to_numpy(dtype=float)), tuple(frame.columns), dropped


def _independent(x: np.ndarray, weights: np.ndarray) -> list[int]:
    """Indices of columns, in order, that are not linear combinations of earlier ones or of the
    intercept. A covariate missing on the same patients as another (a blank form section) gives
    identical "unknown" indicators, which leave the fit without a unique answer."""
    design = np.column_stack([np.ones(len(x)), x])
    gram = design.T @ (design * weights[:, None])
    kept = [0]
    for j in range(1, design.shape[1]):
        trial = [*kept, j]
        if np.linalg.matrix_rank(gram[np.ix_(trial, trial)]) == len(trial):
            kept.append(j)
    return [j - 1 for j in kept[1:]]


def _model() -> LogisticRegression:
    # C=inf is scikit-learn 1.9's spelling of penalty=None (the keyword is deprecated): a plain
    # maximum-likelihood fit, as in the study. Newton-Cholesky suits many rows, few columns.
    return LogisticRegression(C=np.inf, solver="newton-cholesky", max_iter=100, warm_start=True)


def _exposure_or(
    model: LogisticRegression, x: sparse.csr_matrix, y: np.ndarray, w: np.ndarray
) -> float:
    model.fit(x, y, sample_weight=w)
    return float(math.exp(model.coef_[0][0]))


def _crude_from_weights(masks: tuple[np.ndarray, ...], w: np.ndarray) -> float:
    a, b, c, d = (float(w[mask].sum()) for mask in masks)
    return a * d / (b * c) if b * c > 0 else math.inf


def _percentile_interval(value: float, draws: np.ndarray) -> Interval:
    finite = draws[np.isfinite(draws) & (draws > 0)]
    low, high = np.percentile(finite, [2.5, 97.5])
    return Interval(value, float(low), float(high))


def odds_ratios(
    cells: pd.DataFrame,
    *,
    outcome: str,
    exposure: str,
    covariates: Sequence[str],
    count: str = "n",
    replicates: int = BOOTSTRAP_REPLICATES,
    seed: int = BOOTSTRAP_SEED,
) -> OddsRatios:
    """Crude and covariate-adjusted ORs of `outcome` for `exposure`, with bootstrap 95% intervals.

    `cells` holds one row per covariate pattern with its patient count: the logistic regression is
    fitted on those rows with the counts as weights, which gives the same estimate as one row per
    patient. Each bootstrap replicate resamples patients (a multinomial draw over the patterns).
    """
    n = cells[count].to_numpy(dtype=np.int64)
    y = cells[outcome].to_numpy(dtype=int)
    x, columns, dropped = design_matrix(cells, exposure, covariates, n.astype(float))
    e = cells[exposure].to_numpy(dtype=bool)
    o = y.astype(bool)
    masks = (e & o, e & ~o, ~e & o, ~e & ~o)
    a, b, c, d = (int(n[mask].sum()) for mask in masks)
    total = int(n.sum())
    rng = np.random.default_rng(seed)
    model = _model()
    crude_draws = np.empty(replicates)
    adjusted_draws = np.empty(replicates)
    with warnings.catch_warnings():
        # a rare covariate level can separate in one replicate; the exposure's estimate stands
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        # collinear covariates (a small filtered group) make Newton fall back to L-BFGS
        warnings.simplefilter("ignore", LinAlgWarning)
        adjusted = _exposure_or(model, x, y, n.astype(float))
        start = model.coef_.copy(), model.intercept_.copy()
        shares = n / total
        for i in range(replicates):
            w = rng.multinomial(total, shares).astype(float)
            crude_draws[i] = _crude_from_weights(masks, w)
            model.coef_, model.intercept_ = start[0].copy(), start[1].copy()
            # patterns no patient was drawn from add nothing to the likelihood: skip their rows
            drawn = w > 0
            adjusted_draws[i] = _exposure_or(model, x[drawn], y[drawn], w[drawn])
    crude = odds_ratio(a, b, c, d)
    return OddsRatios(
        crude=_percentile_interval(crude, crude_draws),
        adjusted=_percentile_interval(adjusted, adjusted_draws),
        crude_woolf=woolf(a, b, c, d),
        replicates=replicates,
        patients=total,
        design_columns=columns,
        dropped_columns=dropped,
    )
