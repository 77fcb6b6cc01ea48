"""Accuracy measures for the benchmark and the tests: WER (jiwer), DER (pyannote.metrics)
and WDER (words given to the wrong voice)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qualkit.pipeline.turns import Turn


def normalise(text: str) -> str:
    """Lower case, no punctuation, digits kept: what WER should compare."""
    text = text.casefold().replace("-", " ")
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip()


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    ref, hyp = normalise(reference), normalise(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return float(jiwer.wer(ref, hyp))


def parse_rttm(text: str) -> list[Turn]:
    out = []
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 8 and f[0] == "SPEAKER":
            start, dur = float(f[3]), float(f[4])
            out.append(Turn(start, start + dur, f[7]))
    return out


def der(
    reference: Sequence[Turn],
    hypothesis: Iterable[Turn],
    collar: float = 0.0,
    uem: tuple[float, float] | None = None,
) -> float:
    """Diarisation error rate. `collar` is pyannote's: the total width removed around
    each reference boundary (collar=0.5 is the NIST ±0.25 s convention)."""
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    from pyannote.core import Annotation, Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    def annotation(turns: Iterable[Turn]) -> Annotation:
        a = Annotation()
        for i, t in enumerate(turns):
            if t.end > t.start:
                a[Segment(t.start, t.end), i] = t.speaker
        return a

    ref = annotation(reference)
    metric = DiarizationErrorRate(collar=collar, skip_overlap=False)
    kwargs = {}
    if uem:
        kwargs["uem"] = Timeline([Segment(*uem)])
    return float(metric(ref, annotation(hypothesis), **kwargs))


def _annotation(turns: Iterable[Turn]) -> object:
    from pyannote.core import Annotation, Segment

    a = Annotation()
    for i, t in enumerate(turns):
        if t.end > t.start:
            a[Segment(t.start, t.end), i] = t.speaker
    return a


def der_detail(
    reference: Sequence[Turn], hypothesis: Iterable[Turn], collar: float = 0.0
) -> dict[str, float]:
    """DER and its parts (missed speech, false alarm, confusion), each a share of the
    reference speech time."""
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    from pyannote.metrics.diarization import DiarizationErrorRate

    metric = DiarizationErrorRate(collar=collar, skip_overlap=False)
    d = metric(_annotation(reference), _annotation(hypothesis), detailed=True)
    total = max(float(d["total"]), 1e-9)
    return {
        "der": float(d["diarization error rate"]),
        "missed": float(d["missed detection"]) / total,
        "false_alarm": float(d["false alarm"]) / total,
        "confusion": float(d["confusion"]) / total,
    }


def speaker_found(
    reference: Sequence[Turn], hypothesis: Sequence[Turn], speaker: str, share: float = 0.5
) -> bool:
    """Whether `speaker` has a voice of their own: under the optimal one-to-one mapping of
    voices to people, the voice mapped to them covers at least `share` of their speech."""
    from pyannote.core import Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref, hyp = _annotation(reference), _annotation(hypothesis)
    mapping = DiarizationErrorRate().optimal_mapping(ref, hyp)
    voice = next((h for h, r in mapping.items() if r == speaker), None)
    own = [t for t in reference if t.speaker == speaker]
    if voice is None or not own:
        return False
    theirs = Timeline([Segment(t.start, t.end) for t in own]).support()
    heard = Timeline([Segment(t.start, t.end) for t in hypothesis if t.speaker == voice]).support()
    covered = sum(s.duration for s in theirs.crop(heard, mode="intersection"))
    return bool(covered >= share * sum(s.duration for s in theirs))


# ------------------------------------------------------------------ words and voices
# What a coder reads is words, and DER counts frames: a one-word reply given to the
# wrong voice barely moves DER. The word-level diarisation error rate (WDER) of Shafey
# et al. (2019, joint ASR and diarisation) counts words: hypothesis words are aligned
# to reference words by edit distance, hypothesis voices are mapped one-to-one to
# reference speakers so as to agree on the most aligned words, and WDER is the share
# of aligned words (substituted or correct) whose voice maps to someone else.

SpokenWord = tuple[str, str | None]  # (word, speaker or voice; None: no voice)


@dataclass(frozen=True, slots=True)
class WordSpeakerScore:
    """Counts behind WDER, so that scores of several recordings can be added up."""

    aligned: int = 0  # reference words with a hypothesis word (substituted or correct)
    wrong: int = 0  # ... whose voice is not the mapped speaker's
    aligned_at_change: int = 0  # the same for the first words after a speaker change
    wrong_at_change: int = 0

    @property
    def wder(self) -> float:
        return self.wrong / self.aligned if self.aligned else 0.0

    @property
    def wder_at_change(self) -> float:
        return self.wrong_at_change / self.aligned_at_change if self.aligned_at_change else 0.0

    def __add__(self, other: WordSpeakerScore) -> WordSpeakerScore:
        return WordSpeakerScore(
            self.aligned + other.aligned,
            self.wrong + other.wrong,
            self.aligned_at_change + other.aligned_at_change,
            self.wrong_at_change + other.wrong_at_change,
        )


def spoken_words(turns: Iterable[tuple[str | None, str]]) -> list[SpokenWord]:
    """(speaker, text) turns in time order to normalised words, each with its speaker.
    A hyphenated word becomes two, on both sides alike."""
    return [(w, speaker) for speaker, text in turns for w in normalise(text).split()]


def align_words(reference: Sequence[str], hypothesis: Sequence[str]) -> list[tuple[int, int]]:
    """(reference index, hypothesis index) of the words a minimum edit distance
    alignment pairs up (correct or substituted; not inserted or deleted)."""
    n, m = len(reference), len(hypothesis)
    # cost[i][j]: edit distance between the first i reference and j hypothesis words.
    cost = [list(range(m + 1))] + [[i] + [0] * m for i in range(1, n + 1)]
    for i in range(1, n + 1):
        row, above = cost[i], cost[i - 1]
        for j in range(1, m + 1):
            diag = above[j - 1] + (reference[i - 1] != hypothesis[j - 1])
            row[j] = min(diag, above[j] + 1, row[j - 1] + 1)
    pairs: list[tuple[int, int]] = []
    i, j = n, m
    while i and j:
        # Prefer the diagonal on ties: a substitution keeps a word's speaker in the count.
        if cost[i][j] == cost[i - 1][j - 1] + (reference[i - 1] != hypothesis[j - 1]):
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def change_positions(speakers: Sequence[str | None], first: int = 2) -> set[int]:
    """Indexes of the first `first` words of every reference turn after a change of
    speaker (the recording's first turn follows no change)."""
    out: set[int] = set()
    for i in range(1, len(speakers)):
        if speakers[i] != speakers[i - 1]:
            out.update(range(i, min(i + first, len(speakers))))
    return out


def word_speaker_errors(
    reference: Sequence[SpokenWord], hypothesis: Sequence[SpokenWord], change_words: int = 2
) -> WordSpeakerScore:
    """WDER's counts, overall and at speaker changes (the first `change_words` words of
    each reference turn), under the best one-to-one mapping of voices to speakers."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    pairs = align_words([w for w, _ in reference], [w for w, _ in hypothesis])
    refs = sorted({s for _, s in reference if s is not None})
    voices = sorted({s for _, s in hypothesis if s is not None})
    agree = np.zeros((len(voices), len(refs)), dtype=np.int64)
    for i, j in pairs:
        r, h = reference[i][1], hypothesis[j][1]
        if r is not None and h is not None:
            agree[voices.index(h), refs.index(r)] += 1
    rows, cols = linear_sum_assignment(agree, maximize=True)
    mapped = {voices[a]: refs[b] for a, b in zip(rows, cols, strict=True)}
    at_change = change_positions([s for _, s in reference], change_words)
    wrong = [
        (
            i in at_change,
            hypothesis[j][1] is None or mapped.get(hypothesis[j][1]) != reference[i][1],
        )
        for i, j in pairs
    ]
    return WordSpeakerScore(
        len(pairs),
        sum(bad for _, bad in wrong),
        sum(change for change, _ in wrong),
        sum(change and bad for change, bad in wrong),
    )
