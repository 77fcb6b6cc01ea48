"""Stage 3 plumbing: clustering with count hints, turns from sub-segments, overlaps."""

from __future__ import annotations

import numpy as np
import pytest

from qualkit.errors import InputError
from qualkit.pipeline.diarize import (
    Diarization,
    DiarizeOptions,
    Turn,
    cluster_labels,
    speaker_centroids,
)
from qualkit.pipeline.speaker_clustering import merge_clusters
from qualkit.pipeline.turns import clip_to_speech, labels_to_turns, overlap_regions
from qualkit.pipeline.voice_embed import Embeddings


def voices(
    n_voices: int, per: int = 40, noise: float = 0.15, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_voices, 192))
    x = np.concatenate(
        [c + noise * np.linalg.norm(c) / 14 * rng.normal(size=(per, 192)) for c in centres]
    )
    return x.astype(np.float32), np.repeat(np.arange(n_voices), per)


def test_options_validate_counts() -> None:
    with pytest.raises(InputError):
        DiarizeOptions(num_speakers=0)
    with pytest.raises(InputError):
        DiarizeOptions(num_speakers=3, max_speakers=4)
    with pytest.raises(InputError):
        DiarizeOptions(min_speakers=5, max_speakers=4)
    assert DiarizeOptions(num_speakers=4).bounds == (4, 4)


def test_merge_down_to_max_and_not_below_min() -> None:
    x, truth = voices(5)
    assert len(np.unique(merge_clusters(x, truth, None, 1, 3))) == 3
    # a threshold that would merge everything stops at the minimum
    assert len(np.unique(merge_clusters(x, truth, -1.0, 4, None))) == 4


def test_spectral_finds_voices_and_obeys_hints() -> None:
    x, truth = voices(3)
    labels = cluster_labels(x, 120.0, DiarizeOptions())
    assert len(np.unique(labels)) == 3
    # each true voice maps to one cluster
    assert all(len(np.unique(labels[truth == v])) == 1 for v in range(3))
    assert len(np.unique(cluster_labels(x, 120.0, DiarizeOptions(num_speakers=2)))) == 2
    assert len(np.unique(cluster_labels(x, 120.0, DiarizeOptions(max_speakers=2)))) <= 2


def test_too_little_speech_is_one_voice() -> None:
    x, _ = voices(2, per=3)
    assert set(cluster_labels(x, 5.0, DiarizeOptions()).tolist()) == {0}
    assert cluster_labels(np.zeros((0, 192), np.float32), 5.0, DiarizeOptions()).size == 0


def test_turns_split_at_midpoints_and_are_numbered_by_talk_time() -> None:
    spans = np.array([[0, 1.5], [0.6, 2.1], [1.2, 2.7], [1.8, 3.3], [2.4, 3.9]], np.float32)
    labels = np.array([7, 7, 3, 3, 3])
    turns = labels_to_turns(spans, labels, min_turn_s=0.1)
    assert [t.speaker for t in turns] == ["SPEAKER_02", "SPEAKER_01"]
    assert turns[0].end == turns[1].start == pytest.approx((2.1 + 1.2) / 2, abs=1e-3)


def test_short_interruptions_are_folded() -> None:
    spans = np.array([[0, 1.5], [1.5, 3.0], [3.0, 3.3], [3.3, 4.8]], np.float32)
    labels = np.array([0, 0, 1, 0])
    turns = labels_to_turns(spans, labels, min_turn_s=0.5)
    assert len(turns) == 1 and turns[0].end == pytest.approx(4.8)


def test_gaps_between_one_voice_are_filled_only_when_short() -> None:
    spans = np.array([[0, 1.5], [2.0, 3.5], [6.0, 7.5]], np.float32)
    turns = labels_to_turns(spans, np.zeros(3, int), fill_gap_s=1.0)
    assert [(t.start, t.end) for t in turns] == [(0.0, 3.5), (6.0, 7.5)]


def test_overlap_regions_where_two_voices_fit() -> None:
    x, truth = voices(2, per=10)
    mixed = (x[0] + x[10]) / 2
    x2 = np.concatenate([x[:10], np.stack([mixed, mixed, mixed]), x[10:]])
    labels = np.concatenate([truth[:10], [0, 0, 0], truth[10:]])
    spans = np.stack([np.arange(23) * 0.6, np.arange(23) * 0.6 + 1.5], axis=1).astype(np.float32)
    regions = overlap_regions(spans, x2, labels, margin=0.2)
    assert regions and 5.0 < regions[0][0] < 8.5


def test_diarization_round_trips_json() -> None:
    from qualkit.pipeline.artefacts import to_jsonable

    d = Diarization(10.0, (Turn(0, 4, "SPEAKER_01"), Turn(4, 5, "SPEAKER_02")), ((3.9, 4.2),))
    assert Diarization.from_json(to_jsonable(d)) == d
    assert d.speakers == ("SPEAKER_01", "SPEAKER_02")


def test_turns_are_clipped_to_detected_speech() -> None:
    turns = [Turn(0.0, 5.0, "SPEAKER_01"), Turn(5.0, 9.0, "SPEAKER_02")]
    out = clip_to_speech(turns, ((0.5, 2.0), (2.8, 6.0), (8.0, 8.02)))
    assert [(t.start, t.end, t.speaker) for t in out] == [
        (0.5, 2.0, "SPEAKER_01"),
        (2.8, 5.0, "SPEAKER_01"),
        (5.0, 6.0, "SPEAKER_02"),
    ]


