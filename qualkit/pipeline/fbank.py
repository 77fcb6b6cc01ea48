"""Log mel filterbank features for the speaker model, computed in numpy.

The speaker model (CAM++) takes Kaldi-style features: 25 ms frames every 10 ms, DC
offset removed, pre-emphasis 0.97, Povey window, 512-point power spectrum, 80 mel bands
from 20 Hz to Nyquist, natural log floored at float32 epsilon, then each sub-segment's
mean subtracted. senko ships this as a prebuilt C++ library, built with AVX-512
instructions: on a processor without them (many AMD EPYC and Ryzen, older Intel) the
first call kills the whole process with SIGILL, beyond any error handling. These are the
same features from numpy, which picks its instructions at run time, so diarisation runs
on any x86-64 or ARM machine. The steps follow senko's extractor (itself from 3D-Speaker's
runtime, after Kaldi), including how a sub-segment's samples are cut and padded.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]

SAMPLE_RATE = 16000
FRAME = 400  # 25 ms
SHIFT = 160  # 10 ms
FFT = 512  # the frame rounded up to a power of two
MEL_BANDS = 80
LOW_HZ = 20.0
PREEMPHASIS = 0.97
_FLOOR = float(np.finfo(np.float32).eps)


def _mel(hz: Any) -> Any:
    return 1127.0 * np.log(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


@lru_cache(maxsize=1)
def mel_weights() -> npt.NDArray[np.float64]:
    """(FFT/2, MEL_BANDS): triangles equally spaced on the mel scale, 20 Hz to Nyquist.

    The Nyquist bin is left out, as in senko's extractor; its weight is zero anyway."""
    bins = FFT // 2
    low, high = _mel(LOW_HZ), _mel(SAMPLE_RATE / 2)
    delta = (high - low) / (MEL_BANDS + 1)
    mel = _mel(np.arange(bins) * (SAMPLE_RATE / FFT))
    weights = np.zeros((MEL_BANDS, bins))
    for band in range(MEL_BANDS):
        left, mid, right = low + band * delta, low + (band + 1) * delta, low + (band + 2) * delta
        rising = (mel - left) / (mid - left)
        falling = (right - mel) / (right - mid)
        inside = (mel > left) & (mel < right)
        weights[band] = np.where(inside, np.where(mel <= mid, rising, falling), 0.0)
    return np.ascontiguousarray(weights.T)


@lru_cache(maxsize=1)
def povey_window() -> npt.NDArray[np.float64]:
    """Like Hann, raised to 0.85: it goes to zero at both edges."""
    a = 2.0 * np.pi / (FRAME - 1)
    return np.asarray((0.5 - 0.5 * np.cos(a * np.arange(FRAME))) ** 0.85)


def log_mel(samples: npt.NDArray[Any]) -> Array:
    """(frames, MEL_BANDS) log mel energies of 16 kHz samples in [-1, 1], no normalising.

    Shorter than one frame: zero-padded to one frame. A partial last frame is dropped."""
    x = np.asarray(samples, dtype=np.float64).reshape(-1)
    if x.size < FRAME:
        x = np.pad(x, (0, FRAME - x.size))
    count = 1 + (x.size - FRAME) // SHIFT
    frames = np.lib.stride_tricks.sliding_window_view(x, FRAME)[::SHIFT][:count].copy()
    frames -= frames.mean(axis=1, keepdims=True)
    # Each sample less 0.97 of the one before it; the first less 0.97 of itself.
    frames[:, 1:] -= PREEMPHASIS * frames[:, :-1]
    frames[:, 0] *= 1.0 - PREEMPHASIS
    frames *= povey_window()
    spectrum = np.fft.rfft(frames, n=FFT)[:, : FFT // 2]
    power = spectrum.real**2 + spectrum.imag**2
    return np.log(np.maximum(power @ mel_weights(), _FLOOR)).astype(np.float32)


def subsegment_samples(samples: npt.NDArray[Any], start_s: float, end_s: float) -> npt.NDArray[Any]:
    """A sub-segment's samples, cut as senko's extractor cuts them.

    The times are float32 and so are the products (a float64 product can land one
    sample off); the length is taken from the duration, at least one sample, clipped
    to the audio; a sub-segment under one frame is zero-padded to a frame; one that
    starts before the audio or after its end is a frame of zeros."""
    rate = np.float32(SAMPLE_RATE)
    first, second = np.float32(start_s), np.float32(end_s)
    start = int(first * rate)
    length = max(int((second - first) * rate), 1)
    total = samples.shape[0]
    # A negative start (senko's sub-segment of speech shorter than 1.5 s near the start
    # of a window) becomes a huge unsigned index in senko's C++: the wheel's in-memory
    # path then reads nothing (as read from its machine code); the WAV path of senko's
    # published source reads memory before the samples. Silence is the defined answer.
    if start < 0 or start >= total:
        length = 0
    elif start + length > total:
        length = total - start
    seg = samples[start : start + length] if length else samples[:0]
    if length < FRAME:
        seg = np.pad(np.asarray(seg, dtype=np.float32), (0, FRAME - length))
    return seg


def subsegment_features(
    samples: npt.NDArray[Any], subsegments: Sequence[tuple[float, float]] | npt.NDArray[Any]
) -> tuple[Array, npt.NDArray[np.int64], npt.NDArray[np.int64], int]:
    """Features of each sub-segment (start, end seconds), mean-normalised per sub-segment.

    Returned as senko's extractor returns them: all frames flattened into one array,
    frames per sub-segment, each sub-segment's offset into the flat array (in values),
    and the feature dimension."""
    pieces: list[Array] = []
    frames = np.zeros(len(subsegments), dtype=np.int64)
    offsets = np.zeros(len(subsegments), dtype=np.int64)
    offset = 0
    for i, (start_s, end_s) in enumerate(subsegments):
        feats = log_mel(subsegment_samples(samples, float(start_s), float(end_s)))
        feats -= feats.mean(axis=0, keepdims=True)
        pieces.append(feats.reshape(-1))
        frames[i], offsets[i] = feats.shape[0], offset
        offset += feats.size
    flat = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    return flat, frames, offsets, MEL_BANDS


def senko_extractor_runs_here() -> bool:
    """Whether senko's prebuilt extractor can run on this processor (it needs AVX-512F
    and BW; Linux's /proc/cpuinfo tells). For comparisons with it, never for qualkit's
    own features."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = f.read()
    except OSError:
        return False
    return " avx512f" in flags and " avx512bw" in flags
