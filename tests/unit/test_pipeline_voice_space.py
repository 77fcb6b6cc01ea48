"""Within-speaker whitening (qualkit.pipeline.voice_space) and its use with a count hint."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import adjusted_rand_score

from qualkit.pipeline.diarize import DiarizeOptions, turns_from_embeddings
from qualkit.pipeline.voice_embed import Embeddings
from qualkit.pipeline.voice_space import same_voice_pairs, whiten_within_speaker
from tests.pipeline_fakes import FakeDetector


def recording(seed: int = 0, people: int = 4, turns: int = 60) -> tuple[Embeddings, np.ndarray]:
    """Turns of 8 sub-segments 0.6 s apart, a 2 s pause between turns. Each person's
    voice is a small offset in 60 of 64 directions; what is being said moves every
    sub-segment far along the other 4, which all people share, as content moves a real
    embedding. Returns the embeddings and each sub-segment's person."""
    rng = np.random.default_rng(seed)
    dim = 64
    voices = rng.normal(size=(people, dim)) * 0.35
    voices[:, :4] = 0.0
    content = np.zeros(dim)
    rows, who, spans, t = [], [], [], 0.0
    for k in range(turns):
        person = k % people if k % 5 else rng.integers(people)
        for _ in range(8):
            content[:4] = rng.normal(size=4) * 3.0
            rows.append(
                1.0 * np.eye(dim)[10] + voices[person] + content + rng.normal(size=dim) * 0.05
            )
            who.append(person)
            spans.append((t, t + 1.5))
            t += 0.6
        t += 2.0
    emb = Embeddings(np.array(spans, np.float32), np.array(rows, np.float32))
    return emb, np.array(who)


def test_pairs_stay_inside_one_stretch_and_skip_changes_of_voice() -> None:
    spans = np.array([(0.6 * i, 0.6 * i + 1.5) for i in range(6)] + [(10.0, 11.5), (10.6, 12.1)])
    x = np.tile(np.eye(3)[0], (8, 1)).astype(np.float32)
    x[4] = np.eye(3)[1]  # someone else, inside the first stretch
    pairs = same_voice_pairs(spans.astype(np.float32), x, gap=3, min_cos=0.5)
    assert [tuple(p) for p in pairs] == [(0, 3), (2, 5)]


def test_too_little_speech_leaves_the_space_alone() -> None:
    emb, _ = recording(turns=1)
    out = whiten_within_speaker(emb.spans, emb.vectors)
    expected = emb.vectors / np.linalg.norm(emb.vectors, axis=1, keepdims=True)
    np.testing.assert_allclose(out, expected, atol=1e-6)


def test_whitening_brings_one_persons_sub_segments_together() -> None:
    """k-means asked for the right count groups by content in the plain space and by
    person in the whitened one."""
    from sklearn.cluster import KMeans

    emb, who = recording()
    raw = emb.vectors / np.linalg.norm(emb.vectors, axis=1, keepdims=True)
    white = whiten_within_speaker(emb.spans, emb.vectors)

    def kmeans_agreement(x: np.ndarray) -> float:
        found = KMeans(4, n_init=10, random_state=0).fit_predict(x)
        return float(adjusted_rand_score(who, found))

    assert kmeans_agreement(raw) < 0.2
    assert kmeans_agreement(white) > 0.95


def test_with_a_hint_the_whitened_space_finds_the_people() -> None:
    emb, who = recording(seed=1)
    duration = float(emb.spans[-1][1])
    _, plain = turns_from_embeddings(emb, duration, DiarizeOptions(num_speakers=4, whiten=False))
    _, white = turns_from_embeddings(emb, duration, DiarizeOptions(num_speakers=4, whiten=True))
    assert len(np.unique(white)) == 4
    assert adjusted_rand_score(who, white) > 0.95
    assert adjusted_rand_score(who, white) > adjusted_rand_score(who, plain)


