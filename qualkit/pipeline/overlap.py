"""Overlapped speech: frame scores to regions, and a second speaker for each region.

The diariser's turns give one voice at a time, so every second where two people talk
is missed speech. A segmentation model (`overlap_model`) scores every frame for "two
voices here"; this module turns those scores into regions and gives each region the
second voice, so the diarisation can carry overlapping turns. Pure logic on arrays:
no model, no audio.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from qualkit.pipeline.turns import Turn

Array = npt.NDArray[np.float32]
Region = tuple[float, float]


@dataclass(frozen=True, slots=True)
class FrameScores:
    """One score per frame of a recording; frame k is centred at `start + k * step`.

    `scores` is P(two voices); `speech`, where the model gave it, P(any voice) on the
    same frames (None from a scorer that knows only overlap)."""

    scores: Array
    start: float
    step: float
    speech: Array | None = None

    def times(self) -> Array:
        return np.asarray(self.start + self.step * np.arange(len(self.scores)), np.float32)


class FrameAccumulator:
    """Averages the scores of overlapping model windows frame by frame.

    Each window's frames are weighted by a Hamming window, as pyannote does, because a
    recurrent model sees least context at a window's edges and is least sure there."""

    def __init__(self, n_frames: int, step: float, start: float = 0.0) -> None:
        self.total = np.zeros(n_frames, np.float64)
        self.speech = np.zeros(n_frames, np.float64)
        self.weight = np.zeros(n_frames, np.float64)
        self.has_speech = False
        self.step = step
        self.start = start

    def add(
        self,
        offset_s: float,
        scores: npt.NDArray[np.floating],
        speech: npt.NDArray[np.floating] | None = None,
    ) -> None:
        """Add one window's frame scores (and P(speech), if given, on the same frames);
        the window starts `offset_s` into the recording."""
        first = round(offset_s / self.step)
        n = min(len(scores), len(self.total) - first)
        if n <= 0:
            return
        w = np.hamming(len(scores))[:n] + 1e-6
        self.total[first : first + n] += w * np.asarray(scores[:n], np.float64)
        if speech is not None:
            self.has_speech = True
            self.speech[first : first + n] += w * np.asarray(speech[:n], np.float64)
        self.weight[first : first + n] += w

    def result(self) -> FrameScores:
        weight = np.maximum(self.weight, 1e-12)
        mean = np.where(self.weight > 0, self.total / weight, 0.0).astype(np.float32)
        speech = None
        if self.has_speech:
            speech = np.where(self.weight > 0, self.speech / weight, 0.0).astype(np.float32)
        return FrameScores(mean, self.start, self.step, speech)


def binarize(
    frames: FrameScores,
    onset: float = 0.5,
    offset: float | None = None,
    min_on_s: float = 0.2,
    min_off_s: float = 0.2,
) -> list[Region]:
    """Regions where the score rises above `onset` and stays above `offset` (hysteresis);
    gaps shorter than `min_off_s` are bridged, then regions shorter than `min_on_s` dropped."""
    off = onset if offset is None else offset
    raw: list[Region] = []
    active = False
    begin = 0.0
    half = frames.step / 2
    for t, s in zip(frames.times().tolist(), frames.scores.tolist(), strict=True):
        if not active and s > onset:
            active, begin = True, t - half
        elif active and s < off:
            active = False
            raw.append((begin, t - half))
    if active:
        raw.append((begin, float(frames.times()[-1]) + half))
    bridged: list[Region] = []
    for a, b in raw:
        if bridged and a - bridged[-1][1] < min_off_s:
            bridged[-1] = (bridged[-1][0], b)
        else:
            bridged.append((a, b))
    return [(round(a, 3), round(b, 3)) for a, b in bridged if b - a >= min_on_s]


def coverage(turns: Sequence[Turn], a: float, b: float) -> dict[str, float]:
    """Seconds of the span (a, b) each speaker's turns cover."""
    out: dict[str, float] = {}
    for t in turns:
        ov = min(b, t.end) - max(a, t.start)
        if ov > 0:
            out[t.speaker] = out.get(t.speaker, 0.0) + ov
    return out


