"""Transcripts: the voices (speakers) of a recording and its segments."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from qualkit.errors import EditConflictError, InputError
from qualkit.model import Segment, Speaker, Word
from qualkit.store.connection import StoreBase, now
from qualkit.store.roles import writer
from qualkit.store.segment_codings import join_codings, split_codings


def _words_to_json(words: Sequence[Word]) -> str:
    return json.dumps(
        [[round(w.start, 3), round(w.end, 3), w.text, round(w.probability, 4)] for w in words],
        ensure_ascii=False,
    )


def _words_from_json(text: str) -> tuple[Word, ...]:
    return tuple(Word(float(s), float(e), str(t), float(p)) for s, e, t, p in json.loads(text))


class TranscriptsStore(StoreBase):
    """The speakers and segments tables."""

    def record_voice_merge(self, keep: Speaker, drop: Speaker) -> None:
        """Remember a merge before it happens, so it can be undone (RestoreStore.unmerge_voice)."""
        with self.transaction() as db:
            turns = [
                int(r[0])
                for r in db.execute("SELECT id FROM segments WHERE speaker_id = ?", (drop.id,))
            ]
            db.execute(
                "INSERT INTO voice_merges(recording_id, kept_id, kept_participant_id, dropped_id,"
                " dropped_label, dropped_participant_id, segment_ids, created)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (
                    keep.recording_id,
                    keep.id,
                    keep.participant_id,
                    drop.id,
                    drop.label,
                    drop.participant_id,
                    json.dumps(turns),
                    now(),
                ),
            )

    def _speaker(self, row: sqlite3.Row) -> Speaker:
        return Speaker(
            id=row["id"],
            recording_id=row["recording_id"],
            label=row["label"],
            participant_id=row["participant_id"],
            talk_time_s=row["talk_time_s"],
        )

    def ensure_speaker(self, rec_id: int, label: str) -> Speaker:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO speakers(recording_id, label) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (rec_id, label),
            )
            row = db.execute(
                "SELECT * FROM speakers WHERE recording_id = ? AND label = ?", (rec_id, label)
            ).fetchone()
        return self._speaker(row)

    def speaker(self, speaker_id: int) -> Speaker:
        return self._one(
            "SELECT * FROM speakers WHERE id = ?",
            (speaker_id,),
            f"No speaker with id {speaker_id}.",
            self._speaker,
        )

    def speakers(self, rec_id: int | None = None) -> list[Speaker]:
        if rec_id is None:
            rows = self._rows("SELECT * FROM speakers ORDER BY recording_id, label")
        else:
            rows = self._rows(
                "SELECT * FROM speakers WHERE recording_id = ? ORDER BY label", (rec_id,)
            )
        return [self._speaker(r) for r in rows]

    def assign_speaker(self, speaker_id: int, participant_id: int | None) -> Speaker:
        self.speaker(speaker_id)
        with self.transaction() as db:
            db.execute(
                "UPDATE speakers SET participant_id = ? WHERE id = ?", (participant_id, speaker_id)
            )
        return self.speaker(speaker_id)

    def merge_speakers(self, keep_id: int, drop_id: int) -> Speaker:
        """Two voices that are one person: move every segment of `drop` to `keep`."""
        keep, drop = self.speaker(keep_id), self.speaker(drop_id)
        if keep.recording_id != drop.recording_id:
            raise InputError("Only voices in the same recording can be merged.")
        if keep_id == drop_id:
            raise InputError("A voice cannot be merged with itself.")
        with self.transaction() as db:
            self.record_voice_merge(keep, drop)
            db.execute(
                "UPDATE segments SET speaker_id = ? WHERE speaker_id = ?", (keep_id, drop_id)
            )
            db.execute(
                "UPDATE speakers SET talk_time_s = talk_time_s + ?, "
                "participant_id = COALESCE(participant_id, ?) WHERE id = ?",
                (drop.talk_time_s, drop.participant_id, keep_id),
            )
            db.execute("DELETE FROM speakers WHERE id = ?", (drop_id,))
        return self.speaker(keep_id)

    def set_talk_times(self, rec_id: int) -> None:
        """Recompute each voice's talk time from its segments."""
        with self.transaction() as db:
            db.execute(
                "UPDATE speakers SET talk_time_s = COALESCE((SELECT SUM(end_s - start_s)"
                " FROM segments"
                " WHERE segments.speaker_id = speakers.id AND start_s IS NOT NULL), 0)"
                " WHERE recording_id = ?",
                (rec_id,),
            )

    def _segment(self, row: sqlite3.Row) -> Segment:
        return Segment(
            id=row["id"],
            recording_id=row["recording_id"],
            idx=row["idx"],
            text=row["text"],
            start=row["start_s"],
            end=row["end_s"],
            speaker_id=row["speaker_id"],
            words=_words_from_json(row["words"]),
            overlap=bool(row["overlap"]),
        )

    def replace_segments(
        self,
        rec_id: int,
        turns: Iterable[tuple[str | None, str, float | None, float | None, Sequence[Word], bool]],
    ) -> int:
        """Replace a recording's transcript with (speaker label, text, start, end, words, overlap).

        Refuses when codings exist on the recording: re-transcribing would orphan them.
        """
        with self.transaction() as db:
            coded = db.execute(
                "SELECT COUNT(*) FROM codings JOIN segments ON segments.id = codings.segment_id "
                "WHERE segments.recording_id = ?",
                (rec_id,),
            ).fetchone()[0]
            if coded:
                raise InputError(
                    f"Recording {rec_id} already has {coded} codings; its transcript is kept. "
                    "Remove the codings first to replace it."
                )
            db.execute("DELETE FROM segments WHERE recording_id = ?", (rec_id,))
            speaker_ids: dict[str, int] = {}
            n = 0
            for idx, (label, text, start, end, words, overlap) in enumerate(turns):
                sid: int | None = None
                if label is not None:
                    if label not in speaker_ids:
                        db.execute(
                            "INSERT INTO speakers(recording_id, label) VALUES (?, ?)"
                            " ON CONFLICT DO NOTHING",
                            (rec_id, label),
                        )
                        speaker_ids[label] = int(
                            db.execute(
                                "SELECT id FROM speakers WHERE recording_id = ? AND label = ?",
                                (rec_id, label),
                            ).fetchone()[0]
                        )
                    sid = speaker_ids[label]
                db.execute(
                    "INSERT INTO segments(recording_id, idx, start_s, end_s, speaker_id, text,"
                    " words, overlap) VALUES (?,?,?,?,?,?,?,?)",
                    (rec_id, idx, start, end, sid, text, _words_to_json(words), int(overlap)),
                )
                n += 1
            # Voices that no longer speak (after re-diarisation) go, unless named.
            db.execute(
                "DELETE FROM speakers WHERE recording_id = ? AND participant_id IS NULL"
                " AND id NOT IN"
                " (SELECT DISTINCT speaker_id FROM segments WHERE recording_id = ? AND"
                " speaker_id IS NOT NULL)",
                (rec_id, rec_id),
            )
        self.set_talk_times(rec_id)
        return n

    def segment(self, seg_id: int) -> Segment:
        return self._one(
            "SELECT * FROM segments WHERE id = ?",
            (seg_id,),
            f"No segment with id {seg_id}.",
            self._segment,
        )

    def segments(self, rec_id: int | None = None) -> list[Segment]:
        if rec_id is None:
            rows = self._rows("SELECT * FROM segments ORDER BY recording_id, idx")
        else:
            rows = self._rows(
                "SELECT * FROM segments WHERE recording_id = ? ORDER BY idx", (rec_id,)
            )
        return [self._segment(r) for r in rows]

    def segment_count(self, rec_id: int | None = None) -> int:
        if rec_id is None:
            return int(self._rows("SELECT COUNT(*) FROM segments")[0][0])
        return int(
            self._rows("SELECT COUNT(*) FROM segments WHERE recording_id = ?", (rec_id,))[0][0]
        )

    def segments_light(self, rec_id: int | None = None) -> list[Segment]:
        """Segments without their word timings: what lists and search need, fast.

        Parsing word JSON is most of the cost of reading a long transcript."""
        sql = (
            "SELECT id, recording_id, idx, text, start_s, end_s, speaker_id, overlap FROM segments"
        )
        params: tuple[Any, ...] = ()
        if rec_id is not None:
            sql += " WHERE recording_id = ?"
            params = (rec_id,)
        sql += " ORDER BY recording_id, idx"
        return [
            Segment(
                id=r[0],
                recording_id=r[1],
                idx=r[2],
                text=r[3],
                start=r[4],
                end=r[5],
                speaker_id=r[6],
                overlap=bool(r[7]),
            )
            for r in self._rows(sql, params)
        ]

    def segment_counts(self) -> dict[int, int]:
        """{recording id: number of segments}."""
        rows = self._rows("SELECT recording_id, COUNT(*) FROM segments GROUP BY recording_id")
        return {int(r[0]): int(r[1]) for r in rows}

    def update_segment_text(self, seg_id: int, text: str, *, base: str | None = None) -> Segment:
        """Correct a segment's text; span codings that no longer fit are clipped to the text.

        `base` is the text the edit started from: when someone else (another coder on a
        shared study) changed the segment meanwhile, the edit is refused, not saved over
        theirs."""
        if not text.strip():
            raise InputError("A segment's text cannot be empty; merge or delete it instead.")
        with self.transaction() as db:
            old = self.segment(seg_id)
            if base is not None and old.text != base:
                raise EditConflictError(
                    f"Someone else changed segment {old.idx + 1} while you were editing it; "
                    "your text was not saved. Look at their version, then edit again."
                )
            db.execute("UPDATE segments SET text = ? WHERE id = ?", (text, seg_id))
            if len(text) < len(old.text):
                db.execute(
                    "UPDATE codings SET span_start = NULL, span_end = NULL WHERE segment_id = ?"
                    " AND span_start IS NOT NULL AND span_start >= ?",
                    (seg_id, len(text)),
                )
                db.execute(
                    "UPDATE codings SET span_end = ? WHERE segment_id = ? AND span_end > ?",
                    (len(text), seg_id, len(text)),
                )
        return self.segment(seg_id)

    def set_segment_speaker(self, seg_id: int, speaker_id: int | None) -> Segment:
        seg = self.segment(seg_id)
        if speaker_id is not None and self.speaker(speaker_id).recording_id != seg.recording_id:
            raise InputError("That voice belongs to another recording.")
        with self.transaction() as db:
            db.execute("UPDATE segments SET speaker_id = ? WHERE id = ?", (speaker_id, seg_id))
        self.set_talk_times(seg.recording_id)
        return self.segment(seg_id)

    def split_segment(self, seg_id: int, at: int) -> tuple[Segment, Segment]:
        """Split at character `at`; nothing coded is lost from either part.

        Every coder's codings are placed as NVivo, ATLAS.ti and QualCoder place them: a
        coding of the whole segment codes both parts (kept on the first, copied to the
        second with the same code, valence, memo, coder, round and time); a span inside
        one part goes with it (re-based in the second); a span across the split point
        becomes two codings, cut there. `merge_segments` joins such halves back into one."""
        seg = self.segment(seg_id)
        if not 0 < at < len(seg.text):
            raise InputError(f"Split position must be inside the text (1..{len(seg.text) - 1}).")
        left_text, right_text = seg.text[:at].rstrip(), seg.text[at:].lstrip()
        if not left_text or not right_text:
            raise InputError("Both parts of a split must contain text.")
        shift = len(seg.text) - len(right_text)
        left_words = (
            tuple(w for w in seg.words if seg.text.find(w.text.strip()) < at) if seg.words else ()
        )
        right_words = seg.words[len(left_words) :]
        mid: float | None = None
        if seg.start is not None and seg.end is not None:
            if left_words and right_words:
                mid = right_words[0].start
            else:
                mid = seg.start + (seg.end - seg.start) * at / len(seg.text)
        with self.transaction() as db:
            db.execute(
                "UPDATE segments SET idx = idx + 1 WHERE recording_id = ? AND idx > ?",
                (seg.recording_id, seg.idx),
            )
            db.execute(
                "UPDATE segments SET text = ?, end_s = ?, words = ? WHERE id = ?",
                (
                    left_text,
                    mid if mid is not None else seg.end,
                    _words_to_json(left_words),
                    seg_id,
                ),
            )
            cur = db.execute(
                "INSERT INTO segments(recording_id, idx, start_s, end_s, speaker_id, text, words,"
                " overlap) VALUES (?,?,?,?,?,?,?,?)",
                (
                    seg.recording_id,
                    seg.idx + 1,
                    mid if mid is not None else seg.start,
                    seg.end,
                    seg.speaker_id,
                    right_text,
                    _words_to_json(right_words),
                    int(seg.overlap),
                ),
            )
            new_id = int(cur.lastrowid or 0)
            split_codings(db, seg_id, new_id, len(left_text), shift, len(right_text))
        return self.segment(seg_id), self.segment(new_id)

    def _may_drop_codings_of(self) -> Callable[[int], bool]:
        """Whose codings (coder id) the one signed in may take away: anyone's in a
        SQLite project or for a team's lead, a coder's own on a team's server."""
        if self.server is None:
            return lambda _coder_id: True
        user, lead = writer(self)
        if lead:
            return lambda _coder_id: True
        own = {
            int(r[0])
            for r in self._rows("SELECT id FROM coders WHERE lower(name) = lower(?)", (user,))
        }
        return lambda coder_id: coder_id in own

    def merge_segments(self, first_id: int, second_id: int) -> Segment:
        """Join two neighbouring segments; the second's codings move to the joined one,
        those that repeat one of the first's (the halves of a split) joined into it."""
        a, b = self.segment(first_id), self.segment(second_id)
        if a.recording_id != b.recording_id or b.idx != a.idx + 1:
            raise InputError("Only neighbouring segments of one recording can be merged.")
        joined = f"{a.text} {b.text}"
        offset = len(a.text) + 1
        with self.transaction() as db:
            db.execute(
                "UPDATE segments SET text = ?, end_s = ?, words = ?, overlap = ? WHERE id = ?",
                (
                    joined,
                    b.end if b.end is not None else a.end,
                    _words_to_json(a.words + b.words),
                    int(a.overlap or b.overlap),
                    a.id,
                ),
            )
            join_codings(db, a.id, b.id, offset, self._may_drop_codings_of())
            db.execute(
                "UPDATE codings SET segment_id = ?, span_start = span_start + ?, "
                "span_end = span_end + ? WHERE segment_id = ?",
                (a.id, offset, offset, b.id),
            )
            db.execute("DELETE FROM segments WHERE id = ?", (b.id,))
            db.execute(
                "UPDATE segments SET idx = idx - 1 WHERE recording_id = ? AND idx > ?",
                (a.recording_id, b.idx),
            )
        self.set_talk_times(a.recording_id)
        return self.segment(a.id)
