"""Speaker embeddings to voices: one label per sub-segment, honouring count hints.

Three methods, chosen by `DiarizeOptions.clustering`:

- "spectral" (the default): 3D-Speaker's spectral clustering (pruned cosine affinity,
  eigengap count) on all sub-segments or an even sample of long recordings, every
  sub-segment then re-assigned to the nearest voice centroid. A count hint either asks
  for exactly that many voices ("oracle") or lets the eigengap find at least that many
  and merges the closest down to it ("merge").
- "ahc": agglomerative clustering (average linkage on cosine distance) cut at a
  calibrated similarity, small clusters folded into the nearest voice, re-assignment to
  the final centroids; measured and not chosen (BENCHMARKS.md).
- "legacy": what qualkit did before, kept for the benchmark: senko's spectral
  clustering (eigengap count) under 20 minutes, UMAP+HDBSCAN from 20 minutes.

Everything here is numpy/scipy on arrays: no audio, no models, no store.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]


def normalise(x: Array) -> Array:
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    out: Array = (x / np.maximum(norm, 1e-9)).astype(np.float32)
    return out


def centroids(x: Array, labels: Labels) -> tuple[Labels, Array]:
    ids = np.unique(labels)
    return ids, normalise(np.stack([x[labels == i].mean(0) for i in ids]))


def merge_clusters(
    x: Array, labels: Labels, threshold: float | None, lo: int = 1, hi: int | None = None
) -> Labels:
    """Merge the two most similar voices while they are closer than `threshold`
    (and more than `lo` remain), and regardless of similarity while more than `hi` remain."""
    labels = labels.copy()
    while True:
        ids, cents = centroids(x, labels)
        n = len(ids)
        if n <= 1:
            return labels
        sim = cents @ cents.T
        np.fill_diagonal(sim, -np.inf)
        i, j = np.unravel_index(int(np.argmax(sim)), sim.shape)
        too_many = hi is not None and n > hi
        similar = threshold is not None and sim[i, j] >= threshold and n > lo
        if not (too_many or similar):
            return labels
        labels[labels == ids[j]] = ids[i]


def absorb_small(x: Array, labels: Labels, min_size: int) -> Labels:
    """Noise (-1) and clusters under `min_size` members go to the nearest real voice."""
    labels = labels.copy()
    ids, counts = np.unique(labels, return_counts=True)
    keep = [i for i, c in zip(ids, counts, strict=True) if i >= 0 and c >= min_size]
    if not keep:
        return np.zeros_like(labels)
    cents = normalise(np.stack([x[labels == i].mean(0) for i in keep]))
    bad = ~np.isin(labels, keep)
    if bad.any():
        labels[bad] = np.asarray(keep)[np.argmax(x[bad] @ cents.T, axis=1)]
    return labels


def reassign(x: Array, sample: Array, sample_labels: Labels, rounds: int = 3) -> Labels:
    """Every row of `x` to the nearest voice centroid, centroids refined a few rounds
    (spherical k-means started from the clustering): a sub-segment that AHC chained into
    the wrong voice, or that the sample left out, goes where it fits best."""
    _, cents = centroids(sample, sample_labels)
    labels: Labels = np.argmax(x @ cents.T, axis=1).astype(np.int64)
    for _ in range(rounds):
        present = np.unique(labels)
        cents = normalise(np.stack([x[labels == i].mean(0) for i in present]))
        new: Labels = present[np.argmax(x @ cents.T, axis=1)].astype(np.int64)
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def even_sample(n: int, limit: int) -> npt.NDArray[np.intp]:
    """Indices of every k-th row, so each part of a long recording is present."""
    step = max(1, -(-n // limit))
    return np.arange(0, n, step)


def ahc_labels(
    x: Array,
    lo: int,
    hi: int | None,
    threshold: float,
    merge_cos: float,
    min_size: int,
    max_points: int,
) -> Labels:
    """Agglomerative clustering cut at cosine similarity `threshold` (on purpose a little
    too high: better one person in two clusters than two people in one), re-assignment to
    the centroids, then voices whose centroids are closer than `merge_cos` are one person.
    The result is fitted to [lo, hi] voices by cutting the tree higher or lower."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n = x.shape[0]
    idx = even_sample(n, max_points)
    sample = x[idx]
    tree = linkage(sample.astype(np.float64), method="average", metric="cosine")
    small = max(min_size, round(min_size * len(idx) / n))

    def cut(t: float, criterion: str) -> Labels:
        raw = np.asarray(fcluster(tree, t=t, criterion=criterion), dtype=np.int64)
        return reassign(sample, sample, absorb_small(sample, raw, small))

    labels = cut(t=1.0 - threshold, criterion="distance")
    if hi is not None and len(np.unique(labels)) > hi:
        # Too many for the hint: the tree's own cut at `hi` beats merging centroids
        # greedily (DER 15.7% vs 31.5% with a hint on the 3-minute calibration case).
        for k in range(hi, 0, -1):
            labels = cut(t=k, criterion="maxclust")
            if len(np.unique(labels)) <= hi:
                break
    labels = merge_clusters(sample, labels, merge_cos, lo, hi)
    if len(np.unique(labels)) < lo:
        # Cut lower in the tree until `lo` voices of real size appear.
        for k in range(lo, min(len(idx), lo + 40)):
            labels = cut(t=k, criterion="maxclust")
            if len(np.unique(labels)) >= lo:
                break
        labels = merge_clusters(sample, labels, None, lo, hi)
    full = reassign(x, sample, labels)
    # Re-assignment can leave a voice too small: fold it and fit the bounds again.
    full = absorb_small(x, full, min_size)
    return merge_clusters(x, full, None, lo, hi)


