"""Who may do what in a team's study, enforced by the PostgreSQL server itself.

Three group roles per study database (named after it, since roles are server-wide):
- reader: reads everything (reports, exports), writes nothing;
- coder: codes (codings, memos, suggestion feedback, quote pins) and corrects transcripts;
- lead: everything, codebook changes, rounds, consensus and reports included.
A person's login role is made a member of one of them (`qualkit db roles --grant`).

A coder's name is their database user (docs/team.md: `--coder anna` for the login anna).
Table grants cannot say whose codings a row holds, so the store checks that rule before
each write of codings and memos (check_writes_as): a coder writes under their own name,
only the lead writes the consensus coder's.
"""

from __future__ import annotations

import re

from qualkit.errors import InputError, ProjectError
from qualkit.model import CONSENSUS_CODER
from qualkit.spelling import key
from qualkit.store.connection import StoreBase

ROLES = ("reader", "coder", "lead")

# What a coder writes: their own work and the transcript corrections the coding app makes.
CODER_TABLES = (
    "coders",
    "codings",
    "memos",
    "suggestion_feedback",
    "quote_pins",
    "embeddings",
    "segments",
    "speakers",
    "voice_merges",
    # Taking back a name a voiceprint gave is a speaker correction; enrolling a voice
    # (personal data) and the glossary stay with the lead.
    "voice_matches",
)


def writer(store: StoreBase) -> tuple[str, bool]:
    """The signed-in database user, and whether they may write what only the lead writes.

    Adding recordings is the lead's (and the tables' owner's, and an administrator's): the
    server's own grants answer, so a study without roles set up keeps working as before."""
    row = store._rows("SELECT session_user, has_table_privilege('recordings', 'INSERT')")[0]
    return str(row[0]), bool(row[1])


def check_writes_as(user: str, may_lead: bool, coder: str) -> None:
    """Refuse a coder's write of codings or memos that are not their own."""
    if may_lead:
        return
    if key(coder) == key(CONSENSUS_CODER):
        raise ProjectError(
            f"Only the project lead writes the consensus (coder {CONSENSUS_CODER!r}) "
            f"in a team's study; {user!r} codes as {user!r}."
        )
    if key(coder) != key(user):  # the store files "anna" under a known "Anna"
        raise ProjectError(
            f"In a team's study a coder codes under their own name: you are signed in as "
            f"{user!r}, so use --coder {user} (not {coder!r})."
        )


def group_name(database: str, role: str) -> str:
    """The server's group role for `role` in one study database."""
    safe = re.sub(r"[^a-z0-9_]", "_", database.lower())
    return f"{safe}_{role}"


def _tables(store: StoreBase) -> list[str]:
    return [
        str(r[0])
        for r in store._rows(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    ]


def _role_exists(store: StoreBase, name: str) -> bool:
    return bool(store._rows("SELECT 1 FROM pg_roles WHERE rolname = ?", (name,)))


def _check_may_manage_roles(
    store: StoreBase, missing: list[str], grants: dict[str, str] | None
) -> None:
    """Creating group roles and granting membership need CREATEROLE on the server (not a
    role in the study): say so before the server refuses half-way."""
    if not missing and not grants:
        return
    user, may = store._rows(
        "SELECT session_user, rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = session_user"
    )[0]
    if not may:
        doing = f"create the roles {', '.join(missing)}" if missing else "grant roles to users"
        raise ProjectError(
            f"To {doing}, the server account {user!r} needs CREATEROLE: the server's "
            f'administrator runs ALTER ROLE "{user}" CREATEROLE, or runs qualkit db roles.'
        )


def set_up_roles(store: StoreBase, grants: dict[str, str] | None = None) -> dict[str, str]:
    """Create (or bring up to date) the study's three roles; make users members of them.

    Run by the lead (the owner of the study's tables) after creating the study and again
    after an upgrade added tables. Returns {role: server group role}."""
    if store.server is None:
        raise InputError("Roles belong to a study database on a server; this one is SQLite.")
    database = str(store._rows("SELECT current_database()")[0][0])
    names = {role: group_name(database, role) for role in ROLES}
    tables = _tables(store)
    missing = [n for n in names.values() if not _role_exists(store, n)]
    _check_may_manage_roles(store, missing, grants)
    with store.transaction() as db:
        for name in names.values():
            exists = db.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (name,)).fetchone()
            if exists is None:
                db.execute(f'CREATE ROLE "{name}" NOLOGIN')
        reader, coder, lead = names["reader"], names["coder"], names["lead"]
        db.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{reader}", "{coder}", "{lead}"')
        db.execute(f'GRANT USAGE ON SCHEMA public TO "{reader}", "{coder}", "{lead}"')
        for table in tables:
            db.execute(f'REVOKE ALL ON "{table}" FROM "{reader}", "{coder}", "{lead}"')
            db.execute(f'GRANT SELECT ON "{table}" TO "{reader}", "{coder}"')
            db.execute(f'GRANT ALL ON "{table}" TO "{lead}"')
        for table in (*CODER_TABLES, "qualkit_changes"):
            if table in tables:
                db.execute(f'GRANT INSERT, UPDATE, DELETE ON "{table}" TO "{coder}"')
        # An undo puts a row back with its old id, which moves the id sequence on.
        db.execute(f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "{coder}"')
        db.execute(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{lead}"')
        for user, role in (grants or {}).items():
            if role not in names:
                raise InputError(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.")
            if not re.fullmatch(r"[A-Za-z0-9_.@-]+", user):
                raise InputError(f"{user!r} is not a database user name.")
            if db.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (user,)).fetchone() is None:
                raise ProjectError(
                    f"The server has no user {user!r}; the server's administrator creates "
                    f"it first (CREATE ROLE \"{user}\" LOGIN PASSWORD '...')."
                )
            for other in names.values():
                db.execute(f'REVOKE "{other}" FROM "{user}"')
            db.execute(f'GRANT "{names[role]}" TO "{user}"')
    return names
