"""Co-association grouping: planted themes come back under resampling, strays stay outside."""

from __future__ import annotations

import numpy as np
import pytest

from qualkit.analysis.cluster import cluster_vectors, stability
from qualkit.analysis.coassociation import co_association, coassociation_labels, group_counts
from qualkit.errors import InputError


def _uneven_themes(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Five themes of 40, 25, 15, 10 and 6 passages, wide around their centres."""
    rng = np.random.default_rng(seed)
    sizes = (40, 25, 15, 10, 6)
    centres = np.eye(5, 48)
    rows = np.vstack(
        [c + 0.12 * rng.normal(size=(n, 48)) for c, n in zip(centres, sizes, strict=True)]
    )
    truth = np.repeat(np.arange(5), sizes)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True), truth


def test_planted_uneven_themes_are_recovered_and_hold_under_subsampling() -> None:
    from sklearn.metrics import adjusted_rand_score

    vecs, truth = _uneven_themes()
    labels = cluster_vectors(vecs, 5)
    assert adjusted_rand_score(truth, labels) >= 0.9
    _, subsample = stability(vecs, min_size=5)
    assert subsample >= 0.8


def test_co_association_is_a_share_and_symmetric() -> None:
    vecs, truth = _uneven_themes()
    share = co_association(vecs, (5,), resamples=10)
    assert share.shape == (len(vecs), len(vecs))
    assert np.allclose(share, share.T) and share.min() >= 0.0 and share.max() <= 1.0
    same = truth[:, None] == truth[None, :]
    assert share[same].mean() > 0.8 > 0.2 > share[~same].mean()


def test_a_stray_passage_stays_outside() -> None:
    vecs, _ = _uneven_themes()
    stray = np.zeros((1, 48))
    stray[0, 40] = 1.0
    labels = coassociation_labels(np.vstack([vecs, stray]), 5)
    assert labels[-1] == -1
    assert (labels[:-1] >= 0).mean() > 0.9


def test_many_passages_are_grouped_from_a_sample_and_joined() -> None:
    vecs, truth = _uneven_themes()
    labels = coassociation_labels(vecs, 5, max_rows=60)
    from sklearn.metrics import adjusted_rand_score

    grouped = labels >= 0
    # Outside: a theme too small to reach the minimum size in the sample, and the rows
    # farther from their centre than any sampled member.
    assert grouped[truth == 0].mean() >= 0.75 and grouped.mean() > 0.6
    assert adjusted_rand_score(truth[grouped], labels[grouped]) >= 0.9


def test_method_is_checked_and_the_previous_one_kept() -> None:
    vecs, truth = _uneven_themes()
    with pytest.raises(InputError):
        cluster_vectors(vecs, 5, method="kmeans")
    old = cluster_vectors(vecs, 5, method="hdbscan")
    assert old.shape == truth.shape


def test_group_counts_grow_with_a_large_study_and_fit_a_small_one() -> None:
    assert group_counts(315, 9) == list(range(2, 9))  # the benchmark sets: 2-8
    assert group_counts(2000, 15)[-1] == 18  # a full study: more themes than eight
    assert group_counts(16, 3) == [2, 3, 4, 5]  # never more groups than the passages fill
    assert group_counts(5, 3) == [2]
