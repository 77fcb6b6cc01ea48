"""Scores that mean what they say: temperature scaling fitted on held-out predictions.

A blend of three models in log space is over- or under-confident by construction. One
temperature T, fitted by minimising the log loss of predictions made on examples the models
did not train on, rescales the scores (p ** (1/T), renormalised) without changing their
order. The expected calibration error measures what is left: the gap between how sure the
top score says it is and how often it is right, averaged over bins of confidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qualkit.analysis.profiles import softmax

FloatMatrix = np.ndarray[Any, Any]

# Searched on a log grid: the loss is smooth and one-dimensional, so a grid is exact enough
# and needs no optimiser.
_TEMPERATURES = np.exp(np.linspace(np.log(0.2), np.log(5.0), 81))
# Cells (temperatures x passages x codes) held at once while the temperature is fitted.
_BLOCK_CELLS = 2_000_000


def apply_temperature(proba: FloatMatrix, temperature: float) -> FloatMatrix:
    """Rescale rows of probabilities; the order of the codes in each row is unchanged."""
    if temperature == 1.0 or not len(proba):
        return proba
    return softmax(np.log(np.clip(proba, 1e-12, 1.0)) / temperature)


def fit_temperature(proba: FloatMatrix, truth: Sequence[int]) -> float:
    """The temperature minimising the log loss of held-out `proba` against column indices."""
    if not len(proba):
        return 1.0
    logs = np.log(np.clip(proba, 1e-12, 1.0))
    best, best_loss = 1.0, np.inf
    for t, loss in zip(_TEMPERATURES, _temperature_losses(logs, truth), strict=True):
        if loss < best_loss - 1e-12:
            best, best_loss = float(t), float(loss)
    return best


def _temperature_losses(logs: FloatMatrix, truth: Sequence[int]) -> np.ndarray[Any, Any]:
    """The log loss at every grid temperature, for a block of temperatures at once.

    The blend-weight search fits a temperature for each of some 1,400 candidates, and one
    softmax per grid point made that search most of a fit's time. Here the loss is the
    picked log-probability less the log-sum-exp of the row, codes along the first axis so
    that the reductions run over whole rows of passages. Equal to the softmax form up to
    rounding (about 1e-14), far below the 1e-12 a temperature must win by."""
    cols = np.asarray(truth, dtype=int)
    by_code = np.ascontiguousarray(logs.T)  # codes x passages
    picked_logs = logs[np.arange(len(logs)), cols]
    per_block = max(1, _BLOCK_CELLS // max(1, logs.size))
    losses = []
    for start in range(0, len(_TEMPERATURES), per_block):
        temps = _TEMPERATURES[start : start + per_block, None]
        z = by_code[None, :, :] / temps[:, :, None]
        top = z.max(axis=1)
        log_norm = top + np.log(np.exp(z - top[:, None, :]).sum(axis=1))
        picked = np.maximum(picked_logs[None, :] / temps - log_norm, np.log(1e-12))
        losses.append(-picked.mean(axis=1))
    return np.concatenate(losses)


def margin_doubt(proba: FloatMatrix) -> FloatMatrix:
    """1 - (best - second best probability) per row: high means the coder's answer on the
    passage teaches the model most."""
    if np.ndim(proba) != 2 or proba.shape[1] < 2:
        return np.zeros(len(proba))
    top = np.sort(proba, axis=1)
    return np.asarray(1.0 - (top[:, -1] - top[:, -2]))


def expected_calibration_error(
    confidence: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> float:
    """Mean |accuracy - confidence| over equal-width confidence bins, weighted by bin size."""
    conf = np.asarray(confidence, dtype=float)
    hit = np.asarray(correct, dtype=float)
    if not len(conf):
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            error += inside.mean() * abs(hit[inside].mean() - conf[inside].mean())
    return float(error)


def fit_code_bias(
    proba: FloatMatrix, truth: Sequence[int], penalty: float = 0.1, steps: int = 300
) -> FloatMatrix:
    """Per-code log offsets that make held-out predictions fair to every code.

    The offsets minimise the class-balanced log loss (each code's examples weigh alike,
    whatever their count) of softmax(log proba + offset), plus `penalty` times their squared
    size; a code with no held-out example keeps offset 0. A code the blend under-ranks on
    examples it did not train on (rare, or worded like a larger one) is lifted just enough;
    the order of codes within a row changes only where an offset tips it."""
    n, k = np.shape(proba) if np.ndim(proba) == 2 else (0, 0)
    bias = np.zeros(k)
    if not n:
        return bias
    cols = np.asarray(truth, dtype=int)
    counts = np.bincount(cols, minlength=k).astype(float)
    present = counts > 0
    weight = 1.0 / (present.sum() * counts[cols])
    target = np.zeros((n, k))
    target[np.arange(n), cols] = 1.0
    logs = np.log(np.clip(proba, 1e-12, 1.0))
    # Gradient descent with a fixed step: the loss is convex and smooth in the offsets, and
    # its curvature is at most 1/2 + 2 * penalty, so a step of 1 converges.
    for _ in range(steps):
        q = softmax(logs + bias)
        grad = (weight[:, None] * (q - target)).sum(axis=0) + 2.0 * penalty * bias
        grad[~present] = 0.0
        bias -= grad
    return np.asarray(bias)


def _balanced_log_loss(proba: FloatMatrix, cols: np.ndarray[Any, Any]) -> float:
    """Log loss with every code's examples weighing alike, whatever their count."""
    counts = np.bincount(cols, minlength=proba.shape[1]).astype(float)
    weight = 1.0 / ((counts > 0).sum() * counts[cols])
    picked = np.clip(proba[np.arange(len(cols)), cols], 1e-12, 1.0)
    return -float(np.sum(weight * np.log(picked)))


