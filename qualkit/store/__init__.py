"""The only code that speaks SQL: one module per group of tables, composed into `Store`.

- schema: the migrations and the runner that applies them
- connection: opening, transactions, meta, integrity checks and backup
- recordings, people, transcripts, codebooks, codings, rounds, caches, frames:
  one group of tables each
- restore: row-exact writes for undo/redo, and the change counter other writers move
- reports: the analyst's texts, pinned quotes, partner actors
- voiceprints: known voices (voiceprints, each voice's centroid, automatic namings)
"""

from __future__ import annotations

from qualkit.store.caches import CachesStore
from qualkit.store.codings import CodingsStore
from qualkit.store.connection import now
from qualkit.store.frames import FramesStore
from qualkit.store.reports import ReportsStore
from qualkit.store.restore import RestoreStore
from qualkit.store.rounds import RoundsStore
from qualkit.store.schema import MIGRATIONS, SCHEMA_VERSION
from qualkit.store.transcripts import TranscriptsStore
from qualkit.store.voiceprints import VoiceprintsStore

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Store", "now"]


class Store(
    RoundsStore,
    CodingsStore,
    CachesStore,
    TranscriptsStore,
    RestoreStore,
    FramesStore,
    ReportsStore,
    VoiceprintsStore,
):
    """A connection to one project database, with every table's methods."""
