"""Speaker embeddings re-scaled so that one person's sub-segments lie closer together.

A CAM++ embedding of a 1.5 s sub-segment moves with what is being said, not only with
who says it. On the hard benchmark audio the two closest people's centroids reach
cosine 0.82-0.92, as close as a sub-segment lies to its own person's centroid, and a
partition into the right number of voices then splits the moderator and joins two
participants (BENCHMARKS.md, "What a clustering that found the people would reach").

Speaker recognition removes that variation with a within-speaker covariance learnt from
labelled speakers (LDA / PLDA). A recording carries its own labels for it, for free:
two sub-segments a couple of seconds apart inside one continuous stretch of speech are
nearly always the same person. Their differences estimate how one voice varies; the
embeddings are then whitened by that covariance (shrunk towards the identity, so that
directions seen rarely are not blown up) and length-normalised again. No model, no
training data, a 192 x 192 eigendecomposition: milliseconds.

Arrays only: no audio, no models, no store.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from qualkit.pipeline.speaker_clustering import normalise

Array = npt.NDArray[np.float32]

# Fewer same-stretch pairs than this (a recording of a few seconds): leave the space alone.
MIN_PAIRS = 20


def same_voice_pairs(spans: Array, x: Array, gap: int, min_cos: float) -> npt.NDArray[np.intp]:
    """(i, j) pairs of sub-segments `gap` steps apart in one continuous stretch of speech.

    A stretch is continuous where no step is longer than the embedder's usual step. At
    the usual step (1.5 s windows every 0.6 s) three steps share no audio, which would
    shrink the difference; a stretch's last sub-segment, moved back to end with the
    speech, can share some (12-14 % of the pairs on the benchmark audio). Leaving those
    out was measured and lost on the calibration recordings (BENCHMARKS.md). A pair less
    similar than `min_cos` is most likely a change of speaker and is left out; changes
    between close voices are not caught by it (12-19 % of the pairs), which the
    shrinkage in `whiten_within_speaker` has to absorb."""
    n = len(spans)
    if n <= gap:
        return np.zeros((0, 2), dtype=np.intp)
    unsorted = np.asarray(spans, dtype=np.float64)[:, 0]
    order = np.argsort(unsorted, kind="stable")
    starts = unsorted[order]
    steps = np.diff(starts)
    usual = float(np.median(steps)) if steps.size else 0.0
    broken = np.concatenate([[0], np.cumsum(steps > 1.1 * usual)])
    i = np.arange(n - gap)
    j = i + gap
    similar = np.sum(x[order[i]] * x[order[j]], axis=1) >= min_cos
    keep = (broken[i] == broken[j]) & similar
    return np.stack([order[i[keep]], order[j[keep]]], axis=1)


def whiten_within_speaker(
    spans: Array, vectors: Array, shrink: float = 1.0, gap: int = 3, min_cos: float = 0.5
) -> Array:
    """The embeddings, centred, whitened by their within-speaker covariance and
    length-normalised. `shrink` is added to the covariance after scaling it to a mean
    eigenvalue of 1 (1.0: half-way between whitening and leaving the space alone)."""
    x = normalise(vectors)
    pairs = same_voice_pairs(spans, x, gap, min_cos)
    # A broken embedding (NaN) would spread through the mean to every row: leave it alone.
    if len(pairs) < MIN_PAIRS or not np.all(np.isfinite(x)):
        return x
    diff = (x[pairs[:, 0]] - x[pairs[:, 1]]).astype(np.float64)
    within = diff.T @ diff / (2 * len(diff))
    within *= within.shape[0] / max(float(np.trace(within)), 1e-12)
    eigvals, eigvecs = np.linalg.eigh(within + shrink * np.eye(within.shape[0]))
    transform = eigvecs @ np.diag(np.maximum(eigvals, 1e-6) ** -0.5) @ eigvecs.T
    z = (x - x.mean(axis=0)) @ transform
    out: Array = (z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-9)).astype(np.float32)
    return out
