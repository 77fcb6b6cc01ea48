"""The connection to one project database: opening, transactions, meta, checks, backup.

SQLite in WAL mode with foreign keys on. Each public write method of the store is one
transaction, so a process killed between two calls leaves every earlier call committed.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from qualkit.errors import NotFoundError, ProjectError
from qualkit.store.schema import migrate

T = TypeVar("T")


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class StoreBase:
    """A connection to one project database; the table modules build on it."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
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
                migrate(self._db, self.path)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise ProjectError(
                f"{self.path} is not a readable qualkit database ({exc}). "
                "Restore it from a backup in .qualkit/backups/."
            ) from exc
        except BaseException:
            self._db.close()
            raise

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

    # ------------------------------------------------------------------ checks
    def integrity_check(self) -> str:
        return str(self._rows("PRAGMA integrity_check")[0][0])

    def quick_check(self) -> str:
        """SQLite's cheap consistency check ('ok' when the file is sound)."""
        try:
            rows = self._rows("PRAGMA quick_check")
        except sqlite3.DatabaseError as exc:
            return str(exc)
        return "; ".join(str(r[0]) for r in rows[:5])

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

    # -------------------------------------------------------------------- meta
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
