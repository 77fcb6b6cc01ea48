"""Resegmentation: a Viterbi pass over sub-segments in time, and turn averages clustered
again, pinned on synthetic embeddings (no models)."""

from __future__ import annotations

import numpy as np

from qualkit.pipeline.diarize import (
    DiarizeOptions,
    Embeddings,
    cluster_labels,
    turns_from_embeddings,
)
from qualkit.pipeline.resegment import (
    continuous,
    recluster_runs,
    runs,
    smooth_labels,
    viterbi,
)


def conversation(
    turns: list[tuple[int, int]], close: float = 0.75, noise: float = 0.6, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sub-segments of 1.5 s every 0.75 s through each (voice, count) turn, a 2 s pause
    between turns; voices whose centres have cosine `close`, noisy embeddings."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=192)
    n_voices = max(v for v, _ in turns) + 1
    centres = [close * base + np.sqrt(1 - close**2) * rng.normal(size=192) for _ in range(n_voices)]
    spans, vectors, truth = [], [], []
    t = 0.0
    for voice, count in turns:
        for _ in range(count):
            spans.append((t, t + 1.5))
            vectors.append(centres[voice] + noise * rng.normal(size=192))
            truth.append(voice)
            t += 0.75
        t += 0.75 + 2.0  # the last window's end, then a pause
    return (
        np.asarray(spans, np.float32),
        np.asarray(vectors, np.float32),
        np.asarray(truth, np.int64),
    )


def test_windows_overlapping_in_time_are_continuous_a_pause_is_not() -> None:
    spans = np.array([[0, 1.5], [0.75, 2.25], [5, 6.5], [5.75, 7.25]], np.float32)
    assert continuous(spans).tolist() == [False, True, False, True]


def test_viterbi_pays_for_changes_only_between_linked_rows() -> None:
    scores = np.array([[1.0, 0.0], [0.45, 0.55], [1.0, 0.0]])
    linked = np.array([False, True, True])
    # a small preference for the other column is not worth two changes of 0.1 each
    assert viterbi(scores, linked, 0.1).tolist() == [0, 0, 0]
    assert viterbi(scores, linked, 0.0).tolist() == [0, 1, 0]
    # across pauses a change is free
    assert viterbi(scores, np.array([False, False, False]), 0.1).tolist() == [0, 1, 0]


def test_an_isolated_wrong_window_inside_a_long_turn_is_given_back() -> None:
    spans, x, truth = conversation([(0, 30), (1, 30), (0, 30), (1, 30)])
    flipped = [10, 45, 75, 100]  # one window each, deep inside a turn
    for f in flipped:
        # a window that sounds a little more like the other voice than its own
        own = x[(truth == truth[f]) & (np.arange(len(x)) != f)].mean(0)
        other = x[truth != truth[f]].mean(0)
        x[f] = 0.45 * own + 0.55 * other
    labels = truth.copy()
    labels[flipped] = 1 - labels[flipped]
    # without a switching cost (spherical k-means) those windows stay with the other voice
    assert np.array_equal(smooth_labels(spans, x, labels, 1e-9, rounds=3), labels)
    assert np.array_equal(smooth_labels(spans, x, labels, penalty=0.1, rounds=2), truth)


def test_a_short_turn_of_its_own_after_a_pause_is_kept() -> None:
    # A quiet participant's short turn (4 windows) between two pauses must not vanish.
    spans, x, truth = conversation([(0, 40), (2, 4), (1, 40), (0, 20)], close=0.6, noise=0.3)
    smoothed = smooth_labels(spans, x, truth.copy(), penalty=0.2, rounds=3)
    assert np.array_equal(smoothed, truth)
    assert set(np.unique(smoothed)) == {0, 1, 2}


def test_unsorted_rows_are_smoothed_in_time_order_and_returned_in_theirs() -> None:
    spans, x, truth = conversation([(0, 25), (1, 25)])
    labels = truth.copy()
    labels[12] = 1
    perm = np.random.default_rng(1).permutation(len(truth))
    out = smooth_labels(spans[perm], x[perm], labels[perm], penalty=0.1)
    assert np.array_equal(out, truth[perm])


def test_runs_break_at_a_change_of_voice_and_at_a_pause() -> None:
    spans = np.array([[0, 1.5], [0.75, 2.25], [1.5, 3], [6, 7.5], [6.75, 8.25]], np.float32)
    labels = np.array([0, 0, 1, 1, 1])
    assert runs(spans, labels).tolist() == [0, 0, 1, 2, 2]


def test_turn_averages_are_clustered_again_and_spread_to_their_windows() -> None:
    spans, x, truth = conversation([(0, 8), (1, 8)] * 6)
    seen: list[int] = []

    def by_sign(means: np.ndarray) -> np.ndarray:
        seen.append(len(means))
        return np.asarray(truth[::8][: len(means)], dtype=np.int64) + 5

    out = recluster_runs(spans, x, truth.copy(), by_sign)
    assert seen == [12]  # one mean per turn, not per window
    assert np.array_equal(out, truth + 5)
    # too few turns to cluster: the labels stay as they are
    assert np.array_equal(recluster_runs(spans[:16], x[:16], truth[:16], by_sign), truth[:16])


def test_the_stage_runs_inside_turns_from_embeddings() -> None:
    spans, x, _ = conversation([(0, 30), (1, 30), (0, 30)], close=0.5, noise=0.4)
    emb = Embeddings(spans, x)
    duration = float(spans[-1, 1])
    off = DiarizeOptions(num_speakers=2, switch_penalty=0.0, refine_rounds=0)
    plain, _ = turns_from_embeddings(emb, duration, off)
    # the defaults: re-assignment to convergence, then smoothing
    smooth, smoothed = turns_from_embeddings(emb, duration, DiarizeOptions(num_speakers=2))
    assert len({t.speaker for t in smooth}) == 2
    # every true turn is one voice after smoothing
    for a, b in ((0, 30), (30, 60), (60, 90)):
        assert len(np.unique(smoothed[a:b])) == 1
    assert len(smooth) <= len(plain)


def test_a_hint_merged_down_to_keeps_the_count_and_joins_the_closest_voices() -> None:
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(3, 192))
    # voice 3 is voice 2 in another take: close, but the eigengap sees four groups
    centres = np.vstack([centres, centres[2] + 0.35 * rng.normal(size=192)])
    spread = 0.08 * np.linalg.norm(centres[0]) / 14
    x = np.concatenate([c + spread * rng.normal(size=(40, 192)) for c in centres])
    truth = np.repeat(np.arange(4), 40)
    opts = DiarizeOptions(num_speakers=3, hint_mode="merge")
    merged = cluster_labels(x.astype(np.float32), 120.0, opts)
    assert len(np.unique(merged)) == 3
    # the two takes of one person share a voice; the other two people keep theirs
    assert len(np.unique(merged[truth >= 2])) == 1
    assert len({int(merged[truth == v][0]) for v in range(3)}) == 3


