"""Who may do what in a team's study, enforced by the PostgreSQL server itself.

Three group roles per study database (named after it, since roles are server-wide):
- reader: reads everything (reports, exports), writes nothing;
- coder: codes (codings, memos, suggestion feedback, quote pins) and corrects transcripts;
- lead: everything, codebook changes, rounds, consensus and reports included.
A person's login role is made a member of one of them (`qualkit db roles --grant`).
"""

from __future__ import annotations

import re

from qualkit.errors import InputError, ProjectError
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


def set_up_roles(store: StoreBase, grants: dict[str, str] | None = None) -> dict[str, str]:
    """Create (or bring up to date) the study's three roles; make users members of them.

    Run by the lead (the owner of the study's tables) after creating the study and again
    after an upgrade added tables. Returns {role: server group role}."""
    if store.server is None:
        raise InputError("Roles belong to a study database on a server; this one is SQLite.")
    database = str(store._rows("SELECT current_database()")[0][0])
    names = {role: group_name(database, role) for role in ROLES}
    tables = _tables(store)
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
