"""Who may do what in a team's study, enforced by the PostgreSQL server itself.

Three group roles per study database (named after it, since roles are server-wide):
- reader: reads everything (reports, exports), writes nothing;
- coder: codes (codings, memos, suggestion feedback, quote pins) and corrects transcripts;
- lead: everything, codebook changes, rounds, consensus and reports included.
A person's login role is made a member of one of them (`qualkit db roles --grant`).

A coder's name is their database user (docs/team.md: `--coder anna` for the login anna).
Table grants cannot say whose codings a row holds, so a trigger on codings, memos, quote
pins, answers to suggestions and coders (OWN_ROWS_RULE) keeps that rule on the server: a
coder writes only rows of their own name (compared case-insensitively; a pin is its
coding's), only the lead writes the consensus coder's, and a transcript correction moves
anyone's spans (segment and span, nothing else) and copies anyone's coding onto the
second part of a split turn (an exact copy on the next segment; taken away again by an
undo or a join). The store
checks the same rule first (check_writes_as), so the usual refusal names the --coder to
use; the server's is the guarantee against other tools (psql).
"""

from __future__ import annotations

import re
import sqlite3

from qualkit.errors import InputError, ProjectError
from qualkit.model import CONSENSUS_CODER
from qualkit.spelling import key
from qualkit.store.connection import StoreBase
from qualkit.store.pg import OWN_ROWS_RULE

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


class OwnWritesStore(StoreBase):
    """The store's check, before a write, that a coder writes only their own rows."""

    # (database user, may write as the lead) on a server, asked once per connection.
    _writer: tuple[str, bool] | None = None

    def _check_writes_as(self, coder: str) -> None:
        """In a team's study a coder writes codings and memos under their own name only,
        and only the lead writes the consensus; a SQLite project has one user."""
        if self.server is None:
            return
        if self._writer is None:
            self._writer = writer(self)
        check_writes_as(*self._writer, coder)


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


