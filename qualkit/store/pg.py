"""A PostgreSQL connection that the table modules use as they use sqlite3's.

`PgConnection.execute` takes the store's SQLite-flavoured SQL (`?` placeholders, `a IS ?`,
`cursor.lastrowid`) and returns a cursor with the same face (`fetchone`, `fetchall`,
iteration, `rowcount`, `lastrowid`), rows readable by position and by column name like
sqlite3.Row. Values are bound on the client, so a literal takes its type from where it
is used, as in SQLite. A connection the server dropped (a restart) is opened again before
the next statement outside a transaction; inside one, the transaction is lost whole and
the caller hears it (ConnectionLostError), never half of it.
"""

from __future__ import annotations

import getpass
import os
import re
import sys
import time
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from qualkit.errors import ConnectionLostError, ProjectError
from qualkit.store import dialect
from qualkit.store.pg_rows import PgCursor, Row, numeric_loader, row_factory
from qualkit.store.server import Server

if TYPE_CHECKING:
    # psycopg is imported where a study on a server is opened, not by every command
    # (it is a fifth of the start-up of a command on a project folder).
    import psycopg

# The study's trigger function that refuses a coder's write of someone else's codings or
# memos (qualkit.store.roles installs it); its refusals are the rule, said as it is.
OWN_ROWS_RULE = "qualkit_own_rows"

# pg_advisory_xact_lock key of the one write lock per study database (ASCII "qkit").
WRITE_LOCK = 0x716B6974


@cache  # read on every statement's connection check
def _shutdown() -> tuple[type[Exception], ...]:
    from psycopg import errors as pg_errors

    return (pg_errors.AdminShutdown, pg_errors.CrashShutdown, pg_errors.CannotConnectNow)


def _plain(params: Sequence[Any] | Iterable[Any]) -> tuple[Any, ...]:
    # SQLite stores True as 1 in an INTEGER column; PostgreSQL will not put a boolean
    # in a BIGINT one.
    return tuple(int(p) if isinstance(p, bool) else p for p in params)


def _is_password_problem(exc: psycopg.OperationalError) -> bool:
    text = str(exc).lower()
    return "password" in text and ("no password supplied" in text or "authentication" in text)


_REFUSED = re.compile(r'password authentication failed for user "?(?P<user>[^"\s]+)"?')


def _refused_user(exc: psycopg.OperationalError) -> str | None:
    """The user whose password the server refused (a wrong one, not a missing one)."""
    found = _REFUSED.search(str(exc))
    return found["user"] if found else None


