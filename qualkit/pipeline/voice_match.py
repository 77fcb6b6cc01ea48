"""Known voices: a recording's voice centroids against enrolled voiceprints.

A voiceprint is one speaker's mean embedding (a centroid) from a recording where the
user said who that voice is. A later recording's voices are compared with every
voiceprint by cosine similarity; each voiceprint names at most one voice and each voice
gets at most one voiceprint (an optimal one-to-one assignment, so one person is never
given two voices), and only pairs at or above a calibrated threshold count.

Pure numpy/scipy on arrays: no audio, no models, no store.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from qualkit.errors import InputError

Array = npt.NDArray[np.float32]

# Calibrated with bench/voiceprints.py on synthetic casts apart from the ones the figures
# in BENCHMARKS.md are reported on: the similarity with the most enrolled people named
# correctly less three times the share of others named wrongly. The calibration on
# 3-minute recordings (0.92) is used, not the one on 70-second ones (0.88): real focus
# groups are longer still, and a wrong name costs more than a missed one, which the
# coder gives by hand.
DEFAULT_THRESHOLD = 0.92


@dataclass(frozen=True, slots=True)
class VoiceMatch:
    """Voice `speaker` (a row of the centroids) is voiceprint `voiceprint` (a row of the
    prints), with cosine similarity `score`."""

    speaker: int
    voiceprint: int
    score: float


def unit_rows(x: Array) -> Array:
    """Rows scaled to length 1 (a zero row stays zero and matches nothing)."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2:
        raise InputError("Voice embeddings must be a table of vectors (one row per voice).")
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    out: Array = np.where(norm > 1e-9, x / np.maximum(norm, 1e-9), 0.0).astype(np.float32)
    return out


def similarities(centroids: Array, prints: Array) -> Array:
    """Cosine similarity of every voice (rows) with every voiceprint (columns)."""
    a, b = unit_rows(centroids), unit_rows(prints)
    if a.shape[0] and b.shape[0] and a.shape[1] != b.shape[1]:
        raise InputError(
            f"Voice embeddings of {a.shape[1]} and {b.shape[1]} dimensions cannot be "
            "compared: the voiceprint was made with another speaker model; enrol it again."
        )
    out: Array = (a @ b.T).astype(np.float32)
    return out


def check_threshold(threshold: float) -> float:
    if not 0.0 < threshold < 1.0:
        raise InputError(
            f"Voice threshold {threshold:g}: give a cosine similarity between 0 and 1 "
            f"(default {DEFAULT_THRESHOLD:g})."
        )
    return threshold


def match_voices(
    centroids: Array,
    prints: Array,
    threshold: float | None = DEFAULT_THRESHOLD,
    excluded: Collection[tuple[int, int]] = (),
) -> list[VoiceMatch]:
    """The one-to-one assignment of voices to voiceprints with the largest total
    similarity, using only pairs at or above `threshold` (None: every pair, the
    no-threshold baseline) and not in `excluded` ((voice, voiceprint) pairs a user
    undid). Sorted by voice."""
    from scipy.optimize import linear_sum_assignment

    if threshold is not None:
        check_threshold(threshold)
    sim = similarities(centroids, prints)
    if sim.size == 0:
        return []
    allowed = np.ones(sim.shape, dtype=bool)
    if threshold is not None:
        allowed &= sim >= threshold
    for i, j in excluded:
        if 0 <= i < sim.shape[0] and 0 <= j < sim.shape[1]:
            allowed[i, j] = False
    # Pairs that may not match weigh far below any real one, so the assignment takes
    # as many allowed pairs as it can, then the most similar; forced ones are dropped.
    weight = np.where(allowed, sim.astype(np.float64), -1e6)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    return [
        VoiceMatch(int(i), int(j), float(sim[i, j]))
        for i, j in sorted(zip(rows.tolist(), cols.tolist(), strict=True))
        if allowed[i, j]
    ]


def nearest_voices(centroids: Array, prints: Array) -> list[VoiceMatch]:
    """Every voice named after its nearest voiceprint, no threshold, not one-to-one:
    the naive baseline the benchmark measures against."""
    sim = similarities(centroids, prints)
    if sim.size == 0:
        return []
    best = np.argmax(sim, axis=1)
    return [VoiceMatch(i, int(j), float(sim[i, j])) for i, j in enumerate(best.tolist())]