# The rule on whose rows a coder writes, run by the server before each row is written.
# A trigger, not a row-level security policy: a policy cannot compare a row before and
# after an UPDATE, which "only segment and span change" needs, nor say why it refused.
# The lead is whoever may add recordings, as writer() asks (members of the lead role, the
# tables' owner, administrators). The identity is session_user, the login: SET ROLE does
# not change it, and a coding deleted with its segment (a cascade, run as the owner) is
# still checked against the login. search_path holds only pg_catalog (and pg_temp, which
# no function or operator is taken from) and every table is named with its schema, so a
# table or function a coder makes cannot stand in for ours.
_OWN_ROWS_FUNCTION = """
CREATE OR REPLACE FUNCTION {schema}.{rule}() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $rule$
DECLARE
    whose text[] := ARRAY[]::text[];
    one text;
    tail text;
BEGIN
    IF has_table_privilege(session_user, '{recordings}', 'INSERT') THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_TABLE_NAME = 'coders' THEN
        IF TG_OP <> 'INSERT' THEN whose := array_append(whose, OLD.name::text); END IF;
        IF TG_OP <> 'DELETE' THEN whose := array_append(whose, NEW.name::text); END IF;
    ELSIF TG_TABLE_NAME = 'quote_pins' THEN
        -- A pin is its coding's: whose the coding is, is whose the pin is. A pin that goes
        -- because its coding went (the cascade, which no longer sees the coding) was checked
        -- with the coding.
        IF TG_OP <> 'INSERT' THEN
            one := (SELECT c.name::text FROM {schema}.codings g
                    JOIN {schema}.coders c ON c.id = g.coder_id WHERE g.id = OLD.coding_id);
            IF one IS NULL AND TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            whose := array_append(whose, COALESCE(one, 'default'));
        END IF;
        IF TG_OP <> 'DELETE' THEN
            whose := array_append(whose, COALESCE(
                (SELECT c.name::text FROM {schema}.codings g
                 JOIN {schema}.coders c ON c.id = g.coder_id WHERE g.id = NEW.coding_id),
                'default'));
        END IF;
    ELSE
        -- Answers to suggestions go with their turn when a correction joins it away: the
        -- cascade no longer sees the turn, whose own deletion was checked.
        -- (Nested: an expression is planned whole, and other tables have no segment_id.)
        IF TG_TABLE_NAME = 'suggestion_feedback' AND TG_OP = 'DELETE' THEN
            IF NOT EXISTS (SELECT 1 FROM {schema}.segments s WHERE s.id = OLD.segment_id) THEN
                RETURN OLD;
            END IF;
        END IF;
        -- A split copies a coding of the whole turn (or of words across the split) onto
        -- the next segment, whoever coded it; undoing it, or joining the halves, takes
        -- the copy away. Only an exact copy of a coding on the segment just before is
        -- written or taken away so: same code, coder, valence, round, time, memo and
        -- partner (a copy without memo or partner may go beside one with them).
        IF TG_TABLE_NAME = 'codings' THEN
            IF TG_OP = 'INSERT' THEN
{copy_written}
            ELSIF TG_OP = 'DELETE' THEN
{copy_taken}
            END IF;
        END IF;
        IF TG_TABLE_NAME = 'codings' AND TG_OP = 'UPDATE' THEN
            IF to_jsonb(NEW) - ARRAY['segment_id', 'span_start', 'span_end']
                    = to_jsonb(OLD) - ARRAY['segment_id', 'span_start', 'span_end']
                AND (SELECT s.recording_id FROM {schema}.segments s WHERE s.id = NEW.segment_id)
                    IS NOT DISTINCT FROM
                    (SELECT s.recording_id FROM {schema}.segments s WHERE s.id = OLD.segment_id)
            THEN
                RETURN NEW;
            END IF;
        END IF;
        IF TG_OP <> 'INSERT' THEN
            whose := array_append(whose, COALESCE(
                (SELECT c.name::text FROM {schema}.coders c WHERE c.id = OLD.coder_id),
                'default'));
        END IF;
        IF TG_OP <> 'DELETE' THEN
            whose := array_append(whose, COALESCE(
                (SELECT c.name::text FROM {schema}.coders c WHERE c.id = NEW.coder_id),
                'default'));
        END IF;
    END IF;
    FOREACH one IN ARRAY whose LOOP
        IF lower(one) = '{consensus}' THEN
            RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                'Only the project lead writes the consensus (coder ''%s'') in a team''s'
                ' study; %s is not the lead.', one, session_user);
        END IF;
        IF lower(one) <> lower(session_user) THEN
            tail := CASE TG_TABLE_NAME
                WHEN 'codings' THEN format('this coding is %s''s (correcting the transcript'
                    ' moves anyone''s spans with the words, nothing else)', one)
                WHEN 'memos' THEN format('this memo is %s''s', one)
                WHEN 'quote_pins' THEN format('this quote is pinned on %s''s coding', one)
                WHEN 'suggestion_feedback' THEN format(
                    'this answer to a suggestion is %s''s', one)
                ELSE format('%L is another coder''s name', one) END;
            RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
                'In a team''s study a coder writes only their own codings, memos, quote'
                ' pins and answers to suggestions, under their database login (%s): %s.',
                session_user, tail);
        END IF;
    END LOOP;
    RETURN COALESCE(NEW, OLD);
END
$rule$
"""

# The split's copy of a coding: `row` (NEW when written, OLD when taken away) is an exact
# copy of a coding on the segment just before. {schema} is filled with the function's.
_SPLIT_COPY = """\
                IF EXISTS (SELECT 1 FROM {{schema}}.codings g
                        JOIN {{schema}}.segments gs ON gs.id = g.segment_id
                        JOIN {{schema}}.segments {seg} ON {seg}.id = {row}.segment_id
                        WHERE gs.recording_id = {seg}.recording_id AND gs.idx = {seg}.idx - 1
                        AND g.code_pk = {row}.code_pk AND g.coder_id = {row}.coder_id
                        AND g.valence = {row}.valence AND g.created = {row}.created
                        AND g.round_id IS NOT DISTINCT FROM {row}.round_id
{memo_and_partner}) THEN
                    RETURN {row};
                END IF;"""

