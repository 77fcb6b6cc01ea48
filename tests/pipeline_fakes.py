"""Test doubles for the pipeline: fake backends, tiny random Whisper models, test audio."""

from __future__ import annotations

import json
import shutil
import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

from qualkit.model import Word
from qualkit.pipeline.audio import SAMPLE_RATE, AudioSource, Samples, windows
from qualkit.pipeline.diarize import Embeddings
from qualkit.pipeline.overlap import FrameScores
from qualkit.pipeline.overlap_model import OverlapOptions
from qualkit.pipeline.transcribe import AsrSegment, TranscribeOptions

SECRET = "hemligt"  # a word that must never show up in logs


def tone_wav(
    path: Path,
    seconds: float,
    *,
    rate: int = SAMPLE_RATE,
    channels: int = 1,
    bursts: bool = True,
    amplitude: float = 0.3,
) -> Path:
    """A test signal: 1 s tone bursts with 0.5 s gaps (or a steady tone), as 16-bit wav."""
    t = np.arange(int(seconds * rate)) / rate
    x = amplitude * np.sin(2 * np.pi * 220 * t)
    if bursts:
        x *= (t % 1.5) < 1.0
    data = np.repeat((x * 32767).astype("<i2")[:, None], channels, axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())
    return path


class FakeDetector:
    """The overlap model's stand-in: P(two voices) is 1 inside `regions`, else 0."""

    name = "fake-detector"

    def __init__(self, regions: tuple[tuple[float, float], ...] = ()) -> None:
        self.regions = regions
        self.calls = 0

    def score(
        self,
        audio: AudioSource,
        options: OverlapOptions | None = None,
        progress: Callable[[float], None] | None = None,
    ) -> FrameScores:
        self.calls += 1
        step = 0.02
        times = np.arange(0.0, audio.duration_s, step)
        scores = np.zeros(len(times), np.float32)
        for a, b in self.regions:
            scores[(times >= a) & (times < b)] = 1.0
        if progress:
            progress(audio.duration_s)
        return FrameScores(scores, 0.0, step)


class FakeAsr:
    """One segment per 1.5 s of audio with two words; counts calls."""

    name = "fake-asr"
    model_id = "fake-model-1"

    def __init__(self, on_call: Callable[[int], None] | None = None) -> None:
        self.calls = 0
        self.on_call = on_call

    def transcribe_window(self, samples: Samples, options: TranscribeOptions) -> list[AsrSegment]:
        self.calls += 1
        if self.on_call:
            self.on_call(self.calls)
        out = []
        for k in range(int(samples.size / SAMPLE_RATE / 1.5)):
            a = k * 1.5
            words = (Word(a, a + 0.4, "ord", 0.9), Word(a + 0.5, a + 0.9, SECRET, 0.8))
            out.append(AsrSegment(a, a + 0.9, f"ord {SECRET}", words, -0.2, 0.01, 1.1))
        return out


