"""Turns cut to where the segmentation model hears speech.

silero's VAD, which decides where the turns may lie, keeps going through the reverb
after a voice stops: on the benchmark's reverberant recordings most of the false alarm
is the half second after a reference turn ends. The segmentation model that the overlap
stage runs anyway gives, from the same forward pass, P(speech) per 17 ms frame; it is
near 1 inside speech and falls in those tails. Cutting the turns where it is low takes
the tails off without a second pass of any model. Pure logic on arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qualkit.pipeline.overlap import FrameScores, Region, binarize
from qualkit.pipeline.turns import Turn, clip_to_speech


def heard_regions(frames: FrameScores, threshold: float, min_gap_s: float) -> list[Region]:
    """Where P(speech) is at least `threshold`; dips shorter than `min_gap_s` are
    bridged, so the model's doubt between two words does not cut a turn in two."""
    if frames.speech is None:
        raise ValueError("these frame scores carry no P(speech)")
    speech = FrameScores(frames.speech, frames.start, frames.step)
    # binarize starts a region above `onset`: a hair under the threshold keeps frames
    # exactly at it, as "at least" says.
    level = float(np.nextafter(np.float32(threshold), np.float32(0.0)))
    return binarize(speech, level, level, 0.0, min_gap_s)


def trim_to_speech(
    turns: Sequence[Turn],
    frames: FrameScores,
    threshold: float,
    min_gap_s: float = 0.0,
    min_s: float = 0.05,
) -> list[Turn]:
    """`turns` cut to `heard_regions`; pieces under `min_s` are dropped. Turns are left
    as they are when the scores carry no P(speech) (a scorer that knows only overlap)."""
    if frames.speech is None:
        return list(turns)
    return clip_to_speech(list(turns), tuple(heard_regions(frames, threshold, min_gap_s)), min_s)


def keep_whole(before: Sequence[Turn], after: Sequence[Turn]) -> list[Turn]:
    """`after` (turns cut by the trim) with every turn of `before` that the trim removed
    entirely put back whole: no piece of its voice is left inside it."""
    gone = [
        t
        for t in before
        if not any(a.speaker == t.speaker and a.start < t.end and a.end > t.start for a in after)
    ]
    return sorted([*after, *gone], key=lambda t: (t.start, t.speaker))


def trim_turns(
    turns: Sequence[Turn],
    second: Sequence[Turn],
    frames: FrameScores,
    threshold: float,
    min_gap_s: float = 0.0,
    keep_whole_turns: bool = False,
) -> tuple[list[Turn], list[Turn]]:
    """The one-voice turns and the overlap stage's second-voice turns, both cut to
    where the model hears speech. A voice whose every turn would go keeps its turns
    uncut: the trim may shorten a voice, never take one away (most likely the quiet
    participant, or a voice a count hint asked for).

    With `keep_whole_turns`, a one-voice turn the trim would remove entirely is kept
    as it was: a quiet one-word reply ("Tack.") scored under the threshold throughout
    would otherwise vanish, and `align` would give its words to the voice beside it."""
    cut = trim_to_speech(turns, frames, threshold, min_gap_s)
    if keep_whole_turns:
        cut = keep_whole(turns, cut)
    kept = {t.speaker for t in cut}
    lost = {t.speaker for t in turns} - kept
    if lost:
        cut = sorted(
            cut + [t for t in turns if t.speaker in lost], key=lambda t: (t.start, t.speaker)
        )
    return cut, trim_to_speech(second, frames, threshold, min_gap_s)
