"""Embedding in bounded groups gives the very embeddings of the whole-window path
(marker `pipeline`; real CAM++ on a synthetic clip made with espeak-ng + sox)."""

from __future__ import annotations

import numpy as np
import pytest

from qualkit.pipeline import synth

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(
        bool(synth.tools_missing()),
        reason="espeak-ng and sox are needed: apt-get install -y espeak-ng sox",
    ),
]


def test_grouped_features_and_small_batches_change_no_embedding() -> None:
    from qualkit.pipeline.audio import ArrayAudio
    from qualkit.pipeline.voice_embed import SenkoEmbedder

    lines = synth.bench_script(50.0, speakers=2, seed=4)
    mix, _ = synth.converse(lines, synth.assign_voices([s for s, _ in lines]), seed=4)
    audio = ArrayAudio(mix)
    embedder = SenkoEmbedder("cpu")
    # a group smaller than the clip's sub-segments, so the grouping is exercised
    embedder._GROUP = 32  # type: ignore[misc]
    streamed = embedder.embed(audio, 300.0)
    assert len(streamed.vectors) > 32
    # the previous path: every sub-segment's features at once, batches of 64
    d = embedder._d
    x = np.ascontiguousarray(audio.read(), dtype=np.float32)
    subs = d._generate_subsegments(d._perform_vad(x), None)
    feats, frames, offsets, dim = d._extract_fbank_features(x, subs)
    embedder._BATCH = 64  # type: ignore[misc]
    whole = embedder._embed_fixed(feats, frames, offsets, int(dim))
    assert streamed.vectors.shape == whole.shape
    np.testing.assert_allclose(streamed.vectors, whole, atol=1e-4)
    np.testing.assert_allclose(streamed.spans, np.asarray(subs, np.float32), atol=1e-6)
