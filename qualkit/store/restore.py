"""Exact rows put back by undo and redo: ids, positions, times and speakers as they were.

The coding app's undo (qualkit.undo_rows) captures rows before and after a change to a
transcript and writes one or the other back through these methods.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from qualkit.errors import NotFoundError
from qualkit.model import Coding, Segment, Speaker
from qualkit.store.connection import StoreBase
from qualkit.store.transcripts import _words_to_json


class RestoreStore(StoreBase):
    """Row-exact writes of segments and voices, and the change counter."""

    def data_version(self) -> int:
        """Changes whenever another connection (a second coder, the CLI) commits a write."""
        if self._pg is not None:
            with self._lock:
                return self._pg.others_changes()
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
        self._put_row(
            "segments",
            ("recording_id", "idx", "start_s", "end_s", "speaker_id", "text", "words", "overlap"),
            values,
        )

    def delete_segment(self, seg_id: int) -> None:
        """Remove a segment row (its codings go with it)."""
        with self.transaction() as db:
            db.execute("DELETE FROM segments WHERE id = ?", (seg_id,))

    def place_coding(self, coding: Coding) -> None:
        """Give a coding the segment and span given, and change nothing else of it."""
        with self.transaction() as db:
            db.execute(
                "UPDATE codings SET segment_id = ?, span_start = ?, span_end = ? WHERE id = ?",
                (coding.segment_id, coding.span_start, coding.span_end, coding.id),
            )

    def set_segment_order(self, order: Iterable[tuple[int, int]]) -> None:
        """Give segments their positions back: (segment id, idx) pairs."""
        with self.transaction() as db:
            db.executemany("UPDATE segments SET idx = ? WHERE id = ?", [(i, s) for s, i in order])

    def put_speaker(self, speaker: Speaker) -> None:
        """Write a voice row exactly as given (id included), inserting it if it is gone."""
        values = (speaker.recording_id, speaker.label, speaker.participant_id, speaker.id)
        self._put_row("speakers", ("recording_id", "label", "participant_id"), values)

    def delete_speaker(self, speaker_id: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM speakers WHERE id = ?", (speaker_id,))

    def forget_voice_merges(self, dropped_id: int) -> None:
        """The dropped voice is back (undo in the app): its merge record is spent."""
        with self.transaction() as db:
            db.execute("DELETE FROM voice_merges WHERE dropped_id = ?", (dropped_id,))

    def merged_voices(self, rec_id: int) -> list[str]:
        """Labels of the voices merged into others in this recording, newest first."""
        rows = self._rows(
            "SELECT dropped_label FROM voice_merges WHERE recording_id = ? ORDER BY id DESC",
            (rec_id,),
        )
        return [str(r[0]) for r in rows]

    def unmerge_voice(self, rec_id: int, label: str) -> Speaker:
        """Split a merged voice off again: its row and the turns that were its own come back.

        Turns that were split, joined or given to a third voice since keep what was done."""
        rows = self._rows(
            "SELECT * FROM voice_merges WHERE recording_id = ? AND dropped_label = ?"
            " ORDER BY id DESC LIMIT 1",
            (rec_id, label),
        )
        if not rows:
            merged = ", ".join(self.merged_voices(rec_id)) or "none"
            raise NotFoundError(f"No merged voice {label!r} in this recording (merged: {merged}).")
        merge = rows[0]
        with self.transaction() as db:
            taken = db.execute(
                "SELECT 1 FROM speakers WHERE id = ? OR (recording_id = ? AND label = ?)",
                (merge["dropped_id"], rec_id, label),
            ).fetchone()
            if taken:
                raise NotFoundError(f"Voice {label!r} is already there; nothing to unmerge.")
            db.execute(
                "INSERT INTO speakers(id, recording_id, label, participant_id) VALUES (?,?,?,?)",
                (merge["dropped_id"], rec_id, label, merge["dropped_participant_id"]),
            )
            turns = json.loads(merge["segment_ids"])
            db.executemany(
                "UPDATE segments SET speaker_id = ? WHERE id = ? AND speaker_id = ?",
                [(merge["dropped_id"], sid, merge["kept_id"]) for sid in turns],
            )
            # The kept voice took the dropped one's participant only when it had none.
            if merge["kept_participant_id"] is None:
                db.execute(
                    "UPDATE speakers SET participant_id = NULL WHERE id = ?", (merge["kept_id"],)
                )
            db.execute("DELETE FROM voice_merges WHERE id = ?", (merge["id"],))
            db.execute(
                "UPDATE speakers SET talk_time_s = COALESCE((SELECT SUM(end_s - start_s)"
                " FROM segments WHERE segments.speaker_id = speakers.id"
                " AND start_s IS NOT NULL), 0) WHERE recording_id = ?",
                (rec_id,),
            )
        row = self._rows("SELECT * FROM speakers WHERE id = ?", (merge["dropped_id"],))[0]
        return Speaker(row["id"], rec_id, label, row["participant_id"], row["talk_time_s"])
