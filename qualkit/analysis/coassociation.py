"""Co-association grouping: passages that k-means puts together again and again on resamples.

One clustering of report or focus-group passages moves a lot when a tenth of them is left
out: the themes overlap and the borders are wide. Evidence accumulation (Fred & Jain) asks
instead how often two passages land in one group across many k-means runs, each on a
seeded subsample and with a number of groups drawn from a range, and then groups the
passages by that share (average linkage, cut where two passages are together in fewer
than half the runs they were both drawn for). Averaging over runs and over k smooths the
borders; groups smaller than the minimum size are left outside.

Measured on the corpus, spoken and written sets (bench/suggest.py, BENCHMARKS.md): more
stable under 90 % subsampling than PCA + HDBSCAN on all three, but still short of an
adjusted Rand index of 0.8: these passages have no sharp groups to find.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qualkit.analysis.embed import FloatArray

Labels = np.ndarray[Any, Any]

KS = (2, 3, 4, 5, 6, 7, 8)  # group counts the runs cycle through, at least


def group_counts(rows: int, min_size: int) -> list[int]:
    """The k the runs cycle through: 2-8, more for a large study, never more than fit.

    A full study has more themes than eight, and k-means with fewer groups than themes
    joins themes in most runs, so they never part in the co-association. The top grows with the
    square root of the passages (sqrt(n) / 2.5: 8 up to about 450 passages, 18 at 2,000;
    on the benchmark sets it is 8). No more groups than the passages could fill at
    the minimum size: a theme of a small corpus is not cut into pieces smaller than a
    group may be."""
    top = max(KS[-1], round(np.sqrt(rows) / 2.5))
    return [k for k in range(2, top + 1) if k <= max(2, rows // min_size)]


# The co-association matrix is n x n: above this many passages a seeded sample is grouped
# and the others join the group whose centre is nearest, if near enough.
MAX_ROWS = 2000


def reduce(vecs: FloatArray, components: int, seed: int = 0) -> FloatArray:
    """Exact PCA to `components` dimensions, rows normalised (cosine geometry)."""
    from sklearn.decomposition import PCA

    k = max(1, min(components, len(vecs) - 1, vecs.shape[1]))
    reduced = PCA(n_components=k, svd_solver="full", random_state=seed).fit_transform(
        vecs.astype(np.float64)
    )
    return np.asarray(reduced / (np.linalg.norm(reduced, axis=1, keepdims=True) + 1e-12))


def co_association(
    points: FloatArray,
    ks: Sequence[int] = KS,
    *,
    resamples: int = 40,
    fraction: float = 0.8,
    seed: int = 0,
) -> FloatArray:
    """(n, n): the share of runs that drew both passages in which they were grouped together."""
    from sklearn.cluster import KMeans

    n = len(points)
    rng = np.random.default_rng(seed)
    together = np.zeros((n, n), dtype=np.float32)
    drawn = np.zeros((n, n), dtype=np.float32)
    size = max(2, round(n * fraction))
    for run in range(resamples):
        keep = np.sort(rng.choice(n, size, replace=False))
        k = min(ks[run % len(ks)], size - 1)
        if k < 2:
            continue
        labels = KMeans(k, n_init=3, random_state=int(rng.integers(2**31 - 1))).fit_predict(
            points[keep]
        )
        onehot = np.zeros((size, k), dtype=np.float32)
        onehot[np.arange(size), labels] = 1.0
        block = np.ix_(keep, keep)
        together[block] += onehot @ onehot.T
        drawn[block] += 1.0
    share = together / np.maximum(drawn, 1.0)
    np.fill_diagonal(share, 1.0)
    return np.asarray(share)


def coassociation_labels(
    vecs: FloatArray,
    min_size: int,
    seed: int = 0,
    *,
    components: int = 10,
    resamples: int = 40,
    together: float = 0.5,
    max_rows: int = MAX_ROWS,
) -> Labels:
    """Group per row, -1 outside any group; deterministic for a given seed (not canonical)."""
    from sklearn.cluster import AgglomerativeClustering

    n = len(vecs)
    out = np.full(n, -1, dtype=int)
    if n < max(2 * min_size, 3):
        return out
    points = reduce(vecs, components, seed)
    unit = vecs / (np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-12)
    rows = np.arange(n)
    if n > max_rows:
        rows = np.sort(np.random.default_rng(seed).choice(n, max_rows, replace=False))
    ks = group_counts(len(rows), min_size)
    share = co_association(points[rows], ks, resamples=resamples, seed=seed)
    found = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=1.0 - together,
    ).fit_predict(1.0 - share)
    group = 0
    for g in sorted(set(found.tolist())):
        # Strays are judged on the embeddings themselves: with few passages one odd
        # passage can take a PCA dimension of its own and look close to anything there.
        members = _without_strays(unit, rows[found == g])
        if len(members) >= min_size:
            out[members] = group
            group += 1
    if n > max_rows:
        _join_nearest(points, out, rows)
    return out


def _without_strays(points: FloatArray, members: Labels) -> Labels:
    """A group's members less those far from the rest of it.

    k-means puts every passage somewhere, so a passage about nothing else in the material
    still rides along with the group it is least far from. A member whose cosine to the
    centre of the others is more than three median absolute deviations below the group's
    median is left outside."""
    if len(members) < 4:
        return members
    total = points[members].sum(axis=0)
    others = total[None, :] - points[members]
    others /= np.linalg.norm(others, axis=1, keepdims=True) + 1e-12
    closeness = np.einsum("ij,ij->i", points[members], others)
    median = np.median(closeness)
    spread = np.median(np.abs(closeness - median))
    return np.asarray(members[closeness >= median - 3.0 * spread])


def _join_nearest(points: FloatArray, labels: Labels, grouped: Labels) -> None:
    """Rows left out of the sample join the nearest group centre, if as near as its members."""
    rest = np.setdiff1d(np.arange(len(points)), grouped)
    groups = sorted(g for g in set(labels.tolist()) if g >= 0)
    if not groups or not len(rest):
        return
    centres = np.stack([points[labels == g].mean(axis=0) for g in groups])
    centres /= np.linalg.norm(centres, axis=1, keepdims=True) + 1e-12
    # A group's reach: the closeness of its farthest member to its centre.
    reach = np.array([(points[labels == g] @ centres[i]).min() for i, g in enumerate(groups)])
    sims = points[rest] @ centres.T
    best = np.argmax(sims, axis=1)
    near = sims[np.arange(len(rest)), best] >= reach[best]
    labels[rest[near]] = np.asarray(groups)[best[near]]
