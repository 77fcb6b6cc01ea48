"""Per-sub-segment voice labels to speaker turns: join, split, fold, clip, mark overlap."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from qualkit.pipeline.speaker_clustering import centroids, normalise

Array = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Turn:
    start: float
    end: float
    speaker: str


def labels_to_turns(
    spans: Array, labels: Labels, fill_gap_s: float = 1.0, min_turn_s: float = 0.5
) -> list[Turn]:
    """Sub-segments to turns: split overlapping neighbours at the midpoint, fill short
    same-voice gaps, fold away turns too short to be real."""
    turns: list[list[Any]] = []
    for (a, b), lab in zip(spans.tolist(), labels.tolist(), strict=True):
        if turns and turns[-1][2] == lab and a <= turns[-1][1] + fill_gap_s:
            turns[-1][1] = max(turns[-1][1], b)
        elif turns and a < turns[-1][1]:
            mid = (turns[-1][1] + a) / 2
            turns[-1][1] = mid
            turns.append([mid, b, lab])
        else:
            turns.append([a, b, lab])
    # Fold short turns into the neighbour they touch (same voice either side: one turn).
    changed = True
    while changed:
        changed = False
        for i, t in enumerate(turns):
            if t[1] - t[0] >= min_turn_s or len(turns) == 1:
                continue
            prev = turns[i - 1] if i > 0 else None
            nxt = turns[i + 1] if i + 1 < len(turns) else None
            if prev and nxt and prev[2] == nxt[2] and nxt[0] - prev[1] <= fill_gap_s + t[1] - t[0]:
                prev[1] = nxt[1]
                del turns[i : i + 2]
            else:
                if prev and abs(prev[1] - t[0]) < 1e-6:
                    prev[1] = t[1]
                elif nxt and abs(nxt[0] - t[1]) < 1e-6:
                    nxt[0] = t[0]
                del turns[i]
            changed = True
            break
    # Number voices by talk time so "Talare 1" is whoever speaks most (usually the moderator).
    talk: dict[int, float] = {}
    for a, b, lab in turns:
        talk[lab] = talk.get(lab, 0.0) + b - a
    order = {lab: k + 1 for k, lab in enumerate(sorted(talk, key=lambda s: -talk[s]))}
    return [Turn(round(a, 3), round(b, 3), f"SPEAKER_{order[lab]:02d}") for a, b, lab in turns]


def clip_to_speech(
    turns: list[Turn], speech: tuple[tuple[float, float], ...], min_s: float = 0.05
) -> list[Turn]:
    """Cut turns down to detected speech: sub-segment windows overrun into pauses, which
    counted as false alarms (DER 12% -> 3.5% at collar 0 on the 1-minute benchmark)."""
    regions = sorted(speech)
    starts = [a for a, _ in regions]
    out: list[Turn] = []
    for t in turns:
        i = max(0, bisect.bisect_right(starts, t.start) - 1)
        while i < len(regions) and regions[i][0] < t.end:
            a, b = max(t.start, regions[i][0]), min(t.end, regions[i][1])
            if b - a >= min_s:
                out.append(Turn(round(a, 3), round(b, 3), t.speaker))
            i += 1
    return out


def overlap_regions(
    spans: Array, x: Array, labels: Labels, margin: float
) -> list[tuple[float, float]]:
    """Where two voices fit a sub-segment almost equally well: likely overlapping speech."""
    ids = np.unique(labels)
    if len(ids) < 2:
        return []
    _, cents = centroids(normalise(x), labels)
    sims = np.sort(normalise(x) @ cents.T, axis=1)
    close = (sims[:, -1] - sims[:, -2] < margin) & (sims[:, -2] > 0.3)
    out: list[tuple[float, float]] = []
    run = 0
    for k in range(len(close)):
        run = run + 1 if close[k] else 0
        if run >= 2:  # two neighbouring sub-segments agree: not a one-off
            a = float(spans[k - 1, 0] + spans[k, 0]) / 2 + 0.3
            b = float(spans[k, 1])
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], b))
            else:
                out.append((a, b))
    return out