def test_the_most_coherent_partition_is_kept_with_a_hint() -> None:
    from qualkit.pipeline.speaker_clustering import best_partition, coherence, normalise

    rng = np.random.default_rng(5)
    centres = rng.normal(size=(3, 192))
    x = normalise(
        np.concatenate([c + 0.5 * rng.normal(size=(30, 192)) for c in centres]).astype(np.float32)
    )
    truth = np.repeat(np.arange(3), 30)
    wrong = truth.copy()
    wrong[truth == 2] = 1  # two people merged ...
    wrong[::2][truth[::2] == 0] = 2  # ... and a third split
    assert coherence(x, truth) > coherence(x, wrong)
    found = best_partition(x, 3)
    assert len(np.unique(found)) == 3
    assert all(len(np.unique(found[truth == v])) == 1 for v in range(3))


def test_resegmentation_that_would_empty_a_voice_is_undone() -> None:
    from qualkit.pipeline.diarize import resegment_labels

    spans, x, truth = conversation([(0, 30), (1, 30)], close=0.5, noise=0.4)
    labels = truth.copy()
    labels[40] = 2  # a one-window "voice" that re-assignment would empty
    emb = Embeddings(spans, x)
    assert np.array_equal(resegment_labels(emb, labels, DiarizeOptions()), labels)
    # without it, the second pass runs as usual
    labels[40] = 1
    labels[10] = 1
    assert np.array_equal(resegment_labels(emb, labels, DiarizeOptions()), truth)
