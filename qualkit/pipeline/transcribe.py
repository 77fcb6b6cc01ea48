"""Stage 2: speech to timed words with Whisper, offline.

The stage's options, its artefact, the guards against Whisper's loops and
hallucinations, and the window-by-window driver. The backends that do the decoding
live in `whisper_backends`.

The recording is cut into windows of a few minutes at pauses (`audio.windows`);
Whisper's feature extractor materialises the whole input's spectrogram, so feeding
windows is what keeps memory flat for an 80-minute focus group.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol

from qualkit.errors import InputError
from qualkit.model import Word
from qualkit.pipeline.artefacts import options_key, to_jsonable
from qualkit.pipeline.audio import AudioSource, Samples, windows
from qualkit.pipeline.glossary import DEFAULT_TOKEN_BUDGET

log = logging.getLogger(__name__)

BACKENDS = ("faster-whisper", "openai-whisper")
# How the glossary reaches the decoder: as faster-whisper's hotwords (in the prompt of
# every 30-second chunk), as the initial prompt, or both. openai-whisper has no hotwords
# and always carries the glossary as its initial prompt into every chunk.
GLOSSARY_MODES = ("hotwords", "prompt", "both")
_GLOSSARY_FIELDS = ("glossary", "glossary_as", "glossary_tokens")
# Options added after transcripts existed: at None (the backend's own behaviour) they stay
# out of the artefact key, so transcripts made before them are not redone.
_BACKEND_DEFAULT_FIELDS = ("best_of", "no_speech_ends_fallback", "vad_min_silence_ms")

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
    # The study's own words (`qualkit glossary`), highest priority first; as many as fit
    # `glossary_tokens` of the decoder's prompt are used.
    glossary: tuple[str, ...] = ()
    glossary_as: str = "hotwords"
    glossary_tokens: int = DEFAULT_TOKEN_BUDGET
    # Candidates sampled at each fallback temperature, the best kept. None: the backend's
    # own default (faster-whisper samples 5, openai-whisper's transcribe 1), which is what
    # qualkit did before the option existed; then it stays out of the artefact key. Last
    # in the class so that positional state (pickles for cluster workers) keeps its order.
    best_of: int | None = None
    # faster-whisper stops a window's temperature fallback where the window decodes badly
    # (log prob under `log_prob_threshold`) and looks like silence (no-speech probability
    # above this), but only through `no_speech_threshold`, which then also drops the
    # window's text; most of such windows in focus-group audio hold speech. This stops the
    # fallback alone and keeps the greedy text. 0.6 (faster-whisper's own no-speech
    # threshold) cost 0.77x the CPU at the same WER (bench/asr_fallback_end.py). None: fall
    # back as before (and stay out of the artefact key). faster-whisper only: for
    # openai-whisper, whose fallback cannot be ended apart from its skip, it is None.
    no_speech_ends_fallback: float | None = 0.6
    # The VAD cuts silences at least this long out of what Whisper decodes (a pad of 0.4 s
    # stays each side). 1,000 ms passed bench/asr_vad.py's rule (mean WER 0.830 against
    # 0.835 at 0.86x the CPU, three seeds on two files; the saving rests on one seed of
    # one file, see BENCHMARKS.md). None: faster-whisper's own 2,000 ms, as before the
    # option existed, and out of the artefact key. faster-whisper only.
    vad_min_silence_ms: int | None = 1000

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise InputError(f"Unknown backend {self.backend!r}: use {' or '.join(BACKENDS)}.")
        if self.beam_size < 1:
            raise InputError("beam_size must be at least 1.")
        if self.best_of is not None and self.best_of < 1:
            raise InputError("best_of must be at least 1.")
        if self.no_speech_ends_fallback is not None and not (
            0.0 < self.no_speech_ends_fallback < 1.0
        ):
            raise InputError("no_speech_ends_fallback must be a probability between 0 and 1.")
        if self.vad_min_silence_ms is not None and self.vad_min_silence_ms < 100:
            raise InputError("vad_min_silence_ms must be at least 100 (milliseconds).")
        if self.backend != "faster-whisper":
            object.__setattr__(self, "no_speech_ends_fallback", None)
        if self.backend != "faster-whisper" or not self.vad:
            # Nothing to cut without the VAD: the key stays the one from before the option.
            object.__setattr__(self, "vad_min_silence_ms", None)
        if self.window_s < 30:
            raise InputError("window_s must be at least 30 seconds.")
        if self.glossary_as not in GLOSSARY_MODES:
            raise InputError(
                f"Unknown glossary mode {self.glossary_as!r}: use {', '.join(GLOSSARY_MODES)}."
            )
        if not 1 <= self.glossary_tokens <= 223:
            raise InputError("glossary_tokens must be between 1 and 223 (Whisper's prompt).")

    def artefact_key(self, sha256: str, model_identity: str) -> str:
        """The TRANSCRIBE artefact's key. Without a glossary it is the key qualkit used
        before glossaries existed, so recordings transcribed then are not redone."""
        fields = asdict(self)
        if not self.glossary:
            for name in _GLOSSARY_FIELDS:
                del fields[name]
        for name in _BACKEND_DEFAULT_FIELDS:
            if fields[name] is None:
                del fields[name]
        return options_key(sha256, fields, model_identity)

    def key_keeping(
        self, sha256: str, model_identity: str, done_key: str, done_glossary: tuple[str, ...]
    ) -> str:
        """This key, or `done_key` when the transcript done under it differs from what
        these options ask only by its glossary (`done_glossary`)."""
        same = replace(self, glossary=done_glossary)
        if same.artefact_key(sha256, model_identity) == done_key:
            return done_key
        return self.artefact_key(sha256, model_identity)


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
    glossary: tuple[str, ...] = ()  # the terms offered to the decoder

    def to_json(self) -> dict[str, Any]:
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
            tuple(data.get("glossary", ())),
        )


class AsrBackend(Protocol):
    """Transcribes one window; returned times are relative to the window's start.

    The segments may come lazily, decoded while they are iterated (faster-whisper), so
    progress can follow them through a window."""

    name: str
    model_id: str

    def transcribe_window(
        self, samples: Samples, options: TranscribeOptions
    ) -> Iterable[AsrSegment]: ...


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


def _looping_tokens(tokens: list[str]) -> list[bool]:
    """Which tokens to keep when a phrase of 2-6 words comes four or more times in a row
    (one word: eight times) inside one segment: the first time stays, the echoes go.
    Whisper loops like this inside a segment ("nivån som nivån som ..."), where the
    compression-ratio check would drop the whole segment, real words before it too."""
    norm = [re.sub(r"\W+", "", t.casefold()) for t in tokens]
    keep = [True] * len(tokens)
    i = 0
    while i < len(norm):
        for p in range(1, 7):
            phrase = norm[i : i + p]
            if len(phrase) < p or not all(phrase):
                break
            reps = 1
            while norm[i + reps * p : i + (reps + 1) * p] == phrase:
                reps += 1
            if reps >= (8 if p == 1 else 4):
                for k in range(i + p, i + reps * p):
                    keep[k] = False
                i += reps * p - 1
                break
        i += 1
    return keep


# One piece of 2+ letters five times over inside one word ("järnjärnjärnjärnjärn"):
# a decoder loop on a sub-word token, which the word-level checks cannot see.
_INWORD_LOOP = re.compile(r"(\w{2,}?)\1{4,}")


def _glossary_echoes(tokens: list[str], glossary: tuple[str, ...]) -> list[bool]:
    """Which tokens to keep when a glossary term follows itself ("SIP, SIP, SIP"): with
    the terms in its prompt, Whisper echoes them into the silence after speech. People
    do not say "Försäkringskassan Försäkringskassan"; the first stays."""
    terms = {t.casefold() for t in glossary if " " not in t}
    norm = [re.sub(r"\W+", "", t.casefold()) for t in tokens]
    return [not (i and n in terms and n == norm[i - 1]) for i, n in enumerate(norm)]


def collapse_repeats(seg: AsrSegment, glossary: tuple[str, ...] = ()) -> AsrSegment:
    """The segment with decoder loops cut to their first occurrence: phrases looping
    inside it, pieces looping inside a word, glossary terms echoed after themselves."""

    def keep(tokens: list[str]) -> list[bool]:
        loops = _looping_tokens(tokens)
        if not glossary:
            return loops
        return [a and b for a, b in zip(loops, _glossary_echoes(tokens, glossary), strict=True)]

    if seg.words:
        words = tuple(replace(w, text=_INWORD_LOOP.sub(r"\1", w.text)) for w in seg.words)
        kept = keep([w.text for w in words])
        if all(kept) and words == seg.words:
            return seg
        words = tuple(w for w, k in zip(words, kept, strict=True) if k)
        text = " ".join(w.text for w in words)
        end = words[-1].end if words else seg.start
        return replace(
            seg, end=end, text=text, words=words, compression_ratio=compression_ratio(text)
        )
    tokens = _INWORD_LOOP.sub(r"\1", seg.text).split()
    kept = keep(tokens)
    text = " ".join(t for t, k in zip(tokens, kept, strict=True) if k)
    if text == seg.text:
        return seg
    return replace(seg, text=text, compression_ratio=compression_ratio(text))


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
    """Transcribe a whole recording window by window; `progress` gets seconds done, rising
    with each segment's end within a window (a window is 5 minutes of audio: a bar that
    moved only per window would stand still that long), and the window's end after it."""
    segments: list[AsrSegment] = []
    dropped = 0
    done = 0.0

    def reach(seconds: float) -> None:
        nonlocal done
        if progress and seconds > done:
            done = seconds
            progress(seconds)

    for w_start, w_end in windows(audio, options.window_s):
        samples = audio.read(w_start, w_end)
        for seg in backend.transcribe_window(samples, options):
            seg = collapse_repeats(_shift(seg, w_start, w_end), options.glossary)
            reach(seg.end)  # heard, kept or not
            if is_hallucination(seg, options) or _loops(segments, seg):
                dropped += 1
                continue
            segments.append(seg)
        reach(w_end)
    return Transcript(
        language=options.language or "auto",
        duration_s=audio.duration_s,
        backend=backend.name,
        model=backend.model_id,
        segments=tuple(segments),
        dropped=dropped,
        glossary=options.glossary,
    )


def _shift(seg: AsrSegment, offset: float, limit: float) -> AsrSegment:
    """Window-relative to recording time, clipped to the window (Whisper may overshoot)."""

    def t(x: float) -> float:
        return round(min(limit, max(offset, offset + x)), 3)

    words = tuple(Word(t(w.start), t(w.end), w.text, round(w.probability, 4)) for w in seg.words)
    return replace(seg, start=t(seg.start), end=t(seg.end), words=words)
