"""Recordings and the pipeline stages each has been through."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

from qualkit.errors import InputError
from qualkit.model import GroupType, Recording, StageStatus
from qualkit.spelling import known_spelling, tidy
from qualkit.store.connection import StoreBase, now
from qualkit.store.locks import process_gone, this_process

# (text, start, end) of a segment, as the pipeline made it or as the project holds it.
MadeSegment = tuple[str, float | None, float | None]


def edited_segments(made: Sequence[MadeSegment], held: Sequence[MadeSegment]) -> int:
    """How many of the held segments differ from the made ones in words or times (to a
    millisecond); a split or a merge changes the count, and counts at least one."""
    differ = sum(
        m[0] != h[0] or not _same_time(m[1], h[1]) or not _same_time(m[2], h[2])
        for m, h in zip(made, held, strict=False)
    )
    return differ + abs(len(made) - len(held))


def _same_time(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-3


def _status(status: str, owner: str) -> str:
    """A stage's status as it stands: 'running' whose process has ended (killed, or the
    app quit mid-run) is 'interrupted'. Told from the process itself rather than from a
    heartbeat's age, so a long stage that reports nothing for a while is not mistaken for
    a dead one, and nothing has to write to the database while models run."""
    if status == StageStatus.RUNNING and process_gone(owner):
        return StageStatus.INTERRUPTED.value
    return status


def kommun_spelling(
    db: sqlite3.Connection, name: str | None, *, recording: int = 0, participant: int = 0
) -> str | None:
    """The spelling the study already uses for kommun `name` ('eksjö' -> 'Eksjö').

    Every write of a kommun passes here: two spellings of one place would split the
    material in every report and in the region table. The row being changed does not
    count, so a kommun only it holds can still be re-spelt."""
    if name is None or not tidy(name):
        return None
    known = [
        str(r[0])
        for r in db.execute(
            "SELECT kommun FROM recordings WHERE kommun IS NOT NULL AND id != ?"
            " UNION SELECT kommun FROM participants WHERE kommun IS NOT NULL AND id != ?",
            (recording, participant),
        ).fetchall()
    ]
    return known_spelling(name, sorted(known)) or tidy(name)


_SEGMENTS = "SELECT id FROM segments WHERE recording_id = ?"
_WORK = {
    "codings": f"SELECT COUNT(*) FROM codings WHERE segment_id IN ({_SEGMENTS})",
    "memos": "SELECT COUNT(*) FROM memos WHERE (target = 'recording' AND target_id = ?)"
    " OR (target = 'segment' AND target_id IN"
    f" (SELECT CAST(id AS TEXT) FROM ({_SEGMENTS}) s))",
    "suggestion feedback": (
        f"SELECT COUNT(*) FROM suggestion_feedback WHERE segment_id IN ({_SEGMENTS})"
    ),
    # A name a voiceprint gave is not work: the voiceprint outlives the recording and
    # names the voice again after a new transcription, so nothing a person did is lost.
    "named voices": "SELECT COUNT(*) FROM speakers WHERE recording_id = ?"
    " AND participant_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM voice_matches m"
    " JOIN voiceprints v ON v.id = m.voiceprint_id WHERE m.speaker_id = speakers.id"
    " AND m.status = 'named' AND v.participant_id = speakers.participant_id)",
    "rounds": "SELECT COUNT(*) FROM round_material WHERE recording_id = ?",
}


def _work(db: Any, rec_id: int, made: Sequence[MadeSegment] | None) -> dict[str, int]:
    work = {}
    for kind, sql in _WORK.items():
        n = int(db.execute(sql, (rec_id,) * sql.count("?")).fetchone()[0])
        if n:
            work[kind] = n
    if made is not None:
        rows = db.execute(
            "SELECT text, start_s, end_s FROM segments WHERE recording_id = ? ORDER BY idx",
            (rec_id,),
        ).fetchall()
        held = [(r[0], r[1], r[2]) for r in rows]
        if n := edited_segments(made, held):
            work["hand-edited segments"] = n
    return work


class RecordingsStore(StoreBase):
    """The recordings and stages tables."""

    def _recording(self, row: sqlite3.Row) -> Recording:
        stages = {
            r["stage"]: _status(r["status"], r["owner"])
            for r in self._rows(
                "SELECT stage, status, owner FROM stages WHERE recording_id = ?", (row["id"],)
            )
        }
        return Recording(
            id=row["id"],
            name=row["name"],
            audio_path=row["audio_path"],
            transcript_path=row["transcript_path"],
            sha256=row["sha256"],
            duration_s=row["duration_s"],
            kommun=row["kommun"],
            group_type=GroupType(row["group_type"]) if row["group_type"] else None,
            date=row["date"],
            guide=row["guide"],
            stages=MappingProxyType(stages),
        )

    def add_recording(
        self,
        name: str,
        *,
        audio_path: str | None = None,
        transcript_path: str | None = None,
        sha256: str = "",
        duration_s: float | None = None,
        kommun: str | None = None,
        group_type: GroupType | None = None,
        date: str | None = None,
        guide: str | None = None,
    ) -> Recording:
        with self.transaction() as db:
            kommun = kommun_spelling(db, kommun)
            if db.execute("SELECT 1 FROM recordings WHERE name = ?", (name,)).fetchone():
                raise InputError(
                    f"A recording named {name!r} already exists; choose another --name."
                )
            cur = db.execute(
                "INSERT INTO recordings(name, audio_path, transcript_path, sha256, duration_s,"
                " kommun, group_type, date, guide, created) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    name,
                    audio_path,
                    transcript_path,
                    sha256,
                    duration_s,
                    kommun,
                    group_type.value if group_type else None,
                    date,
                    guide,
                    now(),
                ),
            )
            rec_id = int(cur.lastrowid or 0)
        return self.recording(rec_id)

    def recording(self, rec_id: int) -> Recording:
        return self._one(
            "SELECT * FROM recordings WHERE id = ?",
            (rec_id,),
            f"No recording with id {rec_id}.",
            self._recording,
        )

    def recording_by_name(self, name: str) -> Recording | None:
        rows = self._rows("SELECT * FROM recordings WHERE name = ?", (name,))
        return self._recording(rows[0]) if rows else None

    def recordings(self) -> list[Recording]:
        return [self._recording(r) for r in self._rows("SELECT * FROM recordings ORDER BY id")]

    def update_recording(self, rec_id: int, **fields: Any) -> Recording:
        allowed = {
            "name",
            "audio_path",
            "transcript_path",
            "sha256",
            "duration_s",
            "kommun",
            "group_type",
            "date",
            "guide",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise InputError(f"Cannot set {', '.join(sorted(unknown))} on a recording.")
        if not fields:
            return self.recording(rec_id)
        with self.transaction() as db:
            if "kommun" in fields:
                fields["kommun"] = kommun_spelling(db, fields["kommun"], recording=rec_id)
            values = [v.value if isinstance(v, GroupType) else v for v in fields.values()]
            assignments = ", ".join(f"{k} = ?" for k in fields)
            db.execute(f"UPDATE recordings SET {assignments} WHERE id = ?", (*values, rec_id))
        return self.recording(rec_id)

    def delete_recording(self, rec_id: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM recordings WHERE id = ?", (rec_id,))

    def delete_untouched_recording(
        self, rec_id: int, made: Sequence[MadeSegment] | None = None
    ) -> dict[str, int]:
        """Delete the recording unless someone has worked on it; what they did, by kind
        (empty when it was deleted). Counted and deleted in one transaction, so a coding
        made meanwhile in the app cannot be taken with it. `made`: the segments as the
        pipeline made them; segments that differ from them are hand edits, work too."""
        with self.transaction() as db:
            work = _work(db, rec_id, made)
            if not work:
                self.delete_recording(rec_id)  # inside this transaction
        return work

    def work_on_recording(
        self, rec_id: int, made: Sequence[MadeSegment] | None = None
    ) -> dict[str, int]:
        """What people have done on the recording, by kind (as `delete_untouched_recording`
        counts it); empty when a new transcript could replace the old one at no loss."""
        with self.transaction() as db:
            return _work(db, rec_id, made)

    def move_to_new_audio(
        self,
        rec_id: int,
        sha256: str,
        made: Sequence[MadeSegment] | None = None,
        *,
        edits_may_go: bool = False,
    ) -> dict[str, int]:
        """Point the recording at a replaced audio file (`sha256`) and drop the old file's
        transcript: its segments, voices (with their centroids and voiceprint names) and
        stages, so nothing of the old file is carried onto the new one, even if the run
        that follows is stopped. Refused, changing nothing, when people have worked on it
        (checked in the same transaction); returns that work, empty when it was done."""
        with self.transaction() as db:
            work = _work(db, rec_id, made)
            if edits_may_go:
                work.pop("hand-edited segments", None)
            if work:
                return work
            db.execute("DELETE FROM segments WHERE recording_id = ?", (rec_id,))
            db.execute("DELETE FROM voice_merges WHERE recording_id = ?", (rec_id,))
            db.execute("DELETE FROM speakers WHERE recording_id = ?", (rec_id,))
            db.execute("DELETE FROM stages WHERE recording_id = ?", (rec_id,))
            db.execute("UPDATE recordings SET sha256 = ? WHERE id = ?", (sha256, rec_id))
        return {}

    def set_stage(self, rec_id: int, stage: str, status: str, options_key: str = "") -> None:
        """Record a stage's status; a running stage is marked with this process."""
        owner = this_process() if status == StageStatus.RUNNING else ""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO stages(recording_id, stage, status, options_key, updated, owner) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT(recording_id, stage) DO UPDATE SET "
                "status = excluded.status, options_key = excluded.options_key, "
                "updated = excluded.updated, owner = excluded.owner",
                (rec_id, stage, status, options_key, now(), owner),
            )

    def stage_options_key(self, rec_id: int, stage: str) -> str | None:
        rows = self._rows(
            "SELECT options_key FROM stages WHERE recording_id = ? AND stage = ?", (rec_id, stage)
        )
        return str(rows[0][0]) if rows else None