class PgConnection:
    """One session with the study's database server."""

    def __init__(self, server: Server, timeout: float) -> None:
        self.conninfo = server.conninfo
        self.display = server.display
        self.timeout = timeout
        self.reconnect_s = timeout  # how long to wait for a server that went away
        self._password = server.password
        self._identity: dict[str, tuple[str, str]] | None = None
        self.wrote = False
        self.own_changes = 0
        self._in_tx = False
        self._conn = self._open(wait=False)

    # ---------------------------------------------------------------- opening
    def _open(self, *, wait: bool) -> psycopg.Connection[Any]:
        import psycopg

        deadline = time.monotonic() + (self.reconnect_s if wait else 0)
        while True:
            try:
                return self._connect_once()
            except psycopg.OperationalError as exc:
                refused = _refused_user(exc)
                if refused is not None:
                    typed = " (or the one you typed)" if self._password is not None else ""
                    raise ProjectError(
                        f"The database server {self.display} refused the password for user "
                        f"{refused}: check that user's line in your ~/.pgpass file (or the "
                        f"file PGPASSFILE names){typed}, or ask for the password to be "
                        "reset; see docs/team.md."
                    ) from None
                if _is_password_problem(exc):
                    if self._password is None and sys.stdin.isatty():
                        self._password = getpass.getpass(f"Password for {self.display}: ")
                        continue
                    user = self._user()
                    raise ProjectError(
                        f"The database server {self.display} wants a password"
                        f"{f' for user {user}' if user else ''} and none was given. Put it "
                        "in your ~/.pgpass file (or the file PGPASSFILE names), never in the "
                        "project folder; see docs/team.md."
                    ) from None
                if time.monotonic() >= deadline:
                    # libpq's message says which host and why; it never holds a password.
                    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                    raise ProjectError(
                        f"Cannot reach the project's database server {self.display} ({first}). "
                        "Check that it runs and that you may connect, then try again."
                    ) from None
                time.sleep(0.2)

    def _user(self) -> str | None:
        """The user a connection signs in as, where the address or PGUSER says (a
        service file's user is libpq's to read)."""
        import psycopg

        try:
            named = psycopg.conninfo.conninfo_to_dict(self.conninfo).get("user")
        except psycopg.ProgrammingError:
            named = None
        return str(named or os.environ.get("PGUSER") or "") or None

    def _connect_once(self) -> psycopg.Connection[Any]:
        import psycopg

        # A host that does not answer at all is given up after this long (libpq counts
        # at least 2 s).
        wait = min(self.timeout, self.reconnect_s)
        extra: dict[str, Any] = {"connect_timeout": max(2, int(wait))}
        if self._password is not None:
            extra["password"] = self._password
        conn: psycopg.Connection[Any] = psycopg.connect(
            self.conninfo,
            autocommit=True,
            cursor_factory=psycopg.ClientCursor,
            row_factory=row_factory,
            application_name="qualkit",
            **extra,
        )
        conn.adapters.register_loader("numeric", numeric_loader())
        # How long a write waits for the study's lock (another coder's write) before
        # saying the database is busy; set once, not at every write.
        conn.execute(f"SET lock_timeout = '{int(self.timeout * 1000)}ms'")
        return conn

    def close(self) -> None:
        self._conn.close()

    @property
    def in_transaction(self) -> bool:
        return self._in_tx

    def _lost(self, exc: BaseException | None = None) -> bool:
        # The server says it is shutting down (a restart) before the socket closes.
        return self._conn.closed or self._conn.broken or isinstance(exc, _shutdown())

    def _reopen_if_lost(self) -> None:
        if self._lost():
            self._conn = self._open(wait=True)

    # ------------------------------------------------------------- statements
    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgCursor:
        """Run one statement; outside a transaction a dropped connection is reopened once."""
        if self._in_tx:
            return self._run(sql, params)
        self._reopen_if_lost()
        try:
            return self._run(sql, params)
        except ConnectionLostError:
            self._reopen_if_lost()
            return self._run(sql, params)

    def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> PgCursor:
        total = 0
        for params in seq:
            total += max(self._run(sql, params, bump=False).rowcount, 0)
        insert = dialect.insert_of(sql)
        if insert is not None:
            self._bump_identity(insert)
        return PgCursor([], total, None)

    def _run(self, sql: str, params: Sequence[Any], *, bump: bool = True) -> PgCursor:
        import psycopg
        from psycopg import errors as pg_errors

        insert = dialect.insert_of(sql)
        text = dialect.query(sql)
        key: str | None = None
        if insert is not None and not insert.returning:
            known = self.identity().get(insert.table)
            if known is not None:
                key = known[0]
                text += f" RETURNING {key}"
        if self._in_tx and not sql.lstrip()[:6].upper().startswith("SELECT"):
            self.wrote = True
        try:
            cur = self._conn.execute(text, _plain(params))
        except pg_errors.InsufficientPrivilege as exc:
            if OWN_ROWS_RULE in (exc.diag.context or ""):
                raise ProjectError(
                    f"{exc.diag.message_primary} (The database server {self.display} "
                    "refused it; nothing was written.)"
                ) from None
            raise ProjectError(
                f"Your database role may not do this on {self.display} "
                f"({exc.diag.message_primary}). Ask the project lead for the right role "
                "(qualkit db roles)."
            ) from None
        except psycopg.OperationalError as exc:
            if not self._lost(exc):
                raise
            self._conn.close()
            raise ConnectionLostError(
                f"The connection to the database server {self.display} was lost; "
                "the change in progress was not saved (nothing of it was written). Try again."
            ) from exc
        rows: list[Row] = cur.fetchall() if cur.description is not None else []
        lastrowid: int | None = None
        if key is not None:
            lastrowid = int(rows[-1][0]) if rows else None
            rows = []
        if insert is not None and bump:
            self._bump_identity(insert)
        names = [c.name for c in cur.description or ()] if key is None else []
        return PgCursor(rows, cur.rowcount, lastrowid, names)

    def others_changes(self) -> int:
        """How many writes other connections have committed (what an app polls).

        Polled on a timer, so it never waits for a server that is away: it says so at
        once (ConnectionLostError) and the next poll tries again."""
        if self._lost() and not self._in_tx:
            try:
                self._conn = self._open(wait=False)
            except ProjectError as exc:
                raise ConnectionLostError(str(exc)) from None
        row = self._run("SELECT n FROM qualkit_changes", ()).fetchone()
        # Every committed write moves the study's counter; this connection's own don't count.
        return int(row[0] if row is not None else 0) - self.own_changes

    # --------------------------------------------------------------- identity
    def identity(self) -> dict[str, tuple[str, str]]:
        """{table: (identity column, its sequence)} of the study's tables."""
        if self._identity is None:
            rows = self._conn.execute(
                "SELECT table_name, column_name,"
                " pg_get_serial_sequence(quote_ident(table_name), column_name)"
                " FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND is_identity = 'YES'"
            ).fetchall()
            self._identity = {str(r[0]): (str(r[1]), str(r[2])) for r in rows}
        return self._identity

    def forget_catalog(self) -> None:
        self._identity = None

    def _bump_identity(self, insert: dialect.Insert) -> None:
        """An id given explicitly (undo putting a row back, a copy) moves the identity on,
        as SQLite's next row id follows the largest; never backwards."""
        known = self.identity().get(insert.table)
        if known is None or known[0] not in insert.columns:
            return
        column, sequence = known
        self._conn.execute(
            f"SELECT setval('{sequence}', m) FROM (SELECT MAX({column}) AS m FROM"
            f" {insert.table}) AS t, {sequence} AS s WHERE m > s.last_value OR NOT s.is_called"
        )

    # ------------------------------------------------------------ transactions
    def begin(self) -> None:
        """Start a write: one writer at a time per study, as SQLite's BEGIN IMMEDIATE.

        Holding the study's lock for the whole transaction is what keeps a check-then-write
        (no duplicate coding, no twin after an edit) true with several coders at once."""
        import psycopg
        from psycopg import errors as pg_errors

        self._reopen_if_lost()
        start = f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"  # one round trip
        self._in_tx = True
        self.wrote = False
        try:
            try:
                self._conn.execute(start)
            except psycopg.OperationalError as exc:
                if not self._lost(exc):
                    raise
                # Dropped since its last use (a server restart): nothing was in progress.
                self._conn.close()
                self._conn = self._open(wait=True)
                self._conn.execute(start)
        except pg_errors.LockNotAvailable:
            self.rollback()
            raise ProjectError(
                f"The project database is busy: another coder has been writing to it for "
                f"{self.timeout:g} s. Wait a moment, then try again."
            ) from None
        except psycopg.OperationalError as exc:
            self.rollback()
            raise ConnectionLostError(
                f"The connection to the database server {self.display} was lost; "
                "nothing was written. Try again."
            ) from exc

    def commit(self) -> None:
        import psycopg

        try:
            if self.wrote:
                # The change counter others poll (data_version) and a wake-up for
                # listeners, sent with the COMMIT: one round trip.
                self._conn.execute(
                    "UPDATE qualkit_changes SET n = n + 1; NOTIFY qualkit_changes; COMMIT"
                )
            else:
                self._conn.execute("COMMIT")
        except psycopg.OperationalError as exc:
            lost = self._lost(exc)
            if lost:
                self._conn.close()
            self.rollback()
            if not lost:
                raise
            raise ConnectionLostError(
                f"The connection to the database server {self.display} was lost while "
                "saving; the change may not have been saved. Look, then try again."
            ) from exc
        self._in_tx = False
        self.own_changes += int(self.wrote)

    def rollback(self) -> None:
        import psycopg

        self._in_tx = False
        if self._lost():
            return  # the server dropped the transaction with the connection
        try:
            self._conn.execute("ROLLBACK")
        except psycopg.OperationalError as exc:
            if not self._lost(exc):
                raise
            self._conn.close()  # gone with the connection: nothing of it was kept
