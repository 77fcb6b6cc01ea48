"""The same migrations as SQLite's, applied to a study database on a PostgreSQL server.

The version lives in the table qualkit_schema (SQLite keeps it in PRAGMA user_version);
each step runs in its own transaction under the study's write lock, so two coders opening
a new study at once do not both apply it, and a failing step leaves the version as it was
(PostgreSQL's DDL is transactional).
"""

from __future__ import annotations

from qualkit.errors import ProjectError
from qualkit.store import dialect
from qualkit.store.pg import PgConnection
from qualkit.store.schema import MIGRATIONS, statements

_BOOKKEEPING = (
    "CREATE TABLE IF NOT EXISTS qualkit_schema (version BIGINT NOT NULL)",
    # Moved by every committed write: what other coders' apps poll to see new work.
    "CREATE TABLE IF NOT EXISTS qualkit_changes (n BIGINT NOT NULL)",
    "INSERT INTO qualkit_schema(version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM qualkit_schema)",
    "INSERT INTO qualkit_changes(n) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM qualkit_changes)",
)


def schema_version(db: PgConnection) -> int:
    """The study's schema version; 0 for an empty database."""
    row = db.execute("SELECT to_regclass('qualkit_schema') IS NOT NULL").fetchone()
    if row is None or not row[0]:
        return 0
    found = db.execute("SELECT version FROM qualkit_schema").fetchone()
    return int(found[0]) if found is not None else 0


def migrate(db: PgConnection, migrations: tuple[str, ...] = MIGRATIONS) -> None:
    """Apply the migrations the study database has not seen, each in its own transaction."""
    target = len(migrations)
    found = schema_version(db)
    if found == target:
        return  # up to date: opening takes no lock, and a reader may open it
    owner = _study_owner(db)
    if 0 < found < target and owner is not None:
        # Only the tables' owner may change them; a coder's or reader's login would get
        # "permission denied for schema public", which reads like a missing role.
        raise ProjectError(
            f"The study database {db.display} needs an upgrade for this qualkit (schema "
            f"{found} to {target}), which only the owner of its tables ({owner}) may make: "
            f"{owner} opens the project once with this qualkit (e.g. qualkit status), then "
            "everyone can."
        )
    if found == 0:
        _check_may_create(db)
    while True:
        db.begin()
        try:
            for statement in _BOOKKEEPING:
                db.execute(statement)
            version = schema_version(db)
            if version > target:
                raise ProjectError(
                    f"The study database {db.display} was written by a newer qualkit "
                    f"(schema {version}); upgrade qualkit to open it."
                )
            if version == target:
                db.commit()
                return
            if version == 0:
                for function in dialect.COMPAT_FUNCTIONS:
                    db.execute(function)
            for statement in statements(migrations[version]):
                translated = dialect.ddl(statement)
                if translated is not None:
                    db.execute(translated)
            db.execute("UPDATE qualkit_schema SET version = ?", (version + 1,))
        except BaseException:
            db.rollback()
            raise
        db.commit()
        db.forget_catalog()


def _check_may_create(db: PgConnection) -> None:
    """An empty study database whose schema the signed-in user may not create tables in:
    since PostgreSQL 15 only the database's owner may, by default; say who must own it."""
    row = db.execute(
        "SELECT has_schema_privilege(current_schema(), 'CREATE'), session_user,"
        " current_database(), current_schema()"
    ).fetchone()
    if row is None or row[0]:
        return
    user, database, schema = str(row[1]), str(row[2]), str(row[3])
    raise ProjectError(
        f"Your login ({user}) may not create the study's tables in the database {database} "
        f"on {db.display} (no CREATE on schema {schema}; since PostgreSQL 15 only the "
        "database's owner has it). The study database's owner must be the project lead: "
        f"the administrator makes it with `createdb -O {user} {database}`, or runs "
        f"`ALTER DATABASE {database} OWNER TO {user}` (or `GRANT CREATE ON SCHEMA {schema} "
        f"TO {user}`) on it. Then try again."
    )


def _study_owner(db: PgConnection) -> str | None:
    """The owner of the study's tables when the signed-in user may not alter them (is not
    that owner, a member of it, or an administrator); None when they may."""
    row = db.execute(
        "SELECT tableowner, pg_has_role(session_user, tableowner, 'USAGE') FROM pg_tables"
        " WHERE schemaname = current_schema() AND tablename = 'qualkit_schema'"
    ).fetchone()
    return None if row is None or row[1] else str(row[0])