def fit_blend_weights(
    member_logs: Sequence[FloatMatrix],
    log_share: FloatMatrix,
    truth: Sequence[int],
    boosts: Sequence[float] = (0.3,),
    step: float = 0.1,
) -> tuple[tuple[float, ...], float]:
    """Weights on the simplex for log-probability members, and a rare-code boost, fitted on
    held-out predictions.

    Each candidate blend softmax(sum w_m * log p_m - boost * log_share) gets its own
    temperature (as the suggester's calibration would) and is judged by the class-balanced
    log loss, so a member that only helps the large codes does not win. Searched on a grid:
    the members are few. Returns the weights and the boost."""
    cols = np.asarray(truth, dtype=int)
    m = len(member_logs)
    best: tuple[tuple[float, ...], float] = (tuple(1.0 / max(1, m) for _ in range(m)), boosts[0])
    if not len(cols) or m == 0:
        return best
    units = round(1.0 / step)
    best_loss = np.inf
    for boost in boosts:
        for combo in _simplex(m, units):
            w = [c / units for c in combo]
            log = sum(wi * lm for wi, lm in zip(w, member_logs, strict=True))
            blend = softmax(log - boost * log_share)
            scaled = apply_temperature(blend, fit_temperature(blend, cols.tolist()))
            loss = _balanced_log_loss(scaled, cols)
            if loss < best_loss - 1e-12:
                best, best_loss = (tuple(w), float(boost)), loss
    return best


def _simplex(parts: int, units: int) -> list[tuple[int, ...]]:
    """Every way to share `units` among `parts` members (whole units)."""
    if parts == 1:
        return [(units,)]
    return [(u, *rest) for u in range(units + 1) for rest in _simplex(parts - 1, units - u)]


def fit_recall_offsets(
    proba: FloatMatrix,
    truth: Sequence[int],
    min_count: int = 3,
    passes: int = 3,
) -> FloatMatrix:
    """Per-code log offsets that even out recall of the top code on held-out predictions.

    Coordinate search on a grid (-2..2 in steps of 0.1) maximising the mean recall over the
    codes present plus half the lowest recall among codes with at least `min_count` held-out
    examples, less 0.001 per unit of offset (so that, of equal choices, the smallest wins).
    Unlike `fit_code_bias`, which fits probabilities, this fits the decision: a code the
    blend ranks second on its own passages is lifted until it is ranked first about as often
    as the others are."""
    n, k = np.shape(proba) if np.ndim(proba) == 2 else (0, 0)
    bias = np.zeros(k)
    if not n:
        return bias
    cols = np.asarray(truth, dtype=int)
    counts = np.bincount(cols, minlength=k)
    present = np.flatnonzero(counts > 0)
    judged = np.flatnonzero(counts >= min_count)
    logs = np.log(np.clip(proba, 1e-12, 1.0))
    grid = np.round(np.linspace(-2.0, 2.0, 41), 6)

    def objective(b: FloatMatrix) -> float:
        pred = np.argmax(logs + b, axis=1)
        recall = np.zeros(k)
        for j in present:
            recall[j] = np.mean(pred[cols == j] == j)
        low = float(recall[judged].min()) if len(judged) else 0.0
        return float(recall[present].mean()) + 0.5 * low - 0.001 * float(np.abs(b).sum())

    best = objective(bias)
    for _ in range(passes):
        changed = False
        for j in present:
            for v in grid:
                trial = bias.copy()
                trial[j] = v
                score = objective(trial)
                if score > best + 1e-12:
                    best, bias, changed = score, trial, True
        if not changed:
            break
    return np.asarray(bias)
