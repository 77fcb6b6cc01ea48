"""The Whisper backends behind `transcribe.AsrBackend`, loaded once per process.

faster-whisper (CTranslate2, int8 on CPU: the one to use) and openai-whisper (PyTorch,
the reference implementation, loaded from the same packaged weights so the two can be
compared on equal terms).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from qualkit.errors import InputError, ModelMissingError
from qualkit.model import Word
from qualkit.pipeline.audio import Samples
from qualkit.pipeline.ct2_whisper import ct2_to_openai_whisper
from qualkit.pipeline.glossary import fit_terms, hotwords_text, rough_token_count
from qualkit.pipeline.models import ModelLocation, resolve_whisper_model
from qualkit.pipeline.transcribe import AsrBackend, AsrSegment, TranscribeOptions

# The seed of the sampling that Whisper's temperature fallback does.
SAMPLING_SEED = 0


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


class _GlossaryFitting:
    """Turns the options' glossary into hotwords and an initial prompt that fit."""

    def __init__(self) -> None:
        self._fitted: dict[tuple[tuple[str, ...], int], str] = {}

    def count_tokens(self, text: str) -> int:
        raise NotImplementedError

    def glossary_text(self, options: TranscribeOptions) -> str:
        key = (options.glossary, options.glossary_tokens)
        if key not in self._fitted:
            terms = fit_terms(options.glossary, self.count_tokens, options.glossary_tokens)
            self._fitted[key] = hotwords_text(terms)
        return self._fitted[key]

    def prompts(self, options: TranscribeOptions) -> tuple[str | None, str | None]:
        """(hotwords, initial prompt) for one window."""
        text = self.glossary_text(options) if options.glossary else ""
        if not text:
            return None, options.initial_prompt
        hotwords = text if options.glossary_as in ("hotwords", "both") else None
        prompt = options.initial_prompt
        if options.glossary_as in ("prompt", "both"):
            prompt = f"{prompt} {text}" if prompt else text
        return hotwords, prompt


def _fallback_ending_model(whisper_model: type[Any]) -> type[Any]:
    """faster-whisper's WhisperModel, whose temperature fallback can end on silence alone.

    faster-whisper ends a window's fallback when it looks like silence only where
    `no_speech_threshold` is set, and the same setting then drops the window's text. Here
    the threshold reaches the fallback loop alone (`no_speech_ends_fallback`), so the window
    keeps its greedy text; the skip outside the loop still sees the caller's setting."""

    class FallbackEndingModel(whisper_model):  # type: ignore[misc]
        no_speech_ends_fallback: float | None = None

        def generate_with_fallback(
            self, encoder_output: Any, prompt: Any, tokenizer: Any, options: Any
        ) -> Any:
            if self.no_speech_ends_fallback is not None and options.no_speech_threshold is None:
                options = dataclasses.replace(
                    options, no_speech_threshold=self.no_speech_ends_fallback
                )
            return super().generate_with_fallback(encoder_output, prompt, tokenizer, options)

    return FallbackEndingModel