def test_without_a_hint_whitening_changes_nothing() -> None:
    emb, _ = recording(seed=2)
    duration = float(emb.spans[-1][1])
    plain = turns_from_embeddings(emb, duration, DiarizeOptions(whiten=False))
    white = turns_from_embeddings(emb, duration, DiarizeOptions(whiten=True))
    assert plain[0] == white[0]
    np.testing.assert_array_equal(plain[1], white[1])


def test_pairs_do_not_depend_on_the_order_of_the_rows() -> None:
    emb, _ = recording(seed=3, turns=8)
    x = emb.vectors / np.linalg.norm(emb.vectors, axis=1, keepdims=True)
    shuffled = np.random.default_rng(0).permutation(len(x))
    pairs = same_voice_pairs(emb.spans, x, 3, 0.0)
    moved = same_voice_pairs(emb.spans[shuffled], x[shuffled], 3, 0.0)
    assert {tuple(p) for p in pairs} == {(shuffled[a], shuffled[b]) for a, b in moved}


def test_a_broken_embedding_leaves_the_space_alone() -> None:
    emb, _ = recording(seed=4)
    vectors = emb.vectors.copy()
    vectors[5] = np.nan
    out = whiten_within_speaker(emb.spans, vectors)
    assert np.isfinite(np.delete(out, 5, axis=0)).all()


def test_whitening_applies_only_where_it_was_measured() -> None:
    assert DiarizeOptions(num_speakers=4).whitens
    assert not DiarizeOptions(num_speakers=4, whiten=False).whitens
    assert not DiarizeOptions().whitens
    assert not DiarizeOptions(min_speakers=3, max_speakers=5).whitens
    assert not DiarizeOptions(num_speakers=4, clustering="ahc").whitens


def test_artefact_key_without_a_count_is_the_key_from_before_whitening() -> None:
    """Recordings diarised without a count before whitening existed are not redone
    (`short_speech`, newer still, stays out of the key at its default too)."""
    from dataclasses import asdict

    from qualkit.pipeline.artefacts import options_key

    newer = ("whiten", "short_speech")
    before = {k: v for k, v in asdict(DiarizeOptions()).items() if k not in newer}
    assert DiarizeOptions().artefact_key("sha") == options_key("sha", before)
    with_count = DiarizeOptions(num_speakers=4)
    counted = {k: v for k, v in asdict(with_count).items() if k not in newer}
    assert with_count.artefact_key("sha") != options_key("sha", counted)
    assert with_count.artefact_key("sha") != (
        DiarizeOptions(num_speakers=4, whiten=False).artefact_key("sha")
    )


def test_voice_centroids_for_voiceprints_stay_in_the_plain_space() -> None:
    """Voiceprints enrolled before whitening existed are compared with these centroids."""
    from qualkit.pipeline.audio import ArrayAudio
    from qualkit.pipeline.diarize import diarize

    emb, who = recording(seed=5)

    class Recorded:
        name = "recorded"

        def embed(self, audio: object, window_s: float = 300.0, progress: object = None):  # type: ignore[no-untyped-def]
            return emb

    audio = ArrayAudio(np.zeros(int(16000 * (float(emb.spans[-1][1]) + 1.0)), np.float32))
    dia, cents = diarize(audio, Recorded(), DiarizeOptions(num_speakers=4), detector=FakeDetector())  # type: ignore[arg-type]
    assert len(dia.speakers) == 4
    raw = emb.vectors / np.linalg.norm(emb.vectors, axis=1, keepdims=True)
    people = np.stack([raw[who == p].mean(0) for p in range(4)])
    people /= np.linalg.norm(people, axis=1, keepdims=True)
    found = cents / np.linalg.norm(cents, axis=1, keepdims=True)
    # Each voice's centroid is one person's mean plain embedding, not a whitened one.
    assert np.all(np.max(found @ people.T, axis=1) > 0.99)