class FakeEmbedder:
    """Alternating voices every 3 s: embeddings from two fixed directions."""

    name = "fake-embedder"

    def __init__(self) -> None:
        self.calls = 0

    def embed(
        self,
        audio: AudioSource,
        window_s: float = 300.0,
        progress: Callable[[float], None] | None = None,
    ) -> Embeddings:
        self.calls += 1
        rng = np.random.default_rng(0)
        spans, vecs = [], []
        base = rng.normal(size=(2, 192)).astype(np.float32)
        t = 0.0
        while t + 1.5 <= audio.duration_s:
            spans.append((t, t + 1.5))
            who = int(t // 3) % 2
            vecs.append(base[who] + 0.05 * rng.normal(size=192).astype(np.float32))
            t += 0.6
        for _, end in windows(audio, window_s):
            if progress:
                progress(end)
        return Embeddings(
            np.asarray(spans, np.float32).reshape(-1, 2),
            np.asarray(vecs, np.float32).reshape(-1, 192),
        )


class SlowAsr(FakeAsr):
    """Writes a marker then sleeps on its n-th call (for kill -9 tests)."""

    def __init__(self, marker: Path, at_call: int) -> None:
        super().__init__()
        self.marker, self.at_call = marker, at_call

    def transcribe_window(self, samples: Samples, options: TranscribeOptions) -> list[AsrSegment]:
        if self.calls + 1 == self.at_call:
            self.marker.write_text("started")
            time.sleep(600)
        return super().transcribe_window(samples, options)


def make_tiny_whisper(folder: Path, d_model: int = 8, layers: int = 1, heads: int = 2) -> Path:
    """A randomly initialised Whisper in CTranslate2 format, written by CTranslate2 itself,
    with the packaged tokenizer (so faster-whisper can load it)."""
    from ctranslate2.specs import whisper_spec

    from qualkit.pipeline.models import WHISPER_PACKAGES, _package_dir

    data = _package_dir(WHISPER_PACKAGES["base"][0][0])
    assert data is not None
    tokens = (data / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    rng = np.random.default_rng(0)
    spec = whisper_spec.WhisperSpec(layers, heads, layers, heads)
    d, v = d_model, len(tokens)
    shapes = {
        "encoder/conv1/weight": (d, 80, 3),
        "encoder/conv2/weight": (d, d, 3),
        "encoder/position_encodings/encodings": (1500, d),
        "decoder/position_encodings/encodings": (448, d),
        "decoder/embeddings/weight": (v, d),
        "decoder/projection/weight": (v, d),
    }
    for name, value in spec.variables().items():
        if value is not None and not isinstance(value, str):  # str: CT2's OPTIONAL marker
            continue
        if name in shapes:
            shape = shapes[name]
        elif name.endswith(("gamma", "beta")) or (name.endswith("/bias") and "conv" in name):
            shape = (d,)
        else:
            layer = name.rsplit("/", 2)
            sub, kind = layer[-2], layer[-1]
            fused = {"self_attention/linear_0": 3 * d, "attention/linear_1": 2 * d}
            key = "/".join(name.split("/")[-3:-1])
            out = fused.get(key, 4 * d if name.endswith("ffn/linear_0/" + kind) else d)
            inp = 4 * d if "ffn/linear_1" in name else d
            shape = (out, inp) if kind == "weight" else (out,)
            del sub
        arr = rng.normal(size=shape) * (1.0 if name.endswith("gamma") else 0.02)
        _set(spec, name, arr.astype(np.float32))
    # Optional variables are not listed by variables(): set them as a real conversion does.
    for name, shape in shapes.items():
        _set(spec, name, (rng.normal(size=shape) * 0.02).astype(np.float32))
    for name in ("encoder/conv1/bias", "encoder/conv2/bias"):
        _set(spec, name, np.zeros(d, np.float32))
    for name, value in list(spec.variables().items()):
        if name.endswith("/weight") and "linear" in name and isinstance(value, np.ndarray):
            _set(spec, name[: -len("weight")] + "bias", np.zeros(value.shape[0], np.float32))
    spec.register_vocabulary(tokens)
    config = json.loads((data / "config.json").read_text())
    for k, val in config.items():
        if hasattr(spec.config, k):
            setattr(spec.config, k, val)
    spec.config.alignment_heads = [[0, 0], [0, 1]]
    spec.validate()
    folder.mkdir(parents=True, exist_ok=True)
    spec.save(str(folder))
    shutil.copyfile(data / "tokenizer.json", folder / "tokenizer.json")
    return folder


def _set(spec: object, name: str, value: np.ndarray) -> None:
    obj = spec
    parts = name.split("/")
    for part in parts[:-1]:
        head, _, idx = part.rpartition("_")
        if idx.isdigit() and hasattr(obj, head):
            obj = getattr(obj, head)[int(idx)]
        else:
            obj = getattr(obj, part)
    setattr(obj, parts[-1], value)