# Written, the copy has the original's memo and partner; taken away, a copy without them
# may go beside a coding with them (the DELETE's looser match).
_COPY_WRITTEN = _SPLIT_COPY.format(
    row="NEW",
    seg="ns",
    memo_and_partner="""\
                        AND g.memo IS NOT DISTINCT FROM NEW.memo
                        AND g.partner_actor IS NOT DISTINCT FROM NEW.partner_actor""",
)
_COPY_TAKEN = _SPLIT_COPY.format(
    row="OLD",
    seg="os",
    memo_and_partner="""\
                        AND (OLD.memo IS NULL OR g.memo IS NOT DISTINCT FROM OLD.memo)
                        AND (OLD.partner_actor IS NULL
                             OR g.partner_actor IS NOT DISTINCT FROM OLD.partner_actor)""",
)

# The tables whose rows say whose they are: a coding's, a memo's and an answer to a
# suggestion's coder, a pin's coding, and the coders themselves (renaming another coder to
# one's own name would make their codings "own").
OWN_ROWS_TABLES = ("codings", "memos", "coders", "quote_pins", "suggestion_feedback")


def _install_own_rows_rule(db: sqlite3.Connection, tables: list[str]) -> None:
    """(Re)create the rule's function and its triggers; run again, it replaces them."""
    schema, owner = db.execute(
        "SELECT quote_ident(current_schema()), quote_ident(tableowner::text) FROM pg_tables"
        " WHERE schemaname = current_schema() AND tablename = 'codings'"
    ).fetchone()
    function = f"{schema}.{OWN_ROWS_RULE}()"
    db.execute(
        _OWN_ROWS_FUNCTION.format(
            schema=schema,
            rule=OWN_ROWS_RULE,
            recordings=f"{schema}.recordings".replace("'", "''"),
            consensus=CONSENSUS_CODER.lower(),
            copy_written=_COPY_WRITTEN.format(schema=schema),
            copy_taken=_COPY_TAKEN.format(schema=schema),
        )
    )
    # The tables' owner keeps it, so that whoever ran this first (the server's
    # administrator or the lead) the owner can replace it after an upgrade.
    db.execute(f"ALTER FUNCTION {function} OWNER TO {owner}")
    for table in OWN_ROWS_TABLES:
        if table in tables:
            db.execute(f'DROP TRIGGER IF EXISTS {OWN_ROWS_RULE} ON {schema}."{table}"')
            db.execute(
                f"CREATE TRIGGER {OWN_ROWS_RULE} BEFORE INSERT OR UPDATE OR DELETE"
                f' ON {schema}."{table}" FOR EACH ROW EXECUTE FUNCTION {function}'
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
        if not writer(store)[1]:
            # A coder or reader ran it: CREATEROLE is not theirs to get.
            raise ProjectError(
                f"qualkit db roles is the project lead's command: to {doing} needs the "
                f"lead's login (with CREATEROLE) or the server's administrator, and "
                f"{user!r} is neither. Ask the project lead to run it."
            )
        raise ProjectError(
            f"To {doing}, the server account {user!r} needs CREATEROLE: the server's "
            f'administrator runs ALTER ROLE "{user}" CREATEROLE, or runs qualkit db roles.'
        )


def set_up_roles(store: StoreBase, grants: dict[str, str] | None = None) -> dict[str, str]:
    """Create (or bring up to date) the study's three roles; make users members of them.

    Run by the lead (the owner of the study's tables) after creating the study and again
    after an upgrade added tables; it also (re)installs the server's rule on whose codings
    and memos a coder writes. Returns {role: server group role}."""
    if store.server is None:
        raise InputError("Roles belong to a study database on a server; this one is SQLite.")
    database = str(store._rows("SELECT current_database()")[0][0])
    names = {role: group_name(database, role) for role in ROLES}
    tables = _tables(store)
    for user, role in (grants or {}).items():  # what the user typed, before the server
        if role not in names:
            raise InputError(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.")
        if not re.fullmatch(r"[A-Za-z0-9_.@-]+", user):
            raise InputError(f"{user!r} is not a database user name.")
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
        if "codings" in tables:
            _install_own_rows_rule(db, tables)
        for user, role in (grants or {}).items():
            if db.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (user,)).fetchone() is None:
                raise ProjectError(
                    f"The server has no user {user!r}; the server's administrator creates "
                    f"it first (CREATE ROLE \"{user}\" LOGIN PASSWORD '...')."
                )
            for other in names.values():
                db.execute(f'REVOKE "{other}" FROM "{user}"')
            db.execute(f'GRANT "{names[role]}" TO "{user}"')
    return names