def test_long_recordings_cluster_a_sample_and_assign_every_sub_segment() -> None:
    x, truth = voices(3, per=200)
    order = np.random.default_rng(3).permutation(len(truth))
    x, truth = x[order], truth[order]
    for method in ("spectral", "ahc"):
        opts = DiarizeOptions(clustering=method, spectral_max=200, max_points=200)
        labels = cluster_labels(x, 4000.0, opts)
        assert len(np.unique(labels)) == 3, method
        assert all(len(np.unique(labels[truth == v])) == 1 for v in range(3)), method
        hinted = cluster_labels(
            x, 4000.0, DiarizeOptions(clustering=method, num_speakers=2, spectral_max=200)
        )
        assert len(np.unique(hinted)) == 2, method
    with pytest.raises(InputError):
        DiarizeOptions(clustering="kmeans")


def test_a_quiet_voice_is_not_folded_into_the_others() -> None:
    x, truth = voices(4, per=200)
    keep = (truth < 3) | (np.arange(len(truth)) % 10 == 0)  # voice 3 has 20 sub-segments
    x, truth = x[keep], truth[keep]
    for method in ("spectral", "ahc"):
        labels = cluster_labels(x, 600.0, DiarizeOptions(clustering=method))
        assert len(np.unique(labels)) == 4, method
        assert len(np.unique(labels[truth == 3])) == 1, method


def test_each_voice_centroid_comes_from_its_own_turns() -> None:
    """Label 1's first sub-segment was folded into Talare 1's turn: Talare 2 still gets
    its own centroid, and Talare 1's is not a mix of both people."""
    a, b = np.eye(4, dtype=np.float32)[0], np.eye(4, dtype=np.float32)[1]
    spans = np.array([[0, 1.5], [1, 2.5], [2, 3.5], [4, 5.5], [5, 6.5], [6, 7.5]], np.float32)
    labels = np.array([0, 0, 1, 1, 1, 1])
    vectors = np.stack([a, a, b, b, b, b])
    dia = Diarization(8.0, (Turn(0.0, 3.5, "Talare 1"), Turn(3.5, 8.0, "Talare 2")))
    cents = speaker_centroids(Embeddings(spans, vectors), labels, dia)
    first, second = (cents[dia.speakers.index(s)] for s in ("Talare 1", "Talare 2"))
    assert np.allclose(second, b)
    assert first @ a / np.linalg.norm(first) > 0.85  # mostly its own person, not half and half


def test_a_voice_too_short_for_a_midpoint_takes_its_label() -> None:
    a, b = np.eye(4, dtype=np.float32)[0], np.eye(4, dtype=np.float32)[1]
    spans = np.array([[0, 1.5], [1, 2.5], [3, 4.5]], np.float32)
    labels = np.array([0, 0, 1])
    dia = Diarization(5.0, (Turn(0.0, 3.0, "Talare 1"), Turn(4.0, 4.6, "Talare 2")))
    cents = speaker_centroids(Embeddings(spans, np.stack([a, a, b])), labels, dia)
    first, second = (cents[dia.speakers.index(s)] for s in ("Talare 1", "Talare 2"))
    assert np.allclose(first, a) and np.allclose(second, b)


def test_short_speech_regions_can_keep_to_themselves() -> None:
    from qualkit.pipeline.voice_embed import within_regions

    regions = [(0.0, 2.5), (3.0, 3.4)]  # a sentence, a pause, then a 0.4 s "Tack."
    senko = [(0.0, 1.5), (0.6, 2.1), (1.0, 2.5), (1.9, 3.4)]  # its last reaches back
    assert within_regions(senko, regions) == [(0.0, 1.5), (0.6, 2.1), (1.0, 2.5), (3.0, 3.4)]
    assert DiarizeOptions().artefact_key("x") != DiarizeOptions(short_speech="own").artefact_key(
        "x"
    )
    with pytest.raises(InputError, match="short-speech"):
        DiarizeOptions(short_speech="long")


def test_tiled_short_speech_fills_the_batch_with_its_own_frames() -> None:
    import torch

    from qualkit.pipeline.voice_embed import SenkoEmbedder

    seen: list[np.ndarray] = []

    class Model:
        def __call__(self, batch: torch.Tensor) -> torch.Tensor:
            seen.append(batch.numpy().copy())
            return batch[:, :, :1].sum(dim=1)  # one number per item: the frames' sum

    class Senko:
        embeddings_model = Model()
        torch_device = "cpu"

    emb = SenkoEmbedder.__new__(SenkoEmbedder)
    emb._d = Senko()
    frames = np.array([3, 148])
    feats = np.concatenate([np.arange(1, 4.0).repeat(2), np.ones(148 * 2)]).astype(np.float32)
    offsets = np.array([0, 6])
    padded = emb._embed_fixed(feats, frames, offsets, 2)
    tiled = emb._embed_fixed(feats, frames, offsets, 2, tile=True)
    assert padded[:, 0].tolist() == [6.0, 148.0]  # 1+2+3, then zeros
    assert tiled[:, 0].tolist() == [49 * 6.0 + 1, 148.0]  # 1,2,3 repeated over 148 frames
    assert seen[1][0, :6, 0].tolist() == [1, 2, 3, 1, 2, 3]