def sampled_spectral_labels(
    x: Array,
    lo: int,
    hi: int | None,
    oracle: int | None,
    merge_cos: float,
    max_points: int,
    hint_mode: str = "oracle",
) -> Labels:
    """Spectral clustering (eigengap count, or `oracle` voices when the count is given) on
    an even sample of at most `max_points` sub-segments, then every sub-segment
    re-assigned to the nearest voice centroid. For recordings that fit the sample this is
    exactly the short-recording method qualkit always had; longer ones get the same method
    instead of UMAP+HDBSCAN, with cost and memory flat in length."""
    idx = even_sample(x.shape[0], max_points)
    sample = x[idx]
    labels = np.zeros(0, dtype=np.int64)
    if oracle is not None and hint_mode == "best":
        labels = best_partition(sample, oracle)
    elif oracle is not None and hint_mode == "merge":
        # The eigengap's own count, at least the hint, then the closest voices merged
        # down to it: forcing k voices on spectral clustering can merge two people and
        # split a third instead. Too few voices of real size left: the oracle count.
        free = spectral_labels(sample, oracle, max(15, oracle))
        labels = absorb_small(sample, free, 4)
        if len(np.unique(labels)) < oracle:
            labels = np.zeros(0, dtype=np.int64)
    if not labels.size:
        labels = absorb_small(sample, spectral_labels(sample, lo, hi or 15, oracle), 4)
    labels = merge_clusters(sample, labels, None if oracle else merge_cos, lo, hi)
    if len(idx) == x.shape[0]:
        return labels
    return merge_clusters(x, reassign(x, sample, labels), None, lo, hi)


def coherence(x: Array, labels: Labels) -> float:
    """Mean cosine similarity of each sub-segment to its own voice's centroid."""
    ids, cents = centroids(x, labels)
    own = cents[np.searchsorted(ids, labels)]
    return float(np.mean(np.sum(x * own, axis=1)))


