"""Accuracy measures for the benchmark and the tests: WER (jiwer) and DER (pyannote.metrics)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence

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
