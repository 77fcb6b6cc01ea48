"""The connection to one project database: opening, transactions, meta, checks, backup.

SQLite in WAL mode with foreign keys on, or a study database on a PostgreSQL server (a
team's shared study: `server`), through the same methods. Each public write method of the
store is one transaction, so a process killed between two calls leaves every earlier call
committed.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from qualkit.atomic import copy_file
from qualkit.errors import NotFoundError, ProjectError
from qualkit.store import pg_schema
from qualkit.store.locks import holders
from qualkit.store.pg import PgConnection
from qualkit.store.schema import migrate
from qualkit.store.server import Server

T = TypeVar("T")


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def lock_timeout_s() -> float:
    """How long a write waits for another process's write to finish (QUALKIT_LOCK_TIMEOUT_S)."""
    try:
        return max(0.0, float(os.environ.get("QUALKIT_LOCK_TIMEOUT_S", "30")))
    except ValueError:
        return 30.0


def _is_locked(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _is_read_only(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "unable to open" in text


def lacks_schema(path: Path) -> bool:
    """Whether an existing database file holds no qualkit schema at all: empty (0 bytes:
    a copy that failed, a sync tool that truncated it) or SQLite with no tables. SQLite
    would take either for a new database; a file that is not SQLite is left to opening,
    which says so."""
    if path.stat().st_size == 0:
        return True
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            tables = int(db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return version == 0 and tables == 0


def create_database(path: Path) -> None:
    """Make a new project database that appears whole, schema and all, or not at all.

    It is built beside its place and linked in, so a project database that exists always
    has its schema: one without (lacks_schema) is damage, never a project being made, and
    a process killed while making it leaves no empty file. Two processes making it at
    once: the first link wins and the other's copy is dropped."""
    tmp = path.with_name(f".{path.name}.new-{os.getpid()}-{threading.get_ident()}")
    try:
        StoreBase(tmp).close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links (exFAT, some shares)
            if not path.exists():
                copy_file(tmp, path)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)


class StoreBase:
    """A connection to one project database; the table modules build on it.

    read_only opens the file without writing anything (not even the write-ahead log's
    index), for a project folder the user may read but not change; every write then
    says so instead of failing inside SQLite."""

    def __init__(
        self,
        path: Path | str,
        *,
        read_only: bool = False,
        timeout: float | None = None,
        server: Server | None = None,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.timeout = lock_timeout_s() if timeout is None else timeout
        self._lock = threading.RLock()
        self.server = server
        self._pg: PgConnection | None = None
        if server is not None:
            self._open_server(server)
            return
        self._db = self._connect("mode=ro" if read_only else "")
        try:
            self._db.execute("PRAGMA foreign_keys = ON")
            if read_only:
                self._probe_read_only()
            else:
                self._db.execute("PRAGMA journal_mode = WAL")
                # NORMAL is durable across process crashes in WAL mode; only a power
                # cut can lose the last transaction, and it never corrupts the file.
                self._db.execute("PRAGMA synchronous = NORMAL")
                migrate(self._db, self.path)
        except sqlite3.OperationalError as exc:
            self._db.close()
            if _is_locked(exc):
                raise self._busy() from None
            if _is_read_only(exc) and not os.access(self.path.parent, os.W_OK):
                raise self._read_only_error() from None
            raise self._unreadable(exc) from exc
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise self._unreadable(exc) from exc
        except BaseException:
            self._db.close()
            raise

    def _open_server(self, server: Server) -> None:
        self._pg = PgConnection(server, self.timeout)
        # The PostgreSQL connection has the face of sqlite3's that the table modules use
        # (execute, executemany, fetchone, rowcount, lastrowid, rows by name).
        self._db = cast(sqlite3.Connection, self._pg)
        try:
            if not self.read_only:
                pg_schema.migrate(self._pg)
            elif pg_schema.schema_version(self._pg) == 0:
                raise ProjectError(f"The study database {server.display} is empty.")
        except BaseException:
            self._pg.close()
            raise

    def _connect(self, query: str) -> sqlite3.Connection:
        uri = f"file:{self.path}" + (f"?{query}" if query else "")
        try:
            db = sqlite3.connect(
                uri, uri=True, isolation_level=None, check_same_thread=False, timeout=self.timeout
            )
        except sqlite3.Error as exc:
            raise ProjectError(f"Cannot open project database {self.path}: {exc}") from exc
        db.row_factory = sqlite3.Row
        return db

    def _probe_read_only(self) -> None:
        try:
            self._db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # A WAL database in a folder where its index (-shm) cannot be made: read the
            # file as it stands. The last writer to close folded its log into the file;
            # only transactions of a writer killed before it closed wait in the log, unseen
            # until the folder can be written again (nobody can add any meanwhile).
            self._db.close()
            self._db = self._connect("mode=ro&immutable=1")
            self._db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()

    def _unreadable(self, exc: sqlite3.Error) -> ProjectError:
        return ProjectError(
            f"{self.path} is not a readable qualkit database ({exc}). "
            "Restore it from a backup in .qualkit/backups/."
        )

    def _read_only_error(self) -> ProjectError:
        return ProjectError(
            f"The project folder {self.path.parent} is read-only, so this command cannot "
            "change the project. Commands that only read (status, segments, report, export "
            "with --output to another folder) work; to change the project, copy the folder "
            "somewhere you can write."
        )

    def _busy(self) -> ProjectError:
        who = holders(self.path)
        held = f" It may be held by {', '.join(who)}." if who else ""
        return ProjectError(
            f"The project database is busy: another program has been writing to it for "
            f"{self.timeout:g} s.{held} Wait for it to finish or close it, then try again."
        )

    def reconnect_within(self, seconds: float) -> None:
        """How long a read waits for a team's server that went away (the lock's timeout by
        default). The coding app waits briefly, so a server that is down is said at once
        rather than after a frozen screen; the next action tries again."""
        if self._pg is not None:
            self._pg.reconnect_s = seconds

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
            if self.read_only:
                raise self._read_only_error()
            if self._pg is not None:
                self._pg.begin()
                try:
                    yield self._db
                except BaseException:
                    self._pg.rollback()
                    raise
                self._pg.commit()
                return
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if _is_locked(exc):
                    raise self._busy() from None
                raise
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _put_row(self, table: str, columns: Sequence[str], values: Sequence[Any]) -> None:
        """Write a row exactly as given, its id last in `values`: updated in place, or
        inserted with that id if it is gone (undo and redo put rows back as they were)."""
        sets = ", ".join(f"{c} = ?" for c in columns)
        names = ", ".join((*columns, "id"))
        marks = ",".join("?" * (len(columns) + 1))
        with self.transaction() as db:
            cur = db.execute(f"UPDATE {table} SET {sets} WHERE id = ?", values)
            if cur.rowcount == 0:
                db.execute(f"INSERT INTO {table}({names}) VALUES ({marks})", values)

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
        if self._pg is not None:
            return self.quick_check()
        return str(self._rows("PRAGMA integrity_check")[0][0])

    def quick_check(self) -> str:
        """SQLite's cheap consistency check ('ok' when the file is sound).

        A server keeps its own files sound; there it says whether the study's schema is
        there and readable."""
        if self._pg is not None:
            return "ok" if pg_schema.schema_version(self._pg) > 0 else "no qualkit schema"
        try:
            rows = self._rows("PRAGMA quick_check")
        except sqlite3.DatabaseError as exc:
            return str(exc)
        return "; ".join(str(r[0]) for r in rows[:5])

    def schema_version(self) -> int:
        if self._pg is not None:
            return pg_schema.schema_version(self._pg)
        return int(self._rows("PRAGMA user_version")[0][0])

    def backup_to(self, target: Path) -> None:
        """Copy the database with SQLite's online backup API (safe while in use).

        A server study is copied by the Store (qualkit.store.transfer), which knows
        every table."""
        dest = sqlite3.connect(str(target))
        try:
            with self._lock:
                self._db.backup(dest)
            # A copy in rollback-journal mode is one self-contained file: opening it to
            # check or restore it leaves no -wal/-shm beside it.
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()

    def standalone(self) -> None:
        """Leave write-ahead logging, so this (copied) file stands alone when closed."""
        if self._pg is None:
            self._db.execute("PRAGMA journal_mode = DELETE")

    def content_counts(self) -> dict[str, int]:
        """How much work the database holds: recordings, segments and codings."""
        return {
            "recordings": int(self._rows("SELECT COUNT(*) FROM recordings")[0][0]),
            "segments": int(self._rows("SELECT COUNT(*) FROM segments")[0][0]),
            "codings": int(self._rows("SELECT COUNT(*) FROM codings")[0][0]),
        }

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