def best_partition(x: Array, k: int) -> Labels:
    """With the count given: several partitions into `k` voices (spectral clustering
    asked for `k`; its own eigengap count merged down to `k`; average-linkage AHC cut at
    `k`; k-means), each refined by re-assignment to its centroids, and the one whose
    sub-segments lie closest to their voices kept. Forcing `k` on one method can merge
    two people and split a third; another method often does not, and the split one
    is then the less coherent."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.cluster import KMeans

    tree = linkage(x.astype(np.float64), method="average", metric="cosine")
    candidates = [
        spectral_labels(x, k, k, k),
        merge_clusters(x, absorb_small(x, spectral_labels(x, k, max(15, k)), 4), None, k, k),
        np.asarray(fcluster(tree, t=k, criterion="maxclust"), dtype=np.int64),
        np.asarray(KMeans(n_clusters=k, random_state=0, n_init=10).fit_predict(x), np.int64),
    ]
    best, score = candidates[0], -np.inf
    for c in candidates:
        refined = reassign(x, x, c, rounds=30)
        if len(np.unique(refined)) != k:
            continue
        s = coherence(x, refined)
        if s > score:
            best, score = refined, s
    return best


# ------------------------------------------------------------------ legacy
def spectral_labels(
    x: Array, lo: int, hi: int, oracle: int | None = None, pval: float = 0.012, min_pnum: int = 6
) -> Labels:
    """Spectral clustering as in 3D-Speaker (which senko uses for recordings under 20
    minutes): pruned cosine affinity, unnormalised Laplacian, eigengap for the count."""
    from sklearn.cluster import KMeans

    n = x.shape[0]
    sim = x @ x.T
    keep = max(n - min(int((1 - pval) * n), n - min_pnum), 1)
    # Keep each row's `keep` strongest affinities, zero the rest, then symmetrise.
    cut = np.partition(sim, n - keep, axis=1)[:, n - keep][:, None]
    pruned = np.where(sim >= cut, sim, 0.0)
    affinity = 0.5 * (pruned + pruned.T)
    np.fill_diagonal(affinity, 0.0)
    laplacian = np.diag(np.abs(affinity).sum(axis=1)) - affinity
    eigvals, eigvecs = np.linalg.eigh(laplacian)
    if oracle is not None:
        k = oracle
    else:
        lo_i, hi_i = max(lo, 1), max(min(hi, n - 1), 1)
        gaps = np.diff(eigvals[lo_i - 1 : hi_i + 1])
        k = int(np.argmax(gaps)) + lo_i if gaps.size else lo_i
    k = max(1, min(k, n))
    labels = KMeans(n_clusters=k, random_state=0, n_init=10).fit_predict(eigvecs[:, :k])
    return np.asarray(labels, dtype=np.int64)


def umap_hdbscan_labels(x: Array) -> Labels:
    """senko's long-recording clustering (UMAP to 60 dimensions, then HDBSCAN)."""
    import hdbscan
    import umap

    reduced = umap.UMAP(
        n_neighbors=40,
        min_dist=0.0,
        n_components=min(60, x.shape[0] - 2),
        metric="cosine",
        random_state=42,
    ).fit_transform(x)
    labels = hdbscan.HDBSCAN(min_samples=20, min_cluster_size=10).fit_predict(reduced)
    return np.asarray(labels, dtype=np.int64)


def legacy_labels(
    x: Array,
    long: bool,
    lo: int,
    hi: int | None,
    oracle: int | None,
    merge_cos_short: float,
    merge_cos_long: float,
) -> Labels:
    """The clustering before "ahc" (spectral under 20 minutes, UMAP+HDBSCAN from 20)."""
    if not long:
        labels = absorb_small(x, spectral_labels(x, lo, hi or 15, oracle), 4)
        threshold: float | None = None if oracle else merge_cos_short
    else:
        labels = absorb_small(x, umap_hdbscan_labels(x), 10)
        threshold = merge_cos_long
    return merge_clusters(x, labels, threshold, lo, hi)
