"""The only code that speaks SQL: one module per group of tables, composed into `Store`.

- schema: the migrations and the runner that applies them
- connection: opening, transactions, meta, integrity checks and backup
- recordings, people, transcripts, codebooks, codings, memos, rounds, caches, frames:
  one group of tables each
- restore: row-exact writes for undo/redo, and the change counter other writers move
- reports: the analyst's texts, pinned quotes, partner actors
- glossary: the study's own words for transcription (what the user added or removed)
- server, pg, pg_schema, dialect: a team's study on PostgreSQL behind the same methods
- transfer: whole-study copies between backends (db push / pull, a server study's backup)
- roles: the server's coder / lead / reader roles
- voiceprints: known voices (voiceprints, each voice's centroid, automatic namings)
"""

from __future__ import annotations

from qualkit.store.caches import CachesStore
from qualkit.store.codings import CodingsStore
from qualkit.store.connection import create_database, lacks_schema, now
from qualkit.store.frames import FramesStore
from qualkit.store.glossary import GlossaryStore
from qualkit.store.memos import MemosStore
from qualkit.store.reports import ReportsStore
from qualkit.store.restore import RestoreStore
from qualkit.store.rounds import RoundsStore
from qualkit.store.schema import MIGRATIONS, SCHEMA_VERSION
from qualkit.store.server import Server
from qualkit.store.transcripts import TranscriptsStore
from qualkit.store.transfer import TransferStore
from qualkit.store.voiceprints import VoiceprintsStore

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Server",
    "Store",
    "create_database",
    "lacks_schema",
    "now",
]


class Store(
    RoundsStore,
    CodingsStore,
    MemosStore,
    CachesStore,
    TranscriptsStore,
    RestoreStore,
    FramesStore,
    ReportsStore,
    GlossaryStore,
    TransferStore,
    VoiceprintsStore,
):
    """A connection to one project database, with every table's methods."""
