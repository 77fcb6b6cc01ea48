"""The database schema and the runner that moves a project's database forward.

The schema version lives in PRAGMA user_version. Each entry of MIGRATIONS moves it from
version i to i+1. Never edit a shipped entry: add a new one, so projects created by older
versions migrate forward. A new entry must be additive (CREATE TABLE IF NOT EXISTS,
ALTER TABLE ... ADD COLUMN) so entries written at the same time can be put in any order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from qualkit.errors import ProjectError

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
    # Voices merged into one, remembered so that `qualkit speakers --unmerge` can split
    # them again: the dropped voice's row and the turns that were its own.
    """
    CREATE TABLE IF NOT EXISTS voice_merges (
        id INTEGER PRIMARY KEY,
        recording_id INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
        kept_id INTEGER NOT NULL,
        kept_participant_id INTEGER,
        dropped_id INTEGER NOT NULL,
        dropped_label TEXT NOT NULL,
        dropped_participant_id INTEGER,
        segment_ids TEXT NOT NULL,
        created TEXT NOT NULL
    );
    """,
    # The delrapport's own material: the analyst's text per report, section and factor,
    # quotes pinned for reports, and the partner actor a coded passage speaks about.
    """
    CREATE TABLE IF NOT EXISTS report_texts (
        kind TEXT NOT NULL,
        scope TEXT NOT NULL,
        section TEXT NOT NULL,
        factor TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        updated TEXT NOT NULL,
        PRIMARY KEY (kind, scope, section, factor)
    );
    CREATE TABLE IF NOT EXISTS quote_pins (
        coding_id INTEGER PRIMARY KEY REFERENCES codings(id) ON DELETE CASCADE,
        created TEXT NOT NULL
    );
    ALTER TABLE codings ADD COLUMN partner_actor TEXT;
    """,
    # Known voices across recordings: a participant's voiceprint (an embedding centroid,
    # never audio; it goes with its participant), each voice's centroid per recording,
    # and the voices a voiceprint named (with the score; 'undone' when the user took
    # the name back, so the same voiceprint does not name that voice again).
    """
    CREATE TABLE IF NOT EXISTS voiceprints (
        id INTEGER PRIMARY KEY,
        participant_id INTEGER NOT NULL UNIQUE REFERENCES participants(id) ON DELETE CASCADE,
        recording_id INTEGER REFERENCES recordings(id) ON DELETE SET NULL,
        source TEXT NOT NULL,
        model TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        seconds REAL NOT NULL DEFAULT 0,
        created TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS voice_centroids (
        speaker_id INTEGER NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (speaker_id)
    );
    CREATE TABLE IF NOT EXISTS voice_matches (
        speaker_id INTEGER NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
        voiceprint_id INTEGER NOT NULL REFERENCES voiceprints(id) ON DELETE CASCADE,
        score REAL NOT NULL,
        status TEXT NOT NULL DEFAULT 'named',
        created TEXT NOT NULL,
        PRIMARY KEY (speaker_id, voiceprint_id)
    );
    """,
    # The study's glossary for transcription: terms the user added, and seeded terms
    # (kommun names, actors, codebook words) the user removed. Seeds are not stored.
    """
    CREATE TABLE IF NOT EXISTS glossary_terms (
        id INTEGER PRIMARY KEY,
        term TEXT NOT NULL,
        term_key TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL CHECK (status IN ('added', 'removed')),
        created TEXT NOT NULL
    );
    """,
    # A codebook's English name, for reports written in English.
    """
    ALTER TABLE codebooks ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
    """,
    # Which process runs a stage ('machine:pid:start'), so a stage whose process was
    # killed or quit is not shown as running for ever.
    """
    ALTER TABLE stages ADD COLUMN owner TEXT NOT NULL DEFAULT '';
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> Iterator[str]:
    """The whole SQL statements of `script`, in order.

    A statement ends at a ";" only where SQLite says it is complete, so a trigger body
    or a string literal holding ";" stays one statement."""
    pending = ""
    pieces = script.split(";")
    for i, piece in enumerate(pieces):
        pending += piece if i == len(pieces) - 1 else piece + ";"
        if sqlite3.complete_statement(pending):
            if not _only_comments(pending.rstrip(";")):
                yield pending.strip()
            pending = ""
    if not _only_comments(pending):
        yield pending.strip()  # a last statement without its ";"


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in text.splitlines())


def migrate(db: sqlite3.Connection, path: Path, migrations: tuple[str, ...] = MIGRATIONS) -> None:
    """Apply the migrations `db` has not seen, each in its own write transaction.

    The version is read again inside each transaction, so two processes opening a new
    project at once do not both apply the same step."""
    target = len(migrations)
    if int(db.execute("PRAGMA user_version").fetchone()[0]) == target:
        return  # up to date: opening a project takes no write lock
    while True:
        db.execute("BEGIN IMMEDIATE")
        try:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > target:
                raise ProjectError(
                    f"{path} was written by a newer qualkit (schema {version}); "
                    "upgrade qualkit to open it."
                )
            if version == target:
                db.execute("COMMIT")
                return
            for statement in statements(migrations[version]):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
