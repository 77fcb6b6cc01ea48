"""The only module that speaks SQL.

SQLite in WAL mode with foreign keys on. Each public write method is one
transaction, so a process killed between two calls leaves every earlier call
committed. The schema version lives in PRAGMA user_version and is migrated
forward on open.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

from qualkit.errors import InputError, NotFoundError, ProjectError
from qualkit.model import (
    Actor,
    Code,
    Codebook,
    Coder,
    Coding,
    Consent,
    GroupType,
    Memo,
    Participant,
    Pseudonym,
    Recording,
    Round,
    Segment,
    Speaker,
    Valence,
    Word,
)

if TYPE_CHECKING:
    import pandas as pd

# Each entry moves the schema from version i to i+1. Never edit a shipped entry:
# add a new one, so projects created by older versions migrate forward.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE recordings (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        audio_path TEXT,
        transcript_path TEXT,
        sha256 TEXT NOT NULL DEFAULT '',
        duration_s REAL,
        kommun TEXT,
        group_type TEXT,
        date TEXT,
        guide TEXT,
        created TEXT NOT NULL
    );
    CREATE TABLE stages (
        recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        status TEXT NOT NULL,
        options_key TEXT NOT NULL DEFAULT '',
        updated TEXT NOT NULL,
        PRIMARY KEY (recording_id, stage)
    );
    CREATE TABLE participants (
        id INTEGER PRIMARY KEY,
        pseudonym TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL DEFAULT '',
        actor TEXT,
        kommun TEXT,
        attributes TEXT NOT NULL DEFAULT '{}',
        consent TEXT NOT NULL DEFAULT 'okänt',
        consent_date TEXT,
        real_name TEXT
    );
    CREATE TABLE speakers (
        id INTEGER PRIMARY KEY,
        recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        participant_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
        talk_time_s REAL NOT NULL DEFAULT 0,
        UNIQUE (recording_id, label)
    );
    CREATE TABLE segments (
        id INTEGER PRIMARY KEY,
        recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start_s REAL,
        end_s REAL,
        speaker_id INTEGER REFERENCES speakers(id) ON DELETE SET NULL,
        text TEXT NOT NULL,
        words TEXT NOT NULL DEFAULT '[]',
        overlap INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX segments_by_recording ON segments(recording_id, idx);
    CREATE TABLE codebooks (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        version TEXT NOT NULL DEFAULT '1',
        source_sha256 TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE codes (
        pk INTEGER PRIMARY KEY,
        codebook TEXT NOT NULL REFERENCES codebooks(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        label_sv TEXT NOT NULL,
        label_en TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        parent TEXT,
        colour TEXT,
        hotkey TEXT,
        position INTEGER NOT NULL DEFAULT 0,
        UNIQUE (codebook, key)
    );
    CREATE TABLE coders (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE rounds (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        date TEXT NOT NULL,
        co_assessor TEXT,
        description TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE codings (
        id INTEGER PRIMARY KEY,
        segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        code_pk INTEGER NOT NULL REFERENCES codes(pk) ON DELETE CASCADE,
        valence TEXT NOT NULL DEFAULT 'ingen',
        coder_id INTEGER NOT NULL REFERENCES coders(id),
        created TEXT NOT NULL,
        memo TEXT,
        span_start INTEGER,
        span_end INTEGER,
        round_id INTEGER REFERENCES rounds(id) ON DELETE SET NULL,
        CHECK ((span_start IS NULL) = (span_end IS NULL)),
        CHECK (span_start IS NULL OR span_start < span_end)
    );
    CREATE INDEX codings_by_segment ON codings(segment_id);
    CREATE INDEX codings_by_code ON codings(code_pk);
    CREATE TABLE memos (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL,
        target_id TEXT NOT NULL,
        text TEXT NOT NULL,
        coder_id INTEGER REFERENCES coders(id),
        created TEXT NOT NULL
    );
    CREATE TABLE round_participants (
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
        PRIMARY KEY (round_id, participant_id)
    );
    CREATE TABLE round_material (
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
        PRIMARY KEY (round_id, recording_id)
    );
    CREATE TABLE ratings (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
        assessor TEXT NOT NULL,
        codebook TEXT NOT NULL,
        code TEXT NOT NULL,
        rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
        comment TEXT NOT NULL DEFAULT '',
        UNIQUE (round_id, participant_id, assessor, codebook, code)
    );
    CREATE TABLE embeddings (
        model_id TEXT NOT NULL,
        text_sha256 TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (model_id, text_sha256)
    );
    CREATE TABLE pseudonyms (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        original TEXT NOT NULL,
        replacement TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'proposed',
        UNIQUE (kind, original)
    );
    CREATE TABLE suggestion_feedback (
        id INTEGER PRIMARY KEY,
        segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        codebook TEXT NOT NULL,
        code TEXT NOT NULL,
        accepted INTEGER NOT NULL,
        coder_id INTEGER REFERENCES coders(id),
        created TEXT NOT NULL
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)

T = TypeVar("T")


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _words_to_json(words: Sequence[Word]) -> str:
    return json.dumps(
        [[round(w.start, 3), round(w.end, 3), w.text, round(w.probability, 4)] for w in words],
        ensure_ascii=False,
    )


def _words_from_json(text: str) -> tuple[Word, ...]:
    return tuple(Word(float(s), float(e), str(t), float(p)) for s, e, t, p in json.loads(text))


class Store:
    """A connection to one project database."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            uri = f"file:{self.path}?mode=ro" if read_only else f"file:{self.path}"
            self._db = sqlite3.connect(
                uri, uri=True, isolation_level=None, check_same_thread=False, timeout=30
            )
        except sqlite3.Error as exc:
            raise ProjectError(f"Cannot open project database {self.path}: {exc}") from exc
        self._db.row_factory = sqlite3.Row
        try:
            self._db.execute("PRAGMA foreign_keys = ON")
            if not read_only:
                self._db.execute("PRAGMA journal_mode = WAL")
                # NORMAL is durable across process crashes in WAL mode; only a power
                # cut can lose the last transaction, and it never corrupts the file.
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise ProjectError(
                f"{self.path} is not a readable qualkit database ({exc}). "
                "Restore it from a backup in .qualkit/backups/."
            ) from exc

    # ------------------------------------------------------------------ plumbing
    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One user action: everything inside commits together or not at all."""
        with self._lock:
            if self._db.in_transaction:
                yield self._db
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _one(
        self,
        sql: str,
        params: Sequence[Any],
        missing: str,
        make: Callable[[sqlite3.Row], T],
    ) -> T:
        """The one row `sql` selects, as a record; NotFoundError(`missing`) when there is none."""
        rows = self._rows(sql, params)
        if not rows:
            raise NotFoundError(missing)
        return make(rows[0])

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise ProjectError(
                f"{self.path} was written by a newer qualkit (schema {version}); "
                "upgrade qualkit to open it."
            )
        for i in range(version, SCHEMA_VERSION):
            with self.transaction() as db:
                for statement in MIGRATIONS[i].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {i + 1}")

    def integrity_check(self) -> str:
        return str(self._rows("PRAGMA integrity_check")[0][0])

    def data_version(self) -> int:
        """Changes whenever another connection (a second coder, the CLI) commits a write."""
        return int(self._rows("PRAGMA data_version")[0][0])

    def schema_version(self) -> int:
        return int(self._rows("PRAGMA user_version")[0][0])

    def backup_to(self, target: Path) -> None:
        """Copy the database with SQLite's online backup API (safe while in use)."""
        dest = sqlite3.connect(str(target))
        try:
            with self._lock:
                self._db.backup(dest)
        finally:
            dest.close()

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        rows = self._rows("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0]["value"]) if rows else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # ---------------------------------------------------------------- recordings
    def _recording(self, row: sqlite3.Row) -> Recording:
        stages = {
            r["stage"]: r["status"]
            for r in self._rows(
                "SELECT stage, status FROM stages WHERE recording_id = ?", (row["id"],)
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
        values = [v.value if isinstance(v, GroupType) else v for v in fields.values()]
        assignments = ", ".join(f"{k} = ?" for k in fields)
        with self.transaction() as db:
            db.execute(f"UPDATE recordings SET {assignments} WHERE id = ?", (*values, rec_id))
        return self.recording(rec_id)

    def delete_recording(self, rec_id: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM recordings WHERE id = ?", (rec_id,))

    def set_stage(self, rec_id: int, stage: str, status: str, options_key: str = "") -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO stages(recording_id, stage, status, options_key, updated) "
                "VALUES (?,?,?,?,?) ON CONFLICT(recording_id, stage) DO UPDATE SET "
                "status = excluded.status, options_key = excluded.options_key, "
                "updated = excluded.updated",
                (rec_id, stage, status, options_key, now()),
            )

    def stage_options_key(self, rec_id: int, stage: str) -> str | None:
        rows = self._rows(
            "SELECT options_key FROM stages WHERE recording_id = ? AND stage = ?", (rec_id, stage)
        )
        return str(rows[0][0]) if rows else None

    # -------------------------------------------------------------- participants
    def _participant(self, row: sqlite3.Row) -> Participant:
        return Participant(
            id=row["id"],
            pseudonym=row["pseudonym"],
            role=row["role"],
            actor=Actor(row["actor"]) if row["actor"] else None,
            kommun=row["kommun"],
            attributes=MappingProxyType(json.loads(row["attributes"])),
            consent=Consent(row["consent"]),
            consent_date=row["consent_date"],
            real_name=row["real_name"],
        )

    def add_participant(
        self,
        pseudonym: str | None = None,
        *,
        role: str = "",
        actor: Actor | None = None,
        kommun: str | None = None,
        attributes: Mapping[str, str] | None = None,
        consent: Consent = Consent.UNKNOWN,
        consent_date: str | None = None,
        real_name: str | None = None,
    ) -> Participant:
        with self.transaction() as db:
            if pseudonym is None:
                n = int(db.execute("SELECT COUNT(*) FROM participants").fetchone()[0]) + 1
                while db.execute(
                    "SELECT 1 FROM participants WHERE pseudonym = ?", (f"Deltagare {n}",)
                ).fetchone():
                    n += 1
                pseudonym = f"Deltagare {n}"
            elif db.execute(
                "SELECT 1 FROM participants WHERE pseudonym = ?", (pseudonym,)
            ).fetchone():
                raise InputError(f"A participant called {pseudonym!r} already exists.")
            cur = db.execute(
                "INSERT INTO participants(pseudonym, role, actor, kommun, attributes, consent,"
                " consent_date, real_name) VALUES (?,?,?,?,?,?,?,?)",
                (
                    pseudonym,
                    role,
                    actor.value if actor else None,
                    kommun,
                    json.dumps(dict(attributes or {}), ensure_ascii=False),
                    consent.value,
                    consent_date,
                    real_name,
                ),
            )
            pid = int(cur.lastrowid or 0)
        return self.participant(pid)

    def participant(self, pid: int) -> Participant:
        return self._one(
            "SELECT * FROM participants WHERE id = ?",
            (pid,),
            f"No participant with id {pid}.",
            self._participant,
        )

    def participants(self) -> list[Participant]:
        return [self._participant(r) for r in self._rows("SELECT * FROM participants ORDER BY id")]

    def update_participant(self, pid: int, **fields: Any) -> Participant:
        allowed = {
            "pseudonym",
            "role",
            "actor",
            "kommun",
            "attributes",
            "consent",
            "consent_date",
            "real_name",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise InputError(f"Cannot set {', '.join(sorted(unknown))} on a participant.")
        self.participant(pid)
        if not fields:
            return self.participant(pid)
        values: list[Any] = []
        for key, value in fields.items():
            if key == "attributes":
                value = json.dumps(dict(value or {}), ensure_ascii=False)
            elif isinstance(value, (Actor, Consent)):
                value = value.value
            values.append(value)
        assignments = ", ".join(f"{k} = ?" for k in fields)
        with self.transaction() as db:
            db.execute(f"UPDATE participants SET {assignments} WHERE id = ?", (*values, pid))
        return self.participant(pid)

    # ---- privacy (issue 9): pseudonyms and consent queries go below this line

    def set_pseudonym(
        self, kind: str, original: str, replacement: str, status: str = "proposed"
    ) -> Pseudonym:
        if status not in {"proposed", "accepted", "rejected"}:
            raise InputError(f"Unknown pseudonym status {status!r}.")
        with self.transaction() as db:
            db.execute(
                "INSERT INTO pseudonyms(kind, original, replacement, status) VALUES (?,?,?,?)"
                " ON CONFLICT(kind, original) DO UPDATE SET replacement = excluded.replacement,"
                " status = excluded.status",
                (kind, original, replacement, status),
            )
            row = db.execute(
                "SELECT * FROM pseudonyms WHERE kind = ? AND original = ?", (kind, original)
            ).fetchone()
        return self._pseudonym(row)

    @staticmethod
    def _pseudonym(row: sqlite3.Row) -> Pseudonym:
        return Pseudonym(
            id=row["id"],
            kind=row["kind"],
            original=row["original"],
            replacement=row["replacement"],
            status=row["status"],
        )

    def pseudonyms(self, status: str | None = None) -> list[Pseudonym]:
        if status is None:
            rows = self._rows("SELECT * FROM pseudonyms ORDER BY id")
        else:
            rows = self._rows("SELECT * FROM pseudonyms WHERE status = ? ORDER BY id", (status,))
        return [self._pseudonym(r) for r in rows]

    def pseudonym(self, pseudonym_id: int) -> Pseudonym:
        return self._one(
            "SELECT * FROM pseudonyms WHERE id = ?",
            (pseudonym_id,),
            f"No pseudonym proposal with id {pseudonym_id}.",
            self._pseudonym,
        )

    def update_pseudonym(
        self, pseudonym_id: int, *, status: str | None = None, replacement: str | None = None
    ) -> Pseudonym:
        """Accept, reject or edit one proposal."""
        if status is not None and status not in {"proposed", "accepted", "rejected"}:
            raise InputError(f"Unknown pseudonym status {status!r}.")
        if replacement is not None and not replacement.strip():
            raise InputError("A replacement cannot be empty.")
        current = self.pseudonym(pseudonym_id)
        with self.transaction() as db:
            db.execute(
                "UPDATE pseudonyms SET status = ?, replacement = ? WHERE id = ?",
                (status or current.status, replacement or current.replacement, pseudonym_id),
            )
        return self.pseudonym(pseudonym_id)

    def quick_check(self) -> str:
        """SQLite's cheap consistency check ('ok' when the file is sound)."""
        try:
            rows = self._rows("PRAGMA quick_check")
        except sqlite3.DatabaseError as exc:
            return str(exc)
        return "; ".join(str(r[0]) for r in rows[:5])

    # ------------------------------------------------------------------ speakers
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
                "INSERT OR IGNORE INTO speakers(recording_id, label) VALUES (?, ?)", (rec_id, label)
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

    # ------------------------------------------------------------------ segments
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
                            "INSERT OR IGNORE INTO speakers(recording_id, label) VALUES (?, ?)",
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

    def update_segment_text(self, seg_id: int, text: str) -> Segment:
        """Correct a segment's text; span codings that no longer fit are clipped to the text."""
        old = self.segment(seg_id)
        if not text.strip():
            raise InputError("A segment's text cannot be empty; merge or delete it instead.")
        with self.transaction() as db:
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
        """Split at character `at`; codings follow the part their span (or start) lies in."""
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
            # Span codings that start in the right part move there, re-based.
            db.execute(
                "UPDATE codings SET segment_id = ?, span_start = MAX(span_start - ?, 0),"
                " span_end = MIN(span_end - ?, ?) WHERE segment_id = ? AND span_start >= ?",
                (new_id, shift, shift, len(right_text), seg_id, at),
            )
            db.execute(
                "UPDATE codings SET span_end = ? WHERE segment_id = ? AND span_end > ?",
                (len(left_text), seg_id, len(left_text)),
            )
        return self.segment(seg_id), self.segment(new_id)

    def merge_segments(self, first_id: int, second_id: int) -> Segment:
        """Join two neighbouring segments; the second's codings move to the joined one."""
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

    # ---- coding app (issue 5): light reads for the TUI go below this line
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

    # Exact rows put back by undo/redo: ids, positions, times and speakers as they were.
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

    def segment_counts(self) -> dict[int, int]:
        """{recording id: number of segments}."""
        rows = self._rows("SELECT recording_id, COUNT(*) FROM segments GROUP BY recording_id")
        return {int(r[0]): int(r[1]) for r in rows}

    def recording_coding_counts(
        self, codebook: str, coder: str | None = None
    ) -> list[tuple[int, str, int]]:
        """(recording id, code key, number of codings) for one codebook."""
        sql = (
            "SELECT segments.recording_id, codes.key, COUNT(*) FROM codings"
            " JOIN segments ON segments.id = codings.segment_id"
            " JOIN codes ON codes.pk = codings.code_pk"
            " JOIN coders ON coders.id = codings.coder_id WHERE codes.codebook = ?"
        )
        params: list[Any] = [codebook]
        if coder is not None:
            sql += " AND coders.name = ?"
            params.append(coder)
        sql += " GROUP BY segments.recording_id, codes.key"
        return [(int(r[0]), str(r[1]), int(r[2])) for r in self._rows(sql, params)]

    def coded_segment_counts(self, codebook: str, coder: str | None = None) -> dict[int, int]:
        """{recording id: segments with at least one coding in the codebook}."""
        sql = (
            "SELECT segments.recording_id, COUNT(DISTINCT codings.segment_id) FROM codings"
            " JOIN segments ON segments.id = codings.segment_id"
            " JOIN codes ON codes.pk = codings.code_pk"
            " JOIN coders ON coders.id = codings.coder_id WHERE codes.codebook = ?"
        )
        params: list[Any] = [codebook]
        if coder is not None:
            sql += " AND coders.name = ?"
            params.append(coder)
        sql += " GROUP BY segments.recording_id"
        return {int(r[0]): int(r[1]) for r in self._rows(sql, params)}

    # ----------------------------------------------------------------- codebooks
    def _code(self, row: sqlite3.Row) -> Code:
        return Code(
            codebook=row["codebook"],
            key=row["key"],
            label_sv=row["label_sv"],
            label_en=row["label_en"],
            description=row["description"],
            parent=row["parent"],
            colour=row["colour"],
            hotkey=row["hotkey"],
        )

    def codebook_ids(self) -> list[str]:
        return [str(r[0]) for r in self._rows("SELECT id FROM codebooks ORDER BY id")]

    def codebook(self, cb_id: str) -> Codebook:
        rows = self._rows("SELECT * FROM codebooks WHERE id = ?", (cb_id,))
        if not rows:
            known = ", ".join(self.codebook_ids()) or "none"
            raise NotFoundError(f"No codebook {cb_id!r} in this project (known: {known}).")
        row = rows[0]
        codes = tuple(
            self._code(r)
            for r in self._rows(
                "SELECT * FROM codes WHERE codebook = ? ORDER BY position, pk", (cb_id,)
            )
        )
        return Codebook(
            id=row["id"],
            name=row["name"],
            codes=codes,
            description=row["description"],
            version=row["version"],
        )

    def codebook_source_hash(self, cb_id: str) -> str | None:
        rows = self._rows("SELECT source_sha256 FROM codebooks WHERE id = ?", (cb_id,))
        return str(rows[0][0]) if rows else None

    def upsert_codebook(self, book: Codebook, source_sha256: str = "") -> None:
        """Insert or update a codebook's codes by key. Codes missing from `book` are kept
        (they may carry codings); labels, parents and descriptions follow `book`."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO codebooks(id, name, description, version, source_sha256) "
                "VALUES (?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
                "description = excluded.description, version = excluded.version, "
                "source_sha256 = excluded.source_sha256",
                (book.id, book.name, book.description, book.version, source_sha256),
            )
            for pos, code in enumerate(book.codes):
                db.execute(
                    "INSERT INTO codes(codebook, key, label_sv, label_en, description, parent,"
                    " colour, hotkey, position) VALUES (?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT(codebook, key) DO UPDATE SET label_sv = excluded.label_sv, "
                    "label_en = excluded.label_en, description = excluded.description, "
                    "parent = excluded.parent, colour = excluded.colour, "
                    "hotkey = excluded.hotkey, position = excluded.position",
                    (
                        book.id,
                        code.key,
                        code.label_sv,
                        code.label_en,
                        code.description,
                        code.parent,
                        code.colour,
                        code.hotkey,
                        pos,
                    ),
                )

    def _code_pk(self, db: sqlite3.Connection, cb_id: str, key: str) -> int:
        row = db.execute(
            "SELECT pk FROM codes WHERE codebook = ? AND key = ?", (cb_id, key)
        ).fetchone()
        if row is None:
            known = ", ".join(
                r[0] for r in db.execute("SELECT key FROM codes WHERE codebook = ?", (cb_id,))
            )
            raise NotFoundError(
                f"Unknown code {key!r} in codebook {cb_id!r}. Known codes: {known or 'none'}."
            )
        return int(row[0])

    def add_code(self, code: Code) -> Code:
        with self.transaction() as db:
            if not db.execute("SELECT 1 FROM codebooks WHERE id = ?", (code.codebook,)).fetchone():
                raise NotFoundError(f"No codebook {code.codebook!r}.")
            if db.execute(
                "SELECT 1 FROM codes WHERE codebook = ? AND key = ?", (code.codebook, code.key)
            ).fetchone():
                raise InputError(f"Code {code.key!r} already exists in {code.codebook!r}.")
            if code.parent is not None:
                self._code_pk(db, code.codebook, code.parent)
            pos = db.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM codes WHERE codebook = ?",
                (code.codebook,),
            ).fetchone()[0]
            db.execute(
                "INSERT INTO codes(codebook, key, label_sv, label_en, description, parent, colour,"
                " hotkey, position) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    code.codebook,
                    code.key,
                    code.label_sv,
                    code.label_en,
                    code.description,
                    code.parent,
                    code.colour,
                    code.hotkey,
                    pos,
                ),
            )
        return code

    def update_code(self, cb_id: str, key: str, **fields: Any) -> Code:
        """Rename (labels), re-describe, recolour or move (parent) a code; codings stay."""
        allowed = {"label_sv", "label_en", "description", "parent", "colour", "hotkey"}
        unknown = set(fields) - allowed
        if unknown:
            raise InputError(f"Cannot set {', '.join(sorted(unknown))} on a code.")
        with self.transaction() as db:
            self._code_pk(db, cb_id, key)
            parent = fields.get("parent")
            if parent is not None:
                self._code_pk(db, cb_id, parent)
                # Refuse cycles: walk up from the new parent.
                cursor: str | None = parent
                while cursor is not None:
                    if cursor == key:
                        raise InputError(f"Moving {key!r} under {parent!r} would make a cycle.")
                    row = db.execute(
                        "SELECT parent FROM codes WHERE codebook = ? AND key = ?", (cb_id, cursor)
                    ).fetchone()
                    cursor = row[0] if row else None
            if fields:
                assignments = ", ".join(f"{k} = ?" for k in fields)
                db.execute(
                    f"UPDATE codes SET {assignments} WHERE codebook = ? AND key = ?",
                    (*fields.values(), cb_id, key),
                )
        return self.codebook(cb_id).code(key)

    def merge_codes(self, cb_id: str, source: str, target: str) -> int:
        """Move every coding of `source` to `target`, then delete `source`. Returns the count."""
        if source == target:
            raise InputError("A code cannot be merged into itself.")
        with self.transaction() as db:
            src, dst = self._code_pk(db, cb_id, source), self._code_pk(db, cb_id, target)
            moved = db.execute(
                "UPDATE codings SET code_pk = ? WHERE code_pk = ?", (dst, src)
            ).rowcount
            db.execute(
                "UPDATE codes SET parent = ? WHERE codebook = ? AND parent = ?",
                (target, cb_id, source),
            )
            db.execute("DELETE FROM codes WHERE pk = ?", (src,))
        return int(moved)

    def move_codings(self, coding_ids: Sequence[int], cb_id: str, target: str) -> int:
        """Recode chosen codings to another code (the core of splitting a code)."""
        with self.transaction() as db:
            dst = self._code_pk(db, cb_id, target)
            n = 0
            for cid in coding_ids:
                n += db.execute("UPDATE codings SET code_pk = ? WHERE id = ?", (dst, cid)).rowcount
        return n

    def delete_code(self, cb_id: str, key: str) -> None:
        with self.transaction() as db:
            pk = self._code_pk(db, cb_id, key)
            used = db.execute("SELECT COUNT(*) FROM codings WHERE code_pk = ?", (pk,)).fetchone()[0]
            if used:
                raise InputError(
                    f"Code {key!r} has {used} codings; merge it into another code instead."
                )
            if db.execute(
                "SELECT 1 FROM codes WHERE codebook = ? AND parent = ?", (cb_id, key)
            ).fetchone():
                raise InputError(f"Code {key!r} has sub-codes; move them first.")
            db.execute("DELETE FROM codes WHERE pk = ?", (pk,))

    # -------------------------------------------------------------------- coders
    def ensure_coder(self, name: str, role: str = "") -> Coder:
        name = name.strip()
        if not name:
            raise InputError("A coder needs a name.")
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO coders(name, role) VALUES (?, ?)", (name, role))
            row = db.execute("SELECT * FROM coders WHERE name = ?", (name,)).fetchone()
        return Coder(id=row["id"], name=row["name"], role=row["role"])

    def coders(self) -> list[Coder]:
        return [
            Coder(id=r["id"], name=r["name"], role=r["role"])
            for r in self._rows("SELECT * FROM coders ORDER BY id")
        ]

    # ------------------------------------------------------------------- codings
    _CODING_SELECT = (
        "SELECT codings.*, codes.codebook AS codebook, codes.key AS code, coders.name AS coder"
        " FROM codings JOIN codes ON codes.pk = codings.code_pk"
        " JOIN coders ON coders.id = codings.coder_id"
    )

    @staticmethod
    def _coding(row: sqlite3.Row) -> Coding:
        return Coding(
            id=row["id"],
            segment_id=row["segment_id"],
            codebook=row["codebook"],
            code=row["code"],
            valence=Valence(row["valence"]),
            coder=row["coder"],
            created=row["created"],
            memo=row["memo"],
            span_start=row["span_start"],
            span_end=row["span_end"],
            round_id=row["round_id"],
        )

    def add_coding(
        self,
        segment_id: int,
        codebook: str,
        code: str,
        *,
        valence: Valence = Valence.NONE,
        coder: str = "default",
        memo: str | None = None,
        span: tuple[int, int] | None = None,
        round_id: int | None = None,
        created: str | None = None,
    ) -> Coding:
        with self.transaction() as db:
            seg = db.execute("SELECT text FROM segments WHERE id = ?", (segment_id,)).fetchone()
            if seg is None:
                raise NotFoundError(f"No segment with id {segment_id}.")
            pk = self._code_pk(db, codebook, code)
            if span is not None:
                start, end = span
                if not 0 <= start < end <= len(seg[0]):
                    raise InputError(
                        f"Span {start}-{end} is outside the segment's text (0-{len(seg[0])})."
                    )
            db.execute("INSERT OR IGNORE INTO coders(name) VALUES (?)", (coder,))
            coder_id = db.execute("SELECT id FROM coders WHERE name = ?", (coder,)).fetchone()[0]
            cur = db.execute(
                "INSERT INTO codings(segment_id, code_pk, valence, coder_id, created, memo,"
                " span_start, span_end, round_id) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    segment_id,
                    pk,
                    valence.value,
                    coder_id,
                    created or now(),
                    memo,
                    span[0] if span else None,
                    span[1] if span else None,
                    round_id,
                ),
            )
            cid = int(cur.lastrowid or 0)
        return self.coding(cid)

    def coding(self, coding_id: int) -> Coding:
        return self._one(
            self._CODING_SELECT + " WHERE codings.id = ?",
            (coding_id,),
            f"No coding with id {coding_id}.",
            self._coding,
        )

    def codings(
        self,
        *,
        segment_id: int | None = None,
        recording_id: int | None = None,
        codebook: str | None = None,
        code: str | None = None,
        coder: str | None = None,
    ) -> list[Coding]:
        where: list[str] = []
        params: list[Any] = []
        if segment_id is not None:
            where.append("codings.segment_id = ?")
            params.append(segment_id)
        if recording_id is not None:
            where.append("codings.segment_id IN (SELECT id FROM segments WHERE recording_id = ?)")
            params.append(recording_id)
        if codebook is not None:
            where.append("codes.codebook = ?")
            params.append(codebook)
        if code is not None:
            where.append("codes.key = ?")
            params.append(code)
        if coder is not None:
            where.append("coders.name = ?")
            params.append(coder)
        sql = self._CODING_SELECT
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY codings.id"
        return [self._coding(r) for r in self._rows(sql, params)]

    def update_coding(self, coding_id: int, **fields: Any) -> Coding:
        allowed = {"valence", "memo", "span_start", "span_end"}
        unknown = set(fields) - allowed
        if unknown:
            raise InputError(f"Cannot set {', '.join(sorted(unknown))} on a coding.")
        self.coding(coding_id)
        values = [v.value if isinstance(v, Valence) else v for v in fields.values()]
        if fields:
            assignments = ", ".join(f"{k} = ?" for k in fields)
            with self.transaction() as db:
                db.execute(f"UPDATE codings SET {assignments} WHERE id = ?", (*values, coding_id))
        return self.coding(coding_id)

    def remove_coding(self, coding_id: int) -> Coding:
        removed = self.coding(coding_id)
        with self.transaction() as db:
            db.execute("DELETE FROM codings WHERE id = ?", (coding_id,))
        return removed

    def restore_coding(self, coding: Coding) -> Coding:
        """Put back a removed coding with its original id (undo)."""
        with self.transaction() as db:
            pk = self._code_pk(db, coding.codebook, coding.code)
            db.execute("INSERT OR IGNORE INTO coders(name) VALUES (?)", (coding.coder,))
            coder_id = db.execute(
                "SELECT id FROM coders WHERE name = ?", (coding.coder,)
            ).fetchone()[0]
            db.execute(
                "INSERT INTO codings(id, segment_id, code_pk, valence, coder_id, created, memo,"
                " span_start, span_end, round_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    coding.id,
                    coding.segment_id,
                    pk,
                    coding.valence.value,
                    coder_id,
                    coding.created,
                    coding.memo,
                    coding.span_start,
                    coding.span_end,
                    coding.round_id,
                ),
            )
        return self.coding(coding.id)

    def coding_counts(self, codebook: str, coder: str | None = None) -> dict[str, dict[str, int]]:
        """{code key: {valence: n}} for one codebook."""
        sql = (
            "SELECT codes.key, codings.valence, COUNT(*) FROM codings"
            " JOIN codes ON codes.pk = codings.code_pk JOIN coders ON coders.id = codings.coder_id"
            " WHERE codes.codebook = ?"
        )
        params: list[Any] = [codebook]
        if coder is not None:
            sql += " AND coders.name = ?"
            params.append(coder)
        sql += " GROUP BY codes.key, codings.valence"
        out: dict[str, dict[str, int]] = {}
        for key, valence, n in self._rows(sql, params):
            out.setdefault(key, {})[valence] = int(n)
        return out

    def coded_segment_ids(self, rec_id: int | None = None) -> set[int]:
        if rec_id is None:
            rows = self._rows("SELECT DISTINCT segment_id FROM codings")
        else:
            rows = self._rows(
                "SELECT DISTINCT codings.segment_id FROM codings JOIN segments ON"
                " segments.id = codings.segment_id WHERE segments.recording_id = ?",
                (rec_id,),
            )
        return {int(r[0]) for r in rows}

    # ---- exchange (issue 7): REFI-QDA import/export queries go below this line

    # --------------------------------------------------------------------- memos
    def add_memo(self, target: str, target_id: str, text: str, coder: str = "default") -> Memo:
        if target not in {"project", "recording", "segment", "code", "coding", "round"}:
            raise InputError(f"A memo cannot be attached to {target!r}.")
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO coders(name) VALUES (?)", (coder,))
            coder_id = db.execute("SELECT id FROM coders WHERE name = ?", (coder,)).fetchone()[0]
            cur = db.execute(
                "INSERT INTO memos(target, target_id, text, coder_id, created) VALUES (?,?,?,?,?)",
                (target, str(target_id), text, coder_id, now()),
            )
            mid = int(cur.lastrowid or 0)
        return self.memos(memo_id=mid)[0]

    def memos(
        self, target: str | None = None, target_id: str | None = None, memo_id: int | None = None
    ) -> list[Memo]:
        sql = (
            "SELECT memos.*, COALESCE(coders.name, 'default') AS coder FROM memos"
            " LEFT JOIN coders ON coders.id = memos.coder_id WHERE 1=1"
        )
        params: list[Any] = []
        if memo_id is not None:
            sql += " AND memos.id = ?"
            params.append(memo_id)
        if target is not None:
            sql += " AND target = ?"
            params.append(target)
        if target_id is not None:
            sql += " AND target_id = ?"
            params.append(str(target_id))
        rows = self._rows(sql + " ORDER BY memos.id", params)
        return [
            Memo(
                id=r["id"],
                target=r["target"],
                target_id=r["target_id"],
                text=r["text"],
                coder=r["coder"],
                created=r["created"],
            )
            for r in rows
        ]

    def delete_memo(self, memo_id: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM memos WHERE id = ?", (memo_id,))

    # -------------------------------------------------------------------- rounds
    def add_round(
        self, name: str, date: str, co_assessor: str | None = None, description: str = ""
    ) -> Round:
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM rounds WHERE name = ?", (name,)).fetchone():
                raise InputError(f"A round named {name!r} already exists.")
            cur = db.execute(
                "INSERT INTO rounds(name, date, co_assessor, description) VALUES (?,?,?,?)",
                (name, date, co_assessor, description),
            )
            rid = int(cur.lastrowid or 0)
        return self.round(rid)

    def round(self, round_id: int) -> Round:
        rows = self._rows("SELECT * FROM rounds WHERE id = ?", (round_id,))
        if not rows:
            raise NotFoundError(f"No round with id {round_id}.")
        r = rows[0]
        return Round(
            id=r["id"],
            name=r["name"],
            date=r["date"],
            co_assessor=r["co_assessor"],
            description=r["description"],
        )

    def rounds(self) -> list[Round]:
        return [
            self.round(int(r[0])) for r in self._rows("SELECT id FROM rounds ORDER BY date, id")
        ]

    # ---- agreement and rounds (issue 8): queries go below this line

    def round_by_name(self, name: str) -> Round | None:
        rows = self._rows("SELECT id FROM rounds WHERE name = ?", (name,))
        return self.round(int(rows[0][0])) if rows else None

    def update_round(self, round_id: int, **fields: Any) -> Round:
        allowed = {"name", "date", "co_assessor", "description"}
        unknown = set(fields) - allowed
        if unknown:
            raise InputError(f"Cannot set {', '.join(sorted(unknown))} on a round.")
        self.round(round_id)
        if fields:
            assignments = ", ".join(f"{k} = ?" for k in fields)
            with self.transaction() as db:
                db.execute(
                    f"UPDATE rounds SET {assignments} WHERE id = ?", (*fields.values(), round_id)
                )
        return self.round(round_id)

    def add_round_participant(self, round_id: int, participant_id: int) -> None:
        self.round(round_id)
        self.participant(participant_id)
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO round_participants(round_id, participant_id) VALUES (?, ?)",
                (round_id, participant_id),
            )

    def round_participants(self, round_id: int) -> list[Participant]:
        return [
            self._participant(r)
            for r in self._rows(
                "SELECT participants.* FROM participants JOIN round_participants ON"
                " round_participants.participant_id = participants.id"
                " WHERE round_participants.round_id = ? ORDER BY participants.id",
                (round_id,),
            )
        ]

    def add_round_material(self, round_id: int, rec_id: int) -> None:
        self.round(round_id)
        self.recording(rec_id)
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO round_material(round_id, recording_id) VALUES (?, ?)",
                (round_id, rec_id),
            )

    def round_material(self, round_id: int) -> list[Recording]:
        return [
            self.recording(int(r[0]))
            for r in self._rows(
                "SELECT recording_id FROM round_material WHERE round_id = ? ORDER BY recording_id",
                (round_id,),
            )
        ]

    def set_rating(
        self,
        round_id: int,
        participant_id: int | None,
        assessor: str,
        codebook: str,
        code: str,
        rating: int,
        comment: str = "",
    ) -> None:
        """Record (or replace) one assessor's 1-5 rating of a cell, for a participant or overall."""
        if not 1 <= rating <= 5:
            raise InputError(f"A rating is 1-5, not {rating}.")
        if not assessor.strip():
            raise InputError("A rating needs an assessor.")
        self.round(round_id)
        with self.transaction() as db:
            self._code_pk(db, codebook, code)
            # UNIQUE does not see two NULL participants as equal, so replace by hand.
            db.execute(
                "DELETE FROM ratings WHERE round_id = ? AND participant_id IS ? AND assessor = ?"
                " AND codebook = ? AND code = ?",
                (round_id, participant_id, assessor, codebook, code),
            )
            db.execute(
                "INSERT INTO ratings(round_id, participant_id, assessor, codebook, code, rating,"
                " comment) VALUES (?,?,?,?,?,?,?)",
                (round_id, participant_id, assessor, codebook, code, rating, comment),
            )

    def ratings(self, round_id: int, codebook: str | None = None) -> list[dict[str, Any]]:
        """Ratings of one round as plain rows (qualkit.rounds turns them into records)."""
        sql = "SELECT * FROM ratings WHERE round_id = ?"
        params: list[Any] = [round_id]
        if codebook is not None:
            sql += " AND codebook = ?"
            params.append(codebook)
        return [dict(r) for r in self._rows(sql + " ORDER BY id", params)]

    def delete_round(self, round_id: int) -> None:
        with self.transaction() as db:
            db.execute("UPDATE codings SET round_id = NULL WHERE round_id = ?", (round_id,))
            db.execute("DELETE FROM rounds WHERE id = ?", (round_id,))

    # ---------------------------------------------------------------- embeddings
    def cached_embeddings(self, model_id: str, hashes: Sequence[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for i in range(0, len(hashes), 500):
            chunk = list(hashes[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for r in self._rows(
                f"SELECT text_sha256, vector FROM embeddings WHERE model_id = ? AND"
                f" text_sha256 IN ({marks})",
                (model_id, *chunk),
            ):
                out[str(r[0])] = bytes(r[1])
        return out

    def put_embeddings(self, model_id: str, dim: int, items: Iterable[tuple[str, bytes]]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings(model_id, text_sha256, dim, vector)"
                " VALUES (?,?,?,?)",
                [(model_id, h, dim, v) for h, v in items],
            )

    # ---- suggestions (issue 6): feedback and cache queries go below this line
    def add_suggestion_feedback(
        self, segment_id: int, codebook: str, code: str, accepted: bool, coder: str = "default"
    ) -> int:
        """Record that a coder accepted or rejected a suggested code for a segment."""
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM segments WHERE id = ?", (segment_id,)).fetchone() is None:
                raise NotFoundError(f"No segment with id {segment_id}.")
            self._code_pk(db, codebook, code)
            db.execute("INSERT OR IGNORE INTO coders(name) VALUES (?)", (coder,))
            coder_id = db.execute("SELECT id FROM coders WHERE name = ?", (coder,)).fetchone()[0]
            cur = db.execute(
                "INSERT INTO suggestion_feedback(segment_id, codebook, code, accepted, coder_id,"
                " created) VALUES (?,?,?,?,?,?)",
                (segment_id, codebook, code, int(accepted), coder_id, now()),
            )
            return int(cur.lastrowid or 0)

    def suggestion_feedback(
        self, codebook: str, segment_id: int | None = None
    ) -> list[tuple[int, str, bool]]:
        """(segment id, code, accepted) in the order given; the latest word counts most."""
        sql = "SELECT segment_id, code, accepted FROM suggestion_feedback WHERE codebook = ?"
        params: list[Any] = [codebook]
        if segment_id is not None:
            sql += " AND segment_id = ?"
            params.append(segment_id)
        return [
            (int(r[0]), str(r[1]), bool(r[2])) for r in self._rows(sql + " ORDER BY id", params)
        ]

    def suggestion_state(self, codebook: str) -> tuple[int, ...]:
        """A fingerprint that changes whenever codings or feedback for a codebook change."""
        coded = self._rows(
            # Code moves (merge, split), valence edits and text edits all change a term.
            "SELECT COUNT(*), COALESCE(MAX(codings.id), 0),"
            " COALESCE(SUM(codings.segment_id * 7 + codings.code_pk * 13), 0),"
            " COALESCE(SUM(length(codings.valence) + length(segments.text)), 0)"
            " FROM codings JOIN codes ON codes.pk = codings.code_pk"
            " JOIN segments ON segments.id = codings.segment_id WHERE codes.codebook = ?",
            (codebook,),
        )[0]
        fed = self._rows(
            "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM suggestion_feedback WHERE codebook = ?",
            (codebook,),
        )[0]
        return (*(int(v) for v in coded), int(fed[0]), int(fed[1]))

    # ---------------------------------------------------------------- dataframes
    def frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        import pandas as pd

        with self._lock:
            return pd.read_sql_query(sql, self._db, params=list(params))

    def codings_frame(self) -> pd.DataFrame:
        """One row per coding with its segment, speaker, participant and recording."""
        return self.frame(
            """
            SELECT codings.id AS coding_id, recordings.name AS recording, recordings.kommun,
                   recordings.group_type, segments.id AS segment_id, segments.idx AS segment_idx,
                   segments.start_s AS start, segments.end_s AS end, speakers.label AS speaker,
                   participants.pseudonym AS participant, participants.role,
                   participants.actor, participants.consent,
                   codes.codebook, codes.key AS code, codes.label_sv AS code_label,
                   codings.valence, coders.name AS coder, codings.created, codings.memo,
                   codings.span_start, codings.span_end, codings.round_id,
                   CASE WHEN codings.span_start IS NULL THEN segments.text
                        ELSE substr(segments.text, codings.span_start + 1,
                                    codings.span_end - codings.span_start) END AS text
            FROM codings
            JOIN segments ON segments.id = codings.segment_id
            JOIN recordings ON recordings.id = segments.recording_id
            JOIN codes ON codes.pk = codings.code_pk
            JOIN coders ON coders.id = codings.coder_id
            LEFT JOIN speakers ON speakers.id = segments.speaker_id
            LEFT JOIN participants ON participants.id = speakers.participant_id
            ORDER BY recordings.id, segments.idx, codings.id
            """
        )

    def segments_frame(self) -> pd.DataFrame:
        return self.frame(
            """
            SELECT segments.id AS segment_id, recordings.name AS recording, recordings.kommun,
                   recordings.group_type, segments.idx, segments.start_s AS start,
                   segments.end_s AS end,
                   speakers.label AS speaker, participants.pseudonym AS participant,
                   participants.role, participants.actor, participants.consent,
                   segments.overlap, segments.text
            FROM segments
            JOIN recordings ON recordings.id = segments.recording_id
            LEFT JOIN speakers ON speakers.id = segments.speaker_id
            LEFT JOIN participants ON participants.id = speakers.participant_id
            ORDER BY recordings.id, segments.idx
            """
        )
