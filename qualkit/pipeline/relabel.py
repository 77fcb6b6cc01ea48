"""Re-diarising must not move a named voice's name to another voice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from qualkit.pipeline.align import AlignedTranscript


def carry_labels(
    old: Sequence[tuple[str, float, float]], new: AlignedTranscript
) -> AlignedTranscript:
    """Rename the new voices after the old ones they overlap most in time (greedy, one to
    one), so "Talare 2" stays the person it was named as; voices with no match get labels
    not used before."""
    if not old or not new.segments:
        return new
    shared: dict[tuple[str, str], float] = {}
    for seg in new.segments:
        if seg.speaker is None:
            continue
        for label, a, b in old:
            ov = min(seg.end, b) - max(seg.start, a)
            if ov > 0:
                shared[label, seg.speaker] = shared.get((label, seg.speaker), 0.0) + ov
    mapping: dict[str, str] = {}
    for (old_label, new_label), _ in sorted(shared.items(), key=lambda kv: -kv[1]):
        if new_label not in mapping and old_label not in mapping.values():
            mapping[new_label] = old_label
    taken = set(mapping.values()) | {label for label, _, _ in old}
    n = 1
    for label in dict.fromkeys(s.speaker for s in new.segments if s.speaker):
        if label not in mapping:
            while f"Talare {n}" in taken:
                n += 1
            mapping[label] = f"Talare {n}"
            taken.add(mapping[label])
    segs = tuple(
        replace(s, speaker=mapping.get(s.speaker, s.speaker) if s.speaker else None)
        for s in new.segments
    )
    return AlignedTranscript(new.duration_s, segs, tuple(mapping.get(x, x) for x in new.speakers))
