"""Stage 2: speech to timed words with Whisper, offline.

Two backends behind one interface: faster-whisper (CTranslate2, int8 on CPU: the
one to use) and openai-whisper (PyTorch, the reference implementation, loaded from
the same packaged weights so the two can be compared on equal terms).

The recording is cut into windows of a few minutes at pauses (`audio.windows`);
Whisper's feature extractor materialises the whole input's spectrogram, so feeding
windows is what keeps memory flat for an 80-minute focus group.
"""

from __future__ import annotations

import json
import logging
import os
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from qualkit.errors import InputError, ModelMissingError
from qualkit.model import Word
from qualkit.pipeline.audio import AudioSource, Samples, windows
from qualkit.pipeline.models import ModelLocation, read_ct2_variables, resolve_whisper_model

log = logging.getLogger(__name__)

BACKENDS = ("faster-whisper", "openai-whisper")

# Phrases Whisper is known to invent in silence or music for Swedish: subtitle credits
# from its training data. A segment consisting of one of these is dropped.
_SWEDISH_HALLUCINATIONS = (
    "textning.nu",
    "svensktextning.nu",
    "undertexter från amara.org",
    "tack för att du tittade",
    "tack för att ni tittade",
    "prenumerera på kanalen",
    "textat av",
    "undertexter av",
)


@dataclass(frozen=True, slots=True)
class TranscribeOptions:
    """Everything that changes the words Whisper produces (and so the artefact key)."""

    model: str = "base"
    backend: str = "faster-whisper"
    language: str | None = "sv"
    beam_size: int = 5
    vad: bool = True
    word_timestamps: bool = True
    # Conditioning on earlier text is the main cause of Whisper's repetition loops.
    condition_on_previous_text: bool = False
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    compression_ratio_threshold: float = 2.4
    log_prob_threshold: float = -1.0
    # Whisper's no-speech skip drops a whole 30 s window when it is unsure; with VAD
    # already removing silence it cost real speech (60 s of the demo), so it is off.
    # Hallucinated segments are caught by `is_hallucination` instead.
    no_speech_threshold: float | None = None
    # Skip long silences inside a window when a hallucination is suspected.
    hallucination_silence_threshold: float | None = 2.0
    window_s: float = 300.0
    initial_prompt: str | None = None

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise InputError(f"Unknown backend {self.backend!r}: use {' or '.join(BACKENDS)}.")
        if self.beam_size < 1:
            raise InputError("beam_size must be at least 1.")
        if self.window_s < 30:
            raise InputError("window_s must be at least 30 seconds.")