class FasterWhisperBackend(_GlossaryFitting):
    name = "faster-whisper"

    def __init__(
        self, location: ModelLocation, device: str = "auto", compute_type: str | None = None
    ) -> None:
        try:
            import ctranslate2
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise ModelMissingError(
                "faster-whisper is not installed: pip install faster-whisper==1.2.1"
            ) from exc
        super().__init__()
        self.device = resolve_device(device)
        self.compute_type = compute_type or ("float16" if self.device == "cuda" else "int8")
        self.model_id = location.identity
        # Temperature fallback samples. CTranslate2 seeds each decoding thread's generator
        # once, from this seed, when the thread first samples (from the system's entropy
        # without it), so a process that transcribes the same recordings in the same order
        # gives the same words; a later seed would not reach a thread that has sampled.
        ctranslate2.set_random_seed(SAMPLING_SEED)
        # local_files_only: a folder path never reaches the hub, and this makes sure.
        self._model = _fallback_ending_model(WhisperModel)(
            str(location.path),
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=cpu_threads(),
            local_files_only=True,
        )

    def count_tokens(self, text: str) -> int:
        # As faster-whisper encodes hotwords and prompts: with a leading space.
        return len(self._model.hf_tokenizer.encode(" " + text, add_special_tokens=False).ids)

    def transcribe_window(
        self, samples: Samples, options: TranscribeOptions
    ) -> Iterable[AsrSegment]:
        if samples.size < 1600:  # under 0.1 s: nothing to hear
            return []
        hotwords, prompt = self.prompts(options)
        self._model.no_speech_ends_fallback = options.no_speech_ends_fallback
        # None leaves the number of candidates to faster-whisper's own default.
        sampling = {} if options.best_of is None else {"best_of": options.best_of}
        vad_cut: dict[str, Any] = (
            {}
            if options.vad_min_silence_ms is None
            else {"vad_parameters": {"min_silence_duration_ms": options.vad_min_silence_ms}}
        )
        segments, _info = self._model.transcribe(
            samples,
            language=options.language,
            beam_size=options.beam_size,
            **sampling,
            temperature=list(options.temperatures),
            compression_ratio_threshold=options.compression_ratio_threshold,
            log_prob_threshold=options.log_prob_threshold,
            no_speech_threshold=options.no_speech_threshold,
            condition_on_previous_text=options.condition_on_previous_text,
            word_timestamps=options.word_timestamps,
            vad_filter=options.vad,
            **vad_cut,
            hallucination_silence_threshold=(
                options.hallucination_silence_threshold if options.word_timestamps else None
            ),
            initial_prompt=prompt,
            hotwords=hotwords,
        )
        return self._segments(segments)

    @staticmethod
    def _segments(segments: Iterable[Any]) -> Iterator[AsrSegment]:
        """faster-whisper decodes while its generator is iterated: passed on one by one,
        so the progress bar follows each segment's end instead of waiting for the window."""
        for s in segments:
            words = tuple(
                Word(float(w.start), float(w.end), w.word.strip(), float(w.probability))
                for w in (s.words or ())
                if w.word.strip()
            )
            yield AsrSegment(
                float(s.start),
                float(s.end),
                s.text.strip(),
                words,
                float(s.avg_logprob),
                float(s.no_speech_prob),
                float(s.compression_ratio),
            )


class OpenAIWhisperBackend(_GlossaryFitting):
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
        super().__init__()
        self.device = resolve_device(device)
        if self.device == "cuda" and not torch.cuda.is_available():
            self.device = "cpu"
        self.model_id = location.identity
        self._model = ct2_to_openai_whisper(location.path).to(self.device)
        torch.set_num_threads(cpu_threads())

    def count_tokens(self, text: str) -> int:
        from whisper.tokenizer import get_tokenizer

        return len(get_tokenizer(multilingual=True).encode(" " + text))

    def transcribe_window(self, samples: Samples, options: TranscribeOptions) -> list[AsrSegment]:
        import torch
        import whisper

        if samples.size < 1600:
            return []
        # No hotwords here: the glossary is the initial prompt, carried into every chunk
        # (without carrying, condition_on_previous_text=False drops it after the first).
        hotwords, prompt = self.prompts(options)
        if hotwords and not (prompt and hotwords in prompt):
            prompt = f"{prompt} {hotwords}" if prompt else hotwords
        torch.manual_seed(SAMPLING_SEED)  # the fallback's sampling: same audio, same words
        with torch.inference_mode():
            result = whisper.transcribe(
                self._model,
                samples,
                verbose=None,
                language=options.language,
                beam_size=options.beam_size,
                best_of=options.best_of,  # None: one sample per temperature, as before
                temperature=options.temperatures,
                compression_ratio_threshold=options.compression_ratio_threshold,
                logprob_threshold=options.log_prob_threshold,
                no_speech_threshold=options.no_speech_threshold,
                condition_on_previous_text=options.condition_on_previous_text,
                word_timestamps=options.word_timestamps,
                hallucination_silence_threshold=(
                    options.hallucination_silence_threshold if options.word_timestamps else None
                ),
                initial_prompt=prompt,
                carry_initial_prompt=bool(options.glossary),
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


def token_counter(model: str = "base", cache_dir: Any = None) -> Callable[[str], int]:
    """Counts tokens as the model's tokenizer does (with the leading space Whisper adds);
    the rough estimate when the model is not installed, so a listing never fails."""
    try:
        from tokenizers import Tokenizer

        location = resolve_whisper_model(model, cache_dir)
        tokenizer = Tokenizer.from_file(str(location.path / "tokenizer.json"))
    except (ImportError, ModelMissingError, OSError):
        return rough_token_count

    def count(text: str) -> int:
        return len(tokenizer.encode(" " + text, add_special_tokens=False).ids)

    return count


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
