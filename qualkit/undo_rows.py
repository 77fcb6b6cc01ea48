"""Exact rows of part of a recording, taken before and after a change and put back.

Undo of a split, join, text edit, speaker change or voice merge restores the rows as
they were (segment ids, positions, times, words, speakers and every coding on the
segments) instead of running the opposite operation, which cannot give back the same
ids, times or speakers. A restore is refused when the rows are no longer as the change
left them (another coder has worked on them since): nothing of theirs is overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from qualkit.errors import InputError, NotFoundError
from qualkit.model import Coding, Segment, Speaker
from qualkit.store import Store


class UndoConflict(InputError):
    """The rows changed since the action: undoing it would overwrite someone's work."""


@dataclass(frozen=True, slots=True)
class RecordingRows:
    """Some segments of one recording with their codings, its voices and segment order."""

    recording_id: int
    segments: tuple[Segment, ...]
    codings: tuple[Coding, ...]
    speakers: tuple[Speaker, ...]
    order: tuple[tuple[int, int], ...]  # (segment id, idx) of every segment of the recording

    @property
    def segment_ids(self) -> frozenset[int]:
        return frozenset(s.id for s in self.segments)

    def comparable(self) -> tuple[object, ...]:
        """What must be unchanged for a restore to be exact (talk times follow from it)."""
        voices = tuple(replace(s, talk_time_s=0.0) for s in self.speakers)
        return (self.segments, self.codings, voices, self.order)


def capture(store: Store, recording_id: int, segment_ids: Iterable[int]) -> RecordingRows:
    """The rows of these segments (those that exist) and the recording's voices and order."""
    segments: list[Segment] = []
    codings: list[Coding] = []
    for sid in sorted(set(segment_ids)):
        try:
            segments.append(store.segment(sid))
        except NotFoundError:
            continue
        codings.extend(store.codings(segment_id=sid))
    return RecordingRows(
        recording_id,
        tuple(segments),
        tuple(sorted(codings, key=lambda c: c.id)),
        tuple(sorted(store.speakers(recording_id), key=lambda s: s.id)),
        tuple((s.id, s.idx) for s in store.segments_light(recording_id)),
    )


def restore(store: Store, expected: RecordingRows, target: RecordingRows) -> None:
    """Put `target` back, provided the rows are still `expected`; one transaction."""
    with store.transaction():
        ids = expected.segment_ids | target.segment_ids
        now = capture(store, target.recording_id, ids)
        if now.comparable() != expected.comparable():
            raise UndoConflict(
                "Cannot undo or redo: these segments changed since (another coder?)."
                " Nothing was changed."
            )
        # Codings move with the words they sit on (a split undone), whoever coded them: a
        # coding stays and only its segment and span change, which is all a team's server
        # lets a coder do to another coder's coding (and its quote pin stays on it).
        wanted = {c.id: c for c in target.codings}
        placed = {c.id for c in now.codings if _only_place_differs(c, wanted.get(c.id))}
        for coding in now.codings:
            if coding.id not in placed:
                store.remove_coding(coding.id, following=True)
        for speaker in target.speakers:
            store.put_speaker(speaker)
        for seg in target.segments:
            store.put_segment(seg)
        now_codings = {c.id: c for c in now.codings}
        for coding in target.codings:
            if coding.id in placed and now_codings[coding.id] != coding:
                store.place_coding(coding)
        keep = target.segment_ids
        for seg in now.segments:
            if seg.id not in keep:
                store.delete_segment(seg.id)  # its codings have moved off it
        store.set_segment_order(target.order)
        for coding in target.codings:
            if coding.id not in placed:
                store.restore_coding(coding, following=True)
        voices = {s.id for s in target.speakers}
        for speaker in now.speakers:
            if speaker.id not in voices:
                store.delete_speaker(speaker.id)
        store.set_talk_times(target.recording_id)


def _only_place_differs(now: Coding, target: Coding | None) -> bool:
    """Whether `now` becomes `target` by changing its segment and span alone."""
    if target is None:
        return False
    moved = replace(
        now,
        segment_id=target.segment_id,
        span_start=target.span_start,
        span_end=target.span_end,
    )
    return moved == target