@dataclass(frozen=True, slots=True)
class AsrSegment:
    """One Whisper segment, times in seconds from the start of the recording."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 1.0


@dataclass(frozen=True, slots=True)
class Transcript:
    """The TRANSCRIBE stage's artefact."""

    language: str
    duration_s: float
    backend: str
    model: str
    segments: tuple[AsrSegment, ...] = ()
    dropped: int = 0  # segments removed by the hallucination guards

    def to_json(self) -> dict[str, Any]:
        from qualkit.pipeline.artefacts import to_jsonable

        return dict(to_jsonable(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transcript:
        segs = tuple(
            AsrSegment(
                start=s["start"],
                end=s["end"],
                text=s["text"],
                words=tuple(Word(**w) for w in s["words"]),
                avg_logprob=s["avg_logprob"],
                no_speech_prob=s["no_speech_prob"],
                compression_ratio=s["compression_ratio"],
            )
            for s in data["segments"]
        )
        return cls(
            data["language"],
            data["duration_s"],
            data["backend"],
            data["model"],
            segs,
            data.get("dropped", 0),
        )


class AsrBackend(Protocol):
    """Transcribes one window; returned times are relative to the window's start."""

    name: str
    model_id: str

    def transcribe_window(
        self, samples: Samples, options: TranscribeOptions
    ) -> list[AsrSegment]: ...


# ------------------------------------------------------------------- guards
def compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / max(1, len(zlib.compress(data)))


def _repeats(text: str) -> bool:
    """The same 1-4 word phrase four times in a row: a decoding loop, not speech."""
    return re.search(r"\b((?:\w+\W+){1,4}?)\1{3,}", text.casefold() + " ") is not None


def is_hallucination(seg: AsrSegment, options: TranscribeOptions) -> bool:
    text = seg.text.strip().casefold().strip(" .!")
    if not text:
        return True
    if any(text == h or text.startswith(h) for h in _SWEDISH_HALLUCINATIONS):
        return True
    if seg.compression_ratio > options.compression_ratio_threshold and _repeats(seg.text):
        return True
    return bool(
        options.no_speech_threshold is not None
        and seg.no_speech_prob > options.no_speech_threshold
        and seg.avg_logprob < options.log_prob_threshold
    )


def _loops(kept: list[AsrSegment], seg: AsrSegment) -> bool:
    """A third identical segment in a row (4+ words): the decoder is looping across
    segments, which the per-segment checks cannot see. People repeat "ja, precis",
    not whole sentences three times over."""
    text = seg.text.strip().casefold()
    return (
        len(text.split()) >= 4
        and len(kept) >= 2
        and kept[-1].text.strip().casefold() == text
        and kept[-2].text.strip().casefold() == text
    )


# --------------------------------------------------------------- the stage
def transcribe(
    audio: AudioSource,
    backend: AsrBackend,
    options: TranscribeOptions,
    progress: Callable[[float], None] | None = None,
) -> Transcript:
    """Transcribe a whole recording window by window; `progress` gets seconds done."""
    segments: list[AsrSegment] = []
    dropped = 0
    for w_start, w_end in windows(audio, options.window_s):
        samples = audio.read(w_start, w_end)
        for seg in backend.transcribe_window(samples, options):
            seg = _shift(seg, w_start, w_end)
            if is_hallucination(seg, options) or _loops(segments, seg):
                dropped += 1
                continue
            segments.append(seg)
        if progress:
            progress(w_end)
    return Transcript(
        language=options.language or "auto",
        duration_s=audio.duration_s,
        backend=backend.name,
        model=backend.model_id,
        segments=tuple(segments),
        dropped=dropped,
    )


def _shift(seg: AsrSegment, offset: float, limit: float) -> AsrSegment:
    """Window-relative to recording time, clipped to the window (Whisper may overshoot)."""

    def t(x: float) -> float:
        return round(min(limit, max(offset, offset + x)), 3)

    words = tuple(Word(t(w.start), t(w.end), w.text, round(w.probability, 4)) for w in seg.words)
    return replace(seg, start=t(seg.start), end=t(seg.end), words=words)


# ---------------------------------------------------------- faster-whisper
def resolve_device(device: str) -> str:
    if device not in ("auto", "cpu", "cuda"):
        raise InputError(f"Unknown device {device!r}: use auto, cpu or cuda.")
    if device != "auto":
        return device
    try:
        import ctranslate2

        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    except ImportError:
        return "cpu"


def cpu_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


class FasterWhisperBackend:
    name = "faster-whisper"

    def __init__(
        self, location: ModelLocation, device: str = "auto", compute_type: str | None = None
    ) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise ModelMissingError(
                "faster-whisper is not installed: pip install faster-whisper==1.2.1"
            ) from exc
        self.device = resolve_device(device)
        self.compute_type = compute_type or ("float16" if self.device == "cuda" else "int8")
        self.model_id = location.identity
        # local_files_only: a folder path never reaches the hub, and this makes sure.
        self._model = WhisperModel(
            str(location.path),
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=cpu_threads(),
            local_files_only=True,
        )

    def transcribe_window(self, samples: Samples, options: TranscribeOptions) -> list[AsrSegment]:
        if samples.size < 1600:  # under 0.1 s: nothing to hear
            return []
        segments, _info = self._model.transcribe(
            samples,
            language=options.language,
            beam_size=options.beam_size,
            temperature=list(options.temperatures),
            compression_ratio_threshold=options.compression_ratio_threshold,
            log_prob_threshold=options.log_prob_threshold,
            no_speech_threshold=options.no_speech_threshold,
            condition_on_previous_text=options.condition_on_previous_text,
            word_timestamps=options.word_timestamps,
            vad_filter=options.vad,
            hallucination_silence_threshold=(
                options.hallucination_silence_threshold if options.word_timestamps else None
            ),
            initial_prompt=options.initial_prompt,
        )
        out: list[AsrSegment] = []
        for s in segments:  # a lazy generator: decoding happens while iterating
            words = tuple(
                Word(float(w.start), float(w.end), w.word.strip(), float(w.probability))
                for w in (s.words or ())
                if w.word.strip()
            )
            out.append(
                AsrSegment(
                    float(s.start),
                    float(s.end),
                    s.text.strip(),
                    words,
                    float(s.avg_logprob),
                    float(s.no_speech_prob),
                    float(s.compression_ratio),
                )
            )
        return out


# ---------------------------------------------------------- openai-whisper
def ct2_to_openai_whisper(model_dir: os.PathLike[str] | str) -> Any:
    """Build an openai-whisper model from a CTranslate2 Whisper folder (same weights, fp32).

    Splits CTranslate2's fused query/key/value projections, maps layer norms and sets
    the alignment heads from config.json (needed for word timestamps).
    """
    from pathlib import Path

    import torch
    import whisper.model as wm

    folder = Path(model_dir)
    v = read_ct2_variables(folder / "model.bin")

    def t(name: str) -> torch.Tensor:
        return torch.from_numpy(np.asarray(v[name], dtype=np.float32).copy())

    def n_layers(prefix: str) -> int:
        return len({k.split("/")[1] for k in v if re.match(prefix + r"/layer_\d+/", k)})

    conv1 = v["encoder/conv1/weight"]
    dims = wm.ModelDimensions(
        n_mels=int(conv1.shape[1]),
        n_audio_ctx=int(v["encoder/position_encodings/encodings"].shape[0]),
        n_audio_state=int(conv1.shape[0]),
        n_audio_head=int(np.asarray(v["encoder/num_heads"])),
        n_audio_layer=n_layers("encoder"),
        n_vocab=int(v["decoder/embeddings/weight"].shape[0]),
        n_text_ctx=int(v["decoder/position_encodings/encodings"].shape[0]),
        n_text_state=int(v["decoder/embeddings/weight"].shape[1]),
        n_text_head=int(np.asarray(v["decoder/num_heads"])),
        n_text_layer=n_layers("decoder"),
    )
    sd: dict[str, torch.Tensor] = {}

    def linear(dst: str, src: str, bias: bool = True) -> None:
        sd[f"{dst}.weight"] = t(f"{src}/weight")
        if bias:
            sd[f"{dst}.bias"] = t(f"{src}/bias")

    def norm(dst: str, src: str) -> None:
        sd[f"{dst}.weight"] = t(f"{src}/gamma")
        sd[f"{dst}.bias"] = t(f"{src}/beta")

    def fused(dst: str, src: str, names: Sequence[str]) -> None:
        w = t(f"{src}/weight").chunk(len(names), dim=0)
        b = t(f"{src}/bias").chunk(len(names), dim=0)
        for name, wi, bi in zip(names, w, b, strict=True):
            sd[f"{dst}.{name}.weight"] = wi
            if name != "key":  # Whisper's key projections have no bias (CT2 stores zeros)
                sd[f"{dst}.{name}.bias"] = bi

    def block(dst: str, src: str, cross: bool) -> None:
        fused(f"{dst}.attn", f"{src}/self_attention/linear_0", ("query", "key", "value"))
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        if cross:
            linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
            fused(f"{dst}.cross_attn", f"{src}/attention/linear_1", ("key", "value"))
            linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
            norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")

    linear("encoder.conv1", "encoder/conv1")
    linear("encoder.conv2", "encoder/conv2")
    sd["encoder.positional_embedding"] = t("encoder/position_encodings/encodings")
    for i in range(dims.n_audio_layer):
        block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
    norm("encoder.ln_post", "encoder/layer_norm")
    sd["decoder.token_embedding.weight"] = t("decoder/embeddings/weight")
    sd["decoder.positional_embedding"] = t("decoder/position_encodings/encodings")
    for i in range(dims.n_text_layer):
        block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
    norm("decoder.ln", "decoder/layer_norm")

    model = wm.Whisper(dims)
    model.load_state_dict(sd, strict=True)
    heads = torch.zeros(dims.n_text_layer, dims.n_text_head, dtype=torch.bool)
    config_path = folder / "config.json"
    pairs = json.loads(config_path.read_text())["alignment_heads"] if config_path.is_file() else []
    if not pairs:  # CTranslate2's own default: every head of the upper half
        pairs = [
            [layer, h]
            for layer in range(dims.n_text_layer // 2, dims.n_text_layer)
            for h in range(dims.n_text_head)
        ]
    for layer, head in pairs:
        heads[int(layer), int(head)] = True
    model.register_buffer("alignment_heads", heads.to_sparse(), persistent=False)
    return model.eval()


class OpenAIWhisperBackend:
    name = "openai-whisper"

    def __init__(self, location: ModelLocation, device: str = "auto") -> None:
        try:
            import torch
            import whisper  # noqa: F401
        except ImportError as exc:
            raise ModelMissingError(
                "openai-whisper is not installed: pip install --no-deps openai-whisper==20250625 "
                "tiktoken more-itertools"
            ) from exc
        self.device = resolve_device(device)
        if self.device == "cuda" and not torch.cuda.is_available():
            self.device = "cpu"
        self.model_id = location.identity
        self._model = ct2_to_openai_whisper(location.path).to(self.device)
        torch.set_num_threads(cpu_threads())

    def transcribe_window(self, samples: Samples, options: TranscribeOptions) -> list[AsrSegment]:
        import torch
        import whisper

        if samples.size < 1600:
            return []
        with torch.inference_mode():
            result = whisper.transcribe(
                self._model,
                samples,
                verbose=None,
                language=options.language,
                beam_size=options.beam_size,
                temperature=options.temperatures,
                compression_ratio_threshold=options.compression_ratio_threshold,
                logprob_threshold=options.log_prob_threshold,
                no_speech_threshold=options.no_speech_threshold,
                condition_on_previous_text=options.condition_on_previous_text,
                word_timestamps=options.word_timestamps,
                hallucination_silence_threshold=(
                    options.hallucination_silence_threshold if options.word_timestamps else None
                ),
                initial_prompt=options.initial_prompt,
                fp16=self.device == "cuda",
            )
        out: list[AsrSegment] = []
        for s in result["segments"]:
            words = tuple(
                Word(
                    float(w["start"]),
                    float(w["end"]),
                    str(w["word"]).strip(),
                    float(w.get("probability", 1.0)),
                )
                for w in s.get("words", ())
                if str(w["word"]).strip()
            )
            out.append(
                AsrSegment(
                    float(s["start"]),
                    float(s["end"]),
                    str(s["text"]).strip(),
                    words,
                    float(s["avg_logprob"]),
                    float(s["no_speech_prob"]),
                    float(s["compression_ratio"]),
                )
            )
        return out


@dataclass
class _Cache:
    backends: dict[tuple[str, str, str], AsrBackend] = field(default_factory=dict)


_LOADED = _Cache()


def load_backend(
    options: TranscribeOptions, device: str = "auto", cache_dir: Any = None
) -> AsrBackend:
    """Load (once per process) the backend and model that `options` ask for."""
    key = (options.backend, options.model, device)
    if key not in _LOADED.backends:
        location = resolve_whisper_model(options.model, cache_dir)
        backend: AsrBackend
        if options.backend == "openai-whisper":
            backend = OpenAIWhisperBackend(location, device)
        else:
            backend = FasterWhisperBackend(location, device)
        _LOADED.backends[key] = backend
    return _LOADED.backends[key]
