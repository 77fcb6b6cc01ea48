"""Second pass over the voice labels: use time, which clustering ignores.

Clustering labels every sub-segment (about 1.5 s of speech, windows overlapping in
time) on its own, so inside one person's long turn a single window that happens to
sound like a close voice is given to that voice: a typical share of speaker confusion
on reverberant audio with close voices. Two remedies, both on arrays only:

- `smooth_labels`: a Viterbi pass over the sub-segments in time order. Each sub-segment
  scores its cosine similarity to every voice's centroid; changing voice between two
  sub-segments that overlap in time (continuous speech) costs `penalty`, changing
  across a pause is free. A few rounds re-estimate the centroids from the smoothed
  labels (a simple, hard-decision cousin of VBx's HMM resegmentation).
- `recluster_runs`: average the embeddings of each run of same-label sub-segments
  (a turn, roughly) and cluster those averages again; every sub-segment takes its
  run's new voice. A turn's average is a cleaner sample of a voice than one window.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from qualkit.pipeline.speaker_clustering import centroids, normalise

Array = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]


def continuous(spans: Array) -> npt.NDArray[np.bool_]:
    """For each sub-segment (in the given order), whether it overlaps the one before:
    the same stretch of speech, where a change of voice must be paid for."""
    s = np.asarray(spans, dtype=np.float64)
    out = np.zeros(len(s), dtype=bool)
    if len(s) > 1:
        out[1:] = s[1:, 0] < s[:-1, 1]
    return out


def viterbi(
    scores: npt.NDArray[np.float64], linked: npt.NDArray[np.bool_], penalty: float
) -> Labels:
    """The column path through `scores` (rows in time order) with the highest total,
    paying `penalty` for each change of column between linked rows."""
    n, k = scores.shape
    back = np.zeros((n, k), dtype=np.int64)
    total = scores[0].copy()
    stay = np.arange(k)
    for t in range(1, n):
        best = int(np.argmax(total))
        cost = penalty if linked[t] else 0.0
        switch = total[best] - cost
        take = switch > total
        back[t] = np.where(take, best, stay)
        total = np.where(take, switch, total) + scores[t]
    path = np.zeros(n, dtype=np.int64)
    path[-1] = int(np.argmax(total))
    for t in range(n - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def smooth_labels(
    spans: Array, x: Array, labels: Labels, penalty: float, rounds: int = 1
) -> Labels:
    """Labels after a Viterbi pass over sub-segments in time order (see module doc).

    Voices keep their ids; a voice the pass empties keeps its last centroid, so it can
    win sub-segments back in a later round. With `penalty` 0 this is spherical k-means
    started from the clustering."""
    if len(labels) < 2 or rounds < 1:
        return labels
    x = normalise(x)
    order = np.argsort(np.asarray(spans)[:, 0], kind="stable")
    xs, cur = x[order], labels[order].copy()
    linked = continuous(np.asarray(spans)[order])
    ids, cents = centroids(xs, cur)
    if len(ids) < 2:
        return labels
    for _ in range(rounds):
        path = viterbi((xs @ cents.T).astype(np.float64), linked, penalty)
        new = ids[path]
        if np.array_equal(new, cur):
            break
        cur = new
        for j, i in enumerate(ids):
            members = xs[cur == i]
            if len(members):
                cents[j] = normalise(members.mean(0, keepdims=True))[0]
    out = labels.copy()
    out[order] = cur
    return out


def runs(spans: Array, labels: Labels) -> Labels:
    """A run index per sub-segment (in the given order): consecutive sub-segments with
    the same label and no pause between them share a run."""
    linked = continuous(spans)
    change = np.ones(len(labels), dtype=bool)
    if len(labels) > 1:
        change[1:] = (labels[1:] != labels[:-1]) | ~linked[1:]
    return np.cumsum(change) - 1


def recluster_runs(
    spans: Array,
    x: Array,
    labels: Labels,
    cluster: Callable[[Array], Labels],
    min_runs: int = 10,
) -> Labels:
    """Each run's mean embedding clustered again by `cluster`; sub-segments take their
    run's new label. Too few runs to cluster leaves the labels as they are."""
    order = np.argsort(np.asarray(spans)[:, 0], kind="stable")
    run = runs(np.asarray(spans)[order], labels[order])
    count = int(run[-1]) + 1 if len(run) else 0
    if count < min_runs:
        return labels
    xs = normalise(x)[order]
    means = normalise(np.stack([xs[run == r].mean(0) for r in range(count)]))
    new = cluster(means)[run]
    out = labels.copy()
    out[order] = new
    return out
