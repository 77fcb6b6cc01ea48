"""Orders for the simulated coder of bench/suggest_coder.py: which passages to code next.

Each order gets the calibrated probabilities of the passages not yet coded (columns in the
suggester's key order), their embeddings, the number of codings per code so far and the
batch size, and returns row numbers, the batch first. The candidates for "uncertain next"
were fixed before any of them was run (see bench/suggest_coder.py for the rule).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from qualkit.analysis.calibration import margin_doubt
from qualkit.analysis.suggester import uncertain_order

Matrix = np.ndarray[Any, Any]
Order = Callable[[Matrix, Matrix, Matrix, int], list[int]]

# Information density (Settles & Craven 2008): the neighbourhood a passage stands for.
DENSITY_NEIGHBOURS = 10
# The spread-out order's damping (cosine to a pick to this power); the app's default
# until this comparison.
SHARPNESS = 8.0


def spread_out(proba: Matrix, vecs: Matrix, counts: Matrix, step: int) -> list[int]:
    """Today's order: margin, each pick damping the doubt of passages like it."""
    return uncertain_order(margin_doubt(proba), vecs, step, SHARPNESS)


def plain_margin(proba: Matrix, vecs: Matrix, counts: Matrix, step: int) -> list[int]:
    """Most doubtful first, nothing else (the order of two rounds ago)."""
    return uncertain_order(margin_doubt(proba), vecs, step)


def density_weighted(proba: Matrix, vecs: Matrix, counts: Matrix, step: int) -> list[int]:
    """Margin times the mean cosine to the passage's nearest uncoded neighbours, spread out:
    doubt about a passage that stands for many others teaches more than about an outlier."""
    sims = np.clip(vecs @ vecs.T, 0.0, 1.0)
    np.fill_diagonal(sims, 0.0)
    k = min(DENSITY_NEIGHBOURS, max(1, len(vecs) - 1))
    nearest = -np.sort(-sims, axis=1)[:, :k]
    return uncertain_order(margin_doubt(proba) * nearest.mean(axis=1), vecs, step, SHARPNESS)


def rare_half(proba: Matrix, vecs: Matrix, counts: Matrix, step: int) -> list[int]:
    """Half of each batch goes to the codes coded least so far (class-balanced active
    learning): in turn, the code with the fewest codings (counting this batch's picks by
    their most likely code) takes the passage most likely to be its own; the other half
    is today's spread-out margin order."""
    have = np.asarray(counts, dtype=float).copy()
    taken: list[int] = []
    free = np.ones(len(proba), dtype=bool)
    for _ in range(min(step // 2, len(proba))):
        code = int(np.argmin(have))
        j = int(np.argmax(np.where(free, proba[:, code], -np.inf)))
        taken.append(j)
        free[j] = False
        have[int(np.argmax(proba[j]))] += 1
    rest = np.flatnonzero(free)
    after = uncertain_order(margin_doubt(proba[rest]), vecs[rest], step - len(taken), SHARPNESS)
    return taken + [int(rest[i]) for i in after]


CANDIDATES: dict[str, Order] = {
    "uncertain next: spread out (today)": spread_out,
    "uncertain next: plain margin": plain_margin,
    "uncertain next: density-weighted spread out": density_weighted,
    "uncertain next: half from least-coded codes": rare_half,
}
TODAY = "uncertain next: spread out (today)"
