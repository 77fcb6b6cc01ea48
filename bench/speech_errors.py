"""Where missed speech and false alarm come from, frame by frame (who speaks ignored).

At collar 0, pyannote's missed speech in a frame is max(0, reference voices - found
voices) and its false alarm max(0, found - reference): both depend on how many voices
are active, never on which. This module counts them on a 10 ms grid and files each
errant frame under one cause, so the causes add up to the DER's missed and false alarm
(within the grid's rounding):

false alarm, nobody speaking in the reference:
- `fa_tail`: within `near_s` after a reference turn ends (reverb tail, VAD hang-over);
- `fa_onset`: within `near_s` before a reference turn starts (VAD onset padding);
- `fa_pause`: elsewhere inside a VAD speech region (a pause the VAD bridged, noise);
- `fa_outside_vad`: outside the VAD's speech (only the overlap stage's second voice
  reaches there: its regions are not clipped to the VAD);
false alarm, someone speaking:
- `fa_false_overlap`: more voices found than speak (the second voice where one talks);
missed speech, no voice found:
- `miss_vad_start` / `miss_vad_end`: within `near_s` of a reference turn's start / end;
- `miss_short_turn`: in a reference turn under 1 s (a backchannel) found by nobody;
- `miss_vad_other`: the rest outside the VAD's speech;
- `miss_in_vad`: inside VAD speech but no turn there (lost in turn building, or cut
  by a trim of the turns);
missed speech, a voice found:
- `miss_overlap`: fewer voices found than speak (overlap the detector missed);
and one artefact of the reference:
- `miss_ref_self`: where two of one person's reference turns overlap (a backchannel
  placed over their own line), pyannote counts that person twice, and the second
  count is missed whatever the diariser does.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from qualkit.pipeline.turns import Turn

RES = 0.01  # grid step, seconds
Mask = npt.NDArray[np.bool_]

CAUSES = (
    "fa_tail",
    "fa_onset",
    "fa_pause",
    "fa_outside_vad",
    "fa_false_overlap",
    "miss_vad_start",
    "miss_vad_end",
    "miss_short_turn",
    "miss_vad_other",
    "miss_in_vad",
    "miss_overlap",
    "miss_ref_self",
)


def _index(t: float) -> int:
    return round(t / RES)


def span_mask(spans: Sequence[tuple[float, float]], n: int) -> Mask:
    out = np.zeros(n, bool)
    for a, b in spans:
        out[max(0, _index(a)) : max(0, min(n, _index(b)))] = True
    return out


def voice_count(turns: Sequence[Turn], n: int) -> npt.NDArray[np.int64]:
    """Distinct speakers active in each frame."""
    by: dict[str, list[tuple[float, float]]] = {}
    for t in turns:
        by.setdefault(t.speaker, []).append((t.start, t.end))
    count = np.zeros(n, np.int64)
    for spans in by.values():
        count += span_mask(spans, n)
    return count


def _near(edges: Sequence[float], n: int, before_s: float, after_s: float) -> Mask:
    """Frames from `before_s` before to `after_s` after any of `edges`."""
    out = np.zeros(n, bool)
    for e in edges:
        out[max(0, _index(e - before_s)) : max(0, min(n, _index(e + after_s)))] = True
    return out


def error_causes(
    reference: Sequence[Turn],
    hypothesis: Sequence[Turn],
    speech: Sequence[tuple[float, float]],
    duration_s: float,
    near_s: float = 0.5,
) -> dict[str, float]:
    """Seconds of missed speech and false alarm per cause (`CAUSES`), plus `ref_s`, the
    reference speech time (pyannote's denominator: overlapped seconds count twice)."""
    n = _index(max(duration_s, max((t.end for t in reference), default=0.0))) + 1
    r = voice_count(reference, n)
    h = voice_count(hypothesis, n)
    segments = np.zeros(n, np.int64)  # pyannote's count: one per reference turn
    for t in reference:
        segments[max(0, _index(t.start)) : max(0, min(n, _index(t.end)))] += 1
    vad = span_mask(speech, n)
    ref_any = r > 0
    after_end = _near([t.end for t in reference], n, 0.0, near_s)
    before_start = _near([t.start for t in reference], n, near_s, 0.0)
    at_start = _near([t.start for t in reference], n, 0.0, near_s)
    at_end = _near([t.end for t in reference], n, near_s, 0.0)
    short = span_mask([(t.start, t.end) for t in reference if t.end - t.start < 1.0], n)
    fa = np.maximum(h - r, 0).astype(float)
    miss = np.maximum(r - h, 0).astype(float)
    out = dict.fromkeys(CAUSES, 0.0)
    silent = ~ref_any & (fa > 0)
    out["fa_outside_vad"] = fa[silent & ~vad].sum()
    inside = silent & vad
    out["fa_tail"] = fa[inside & after_end].sum()
    out["fa_onset"] = fa[inside & ~after_end & before_start].sum()
    out["fa_pause"] = fa[inside & ~after_end & ~before_start].sum()
    out["fa_false_overlap"] = fa[ref_any].sum()
    none = miss * (h == 0)
    out["miss_in_vad"] = none[vad].sum()
    outside = ~vad
    out["miss_vad_start"] = none[outside & at_start].sum()
    rest = outside & ~at_start
    out["miss_vad_end"] = none[rest & at_end].sum()
    rest &= ~at_end
    out["miss_short_turn"] = none[rest & short].sum()
    out["miss_vad_other"] = none[rest & ~short].sum()
    out["miss_overlap"] = (miss * (h > 0)).sum()
    out["miss_ref_self"] = (np.maximum(segments - h, 0) - miss).sum()
    res = {k: float(v) * RES for k, v in out.items()}
    res["ref_s"] = float(segments.sum()) * RES
    return res