def _nearest_other(
    turns: Sequence[Turn], a: float, b: float, speaker: str, reach_s: float
) -> str | None:
    """The other voice whose turn ends closest before `a` or starts closest after `b`
    (Bullock et al. 2020): people overlap the one they answer or are answered by.
    A tie goes to the voice with more speech within `reach_s` of the region."""
    best: tuple[float, float, str] | None = None
    for t in turns:
        if t.speaker == speaker:
            continue
        if t.end <= a:
            gap = a - t.end
        elif t.start >= b:
            gap = t.start - b
        else:
            gap = 0.0
        if gap > reach_s:
            continue
        own = [u for u in turns if u.speaker == t.speaker]
        near = sum(coverage(own, a - reach_s, b + reach_s).values())
        key = (gap, -near, t.speaker)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def _uncovered(turns: Sequence[Turn], speaker: str, a: float, b: float) -> list[Region]:
    """Parts of [a, b] that `speaker`'s own turns do not already cover."""
    pieces = [(a, b)]
    for t in turns:
        if t.speaker != speaker:
            continue
        nxt: list[Region] = []
        for x, y in pieces:
            if t.end <= x or t.start >= y:
                nxt.append((x, y))
                continue
            if t.start > x:
                nxt.append((x, t.start))
            if t.end < y:
                nxt.append((t.end, y))
        pieces = nxt
    return pieces


def second_speaker_turns(
    turns: Sequence[Turn],
    regions: Sequence[Region],
    reach_s: float = 10.0,
    min_s: float = 0.05,
) -> list[Turn]:
    """Extra turns that make each overlap region hold two voices.

    Where the region already holds two voices (a hand-over inside it), both get the
    whole region: the one who was talking has not stopped yet. Where it holds one, the
    second is the nearest other voice in time. A region with no voice at all is left
    alone: the diariser heard no speech there and one guess would be two errors."""
    ordered = sorted(turns, key=lambda t: t.start)
    extra: list[Turn] = []
    for a, b in regions:
        local = [t for t in ordered if t.end > a - reach_s and t.start < b + reach_s]
        cover = coverage(local, a, b)
        if not cover:
            continue
        ranked = sorted(cover, key=lambda s: (-cover[s], s))
        if len(ranked) >= 2:
            voices = ranked[:2]
        else:
            other = _nearest_other(local, a, b, ranked[0], reach_s)
            if other is None:
                continue
            voices = [ranked[0], other]
        for spk in voices:
            for x, y in _uncovered(local, spk, a, b):
                if y - x >= min_s:
                    extra.append(Turn(round(x, 3), round(y, 3), spk))
    return sorted(extra, key=lambda t: (t.start, t.speaker))


def region_overlap_share(regions: Sequence[Region], reference: Sequence[Region]) -> float:
    """Seconds of `regions` that fall inside `reference`, as a share of `regions`
    (precision when `reference` is the truth; recall with the arguments swapped)."""
    total = sum(b - a for a, b in regions)
    if total <= 0:
        return 0.0
    hit = 0.0
    for a, b in regions:
        for x, y in reference:
            hit += max(0.0, min(b, y) - max(a, x))
    return hit / total


def reference_overlap(turns: Sequence[Turn]) -> list[Region]:
    """Where two or more different speakers of `turns` talk at once (a sweep over turn ends)."""
    events: list[tuple[float, int, str]] = []
    for t in turns:
        if t.end > t.start:
            events.append((t.start, 1, t.speaker))
            events.append((t.end, -1, t.speaker))
    events.sort(key=lambda e: (e[0], e[1]))
    active: dict[str, int] = {}
    out: list[Region] = []
    begin: float | None = None
    for time, delta, spk in events:
        active[spk] = active.get(spk, 0) + delta
        if active[spk] == 0:
            del active[spk]
        if len(active) >= 2 and begin is None:
            begin = time
        elif len(active) < 2 and begin is not None:
            if time > begin:
                out.append((begin, time))
            begin = None
    return out
