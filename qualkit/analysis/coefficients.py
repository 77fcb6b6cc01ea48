"""Agreement coefficients on a coders x units value matrix: no project, no store.

Values are nominal integers, -1 marks a unit a coder did not code (missing). Identical units
are collapsed into one weighted unit first, which keeps character-level agreement on a whole
study fast. Each coefficient equals its reference implementation (scikit-learn's Cohen's κ,
statsmodels' Fleiss' κ, the krippendorff package's nominal α); see tests/unit/test_agreement.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

MISSING = -1

FloatArray = npt.NDArray[np.float64]


# ------------------------------------------------------------------ coefficients
def _prepare(data: npt.ArrayLike, weights: npt.ArrayLike | None) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(data, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError("Reliability data must be a 2-d array: coders x units.")
    w = (
        np.ones(x.shape[1], dtype=np.float64)
        if weights is None
        else np.asarray(weights, dtype=np.float64)
    )
    if w.shape != (x.shape[1],):
        raise ValueError("One weight per unit.")
    return x, w


def _value_counts(x: FloatArray) -> FloatArray:
    """Units x categories: how many coders gave each value to each unit."""
    present = ~np.isnan(x)
    cats = np.unique(x[present])
    if cats.size == 0:
        return np.zeros((x.shape[1], 0))
    return np.stack([(x == c).sum(axis=0) for c in cats], axis=1).astype(np.float64)


def percent_agreement(data: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    """Mean share of agreeing coder pairs per unit (units coded by at least two), in percent."""
    x, w = _prepare(data, weights)
    counts = _value_counts(x)
    m = counts.sum(axis=1)
    ok = m >= 2
    if not ok.any():
        return math.nan
    agree = (counts[ok] * (counts[ok] - 1)).sum(axis=1) / (m[ok] * (m[ok] - 1))
    return float(100.0 * (w[ok] * agree).sum() / w[ok].sum())


def cohen_kappa(a: npt.ArrayLike, b: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    """Cohen's κ of two coders over the units both coded (NaN = missing)."""
    x, w = _prepare(np.vstack([np.asarray(a, dtype=float), np.asarray(b, dtype=float)]), weights)
    ok = ~np.isnan(x).any(axis=0)
    x, w = x[:, ok], w[ok]
    if x.shape[1] == 0:
        return math.nan
    cats, inverse = np.unique(x, return_inverse=True)
    inverse = inverse.reshape(x.shape)
    cm = np.zeros((cats.size, cats.size))
    np.add.at(cm, (inverse[0], inverse[1]), w)
    n = cm.sum()
    observed = np.trace(cm) / n
    expected = float(cm.sum(axis=1) @ cm.sum(axis=0)) / (n * n)
    if expected >= 1.0:
        return math.nan
    return float((observed - expected) / (1.0 - expected))


def fleiss_kappa(data: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    """Fleiss' κ over the units every coder coded."""
    x, w = _prepare(data, weights)
    complete = ~np.isnan(x).any(axis=0)
    x, w = x[:, complete], w[complete]
    raters = x.shape[0]
    if raters < 2 or x.shape[1] == 0:
        return math.nan
    counts = _value_counts(x)
    p_cat = (w[:, None] * counts).sum(axis=0) / (w.sum() * raters)
    p_unit = ((counts * counts).sum(axis=1) - raters) / (raters * (raters - 1))
    p_mean = float((w * p_unit).sum() / w.sum())
    p_expected = float((p_cat * p_cat).sum())
    if p_expected >= 1.0:
        return math.nan
    return (p_mean - p_expected) / (1.0 - p_expected)


def krippendorff_alpha(data: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    """Krippendorff's α for nominal data; NaN marks a missing value."""
    x, w = _prepare(data, weights)
    counts = _value_counts(x)
    m = counts.sum(axis=1)
    ok = m >= 2
    counts, m, w = counts[ok], m[ok], w[ok]
    if counts.shape[0] == 0 or counts.shape[1] < 2:
        return math.nan
    scale = w / (m - 1)
    coincidences = np.einsum("u,uc,uk->ck", scale, counts, counts) - np.diag(
        (scale[:, None] * counts).sum(axis=0)
    )
    n_c = coincidences.sum(axis=1)
    n = n_c.sum()
    disagreement_observed = coincidences.sum() - np.trace(coincidences)
    expected = np.outer(n_c, n_c) - np.diag(n_c)
    disagreement_expected = (expected.sum() - np.trace(expected)) / (n - 1)
    if disagreement_expected <= 0:
        return math.nan
    return float(1.0 - disagreement_observed / disagreement_expected)


def collapse_units(matrix: npt.NDArray[np.int8]) -> tuple[FloatArray, FloatArray]:
    """Identical unit columns collapsed to one with a weight: the same coefficients, faster.

    Input is coders x units with -1 for missing; output is float data with NaN and weights."""
    if matrix.shape[1] == 0:
        return np.zeros((matrix.shape[0], 0)), np.zeros(0)
    # One integer per column (values -1..15, so base 17) sorts far faster than
    # np.unique(axis=1), which compares columns as opaque byte strings.
    base = 17
    if matrix.shape[0] <= 15:
        digits = matrix.astype(np.int64) + 1
        weights = base ** np.arange(matrix.shape[0], dtype=np.int64)
        keys, counts = np.unique(weights @ digits, return_counts=True)
        columns = (keys[None, :] // weights[:, None]) % base - 1
    else:
        columns, counts = np.unique(matrix, axis=1, return_counts=True)
    data = columns.astype(np.float64)
    data[columns == MISSING] = np.nan
    return data, counts.astype(np.float64)


# ------------------------------------------------------------------- reports
def _clean(value: float) -> float | None:
    return None if math.isnan(value) else value


@dataclass(frozen=True, slots=True)
class Scores:
    """Agreement on one code (or the mean over codes)."""

    kappa: float | None
    alpha: float | None
    percent: float | None
    fleiss: float | None
    n: int  # units compared (coded by at least two of the coders)
    coded: int  # units compared that at least one coder coded with the code

    def as_dict(self) -> dict[str, Any]:
        return {
            "kappa": self.kappa,
            "alpha": self.alpha,
            "percent": self.percent,
            "fleiss": self.fleiss,
            "n": self.n,
            "coded": self.coded,
        }


def score(matrix: npt.NDArray[np.int8]) -> Scores:
    """All coefficients for one coders x units value matrix (-1 = missing)."""
    data, weights = collapse_units(matrix)
    present = ~np.isnan(data)
    pairable = present.sum(axis=0) >= 2
    # A unit only one coder saw is not compared, so it is not counted as coded either.
    coded = (np.nan_to_num(data, nan=0.0) > 0).any(axis=0) & pairable
    fleiss = fleiss_kappa(data, weights)
    kappa = cohen_kappa(data[0], data[1], weights) if data.shape[0] == 2 else fleiss
    return Scores(
        kappa=_clean(kappa),
        alpha=_clean(krippendorff_alpha(data, weights)),
        percent=_clean(percent_agreement(data, weights)),
        fleiss=_clean(fleiss),
        n=int(weights[pairable].sum()),
        coded=int(weights[coded].sum()),
    )


def mean_defined(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None
