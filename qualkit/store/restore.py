"""Exact rows put back by undo and redo: ids, positions, times and speakers as they were.

The coding app's undo (qualkit.undo_rows) captures rows before and after a change to a
transcript and writes one or the other back through these methods.
"""

from __future__ import annotations

from collections.abc import Iterable

from qualkit.model import Segment, Speaker
from qualkit.store.connection import StoreBase
from qualkit.store.transcripts import _words_to_json


class RestoreStore(StoreBase):
    """Row-exact writes of segments and voices, and the change counter."""

    def data_version(self) -> int:
        """Changes whenever another connection (a second coder, the CLI) commits a write."""
        return int(self._rows("PRAGMA data_version")[0][0])

    def put_segment(self, seg: Segment) -> None:
        """Write a segment row exactly as given (id included), inserting it if it is gone."""
        values = (
            seg.recording_id,
            seg.idx,
            seg.start,
            seg.end,
            seg.speaker_id,
            seg.text,
            _words_to_json(seg.words),
            int(seg.overlap),
            seg.id,
        )
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE segments SET recording_id = ?, idx = ?, start_s = ?, end_s = ?,"
                " speaker_id = ?, text = ?, words = ?, overlap = ? WHERE id = ?",
                values,
            )
            if cur.rowcount == 0:
                db.execute(
                    "INSERT INTO segments(recording_id, idx, start_s, end_s, speaker_id, text,"
                    " words, overlap, id) VALUES (?,?,?,?,?,?,?,?,?)",
                    values,
                )

    def delete_segment(self, seg_id: int) -> None:
        """Remove a segment row (its codings go with it)."""
        with self.transaction() as db:
            db.execute("DELETE FROM segments WHERE id = ?", (seg_id,))

    def set_segment_order(self, order: Iterable[tuple[int, int]]) -> None:
        """Give segments their positions back: (segment id, idx) pairs."""
        with self.transaction() as db:
            db.executemany("UPDATE segments SET idx = ? WHERE id = ?", [(i, s) for s, i in order])

    def put_speaker(self, speaker: Speaker) -> None:
        """Write a voice row exactly as given (id included), inserting it if it is gone."""
        values = (speaker.recording_id, speaker.label, speaker.participant_id, speaker.id)
        with self.transaction() as db:
            cur = db.execute(
                "UPDATE speakers SET recording_id = ?, label = ?, participant_id = ? WHERE id = ?",
                values,
            )
            if cur.rowcount == 0:
                db.execute(
                    "INSERT INTO speakers(recording_id, label, participant_id, id)"
                    " VALUES (?,?,?,?)",
                    values,
                )

    def delete_speaker(self, speaker_id: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM speakers WHERE id = ?", (speaker_id,))
