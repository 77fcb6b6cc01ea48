"""A team's study: a coder codes under their own name, only the lead writes the consensus,
and `db roles` says when the server account lacks CREATEROLE. The server itself holds the
rule: a coder's login writing around qualkit (raw SQL) is refused, and what qualkit does
for a coder (their own codings, undo, transcript corrections that move others' spans)
still works."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import psycopg
import pytest

from qualkit.cli import main
from qualkit.consensus import resolve
from qualkit.errors import ProjectError
from qualkit.model import CONSENSUS_CODER, Valence
from qualkit.project import open_project, set_server
from qualkit.store import MIGRATIONS, Server, Store, pg_schema
from qualkit.store.pg import PgConnection
from qualkit.store.roles import check_writes_as, group_name, set_up_roles
from qualkit.tui.error_text import error_text
from tests.pg_server import PgServer


# ------------------------------------------------------------- the rule, no server
def test_a_lead_writes_under_any_name() -> None:
    for coder in ("lena", "anna", CONSENSUS_CODER, "default"):
        check_writes_as("lena", True, coder)


def test_a_coder_writes_under_their_own_name_only() -> None:
    check_writes_as("anna", False, "anna")
    with pytest.raises(ProjectError, match=r"own name.*signed in as 'anna'.*--coder anna"):
        check_writes_as("anna", False, "bertil")
    with pytest.raises(ProjectError, match="Only the project lead writes the consensus"):
        check_writes_as("anna", False, CONSENSUS_CODER)


# ------------------------------------------------------------ on a real server
def _login(pg_server: PgServer, user: str) -> None:
    with pg_server.admin() as conn:
        conn.execute(f'CREATE ROLE "{user}" LOGIN')  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_server_study_enforces_who_codes_as_whom(
    project_dir: Path, pg_server: PgServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_project(project_dir) as owner:
        assert owner.store.server is not None
        rec = owner.store.add_recording("r1")
        owner.store.replace_segments(
            rec.id, [("A", "Vi ringer varandra.", 0.0, 1.0, (), False)] * 2
        )
        first, _second = (s.id for s in owner.store.segments(rec.id))
        theirs = owner.add_coding(first, "ledning", coder="bertil")
        for user in ("anna", "lena"):
            _login(pg_server, user)
        assert main(["db", "roles", "-p", str(project_dir), "--grant", "anna=coder"]) == 0
        assert main(["db", "roles", "-p", str(project_dir), "--grant", "lena=lead"]) == 0
        target = owner.store.server.conninfo

    def folder_of(user: str) -> Path:
        root = tmp_path / user
        shutil.copytree(project_dir, root)
        set_server(root, Server.parse(psycopg.conninfo.make_conninfo(target, user=user)))
        return root

    anna, lena = folder_of("anna"), folder_of("lena")
    capsys.readouterr()
    assert main(["code", "-p", str(anna), "r1:1", "ledning", "--coder", "anna"]) == 0
    # Without --coder a coder codes as their login, not as 'default' (which is refused).
    assert main(["code", "-p", str(anna), "r1:1", "individ"]) == 0
    for coder in ("bertil", CONSENSUS_CODER):
        assert main(["code", "-p", str(anna), "r1:2", "ledning", "--coder", coder]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert "own name" in err[0] and "--coder anna" in err[0]
    assert "Only the project lead writes the consensus" in err[1]
    args = ["resolve", "-p", str(anna), "r1:1", "--code", "ledning", "--memo", "Enig."]
    assert main(args) == 2
    assert "Only the project lead" in capsys.readouterr().err
    with open_project(anna) as p:
        with pytest.raises(ProjectError, match="own name"):
            p.store.remove_coding(theirs.id)  # someone else's work
        with pytest.raises(ProjectError, match="own name"):
            p.store.update_coding(theirs.id, valence=Valence.HINDERING)
        assert {c.coder for c in p.store.codings()} == {"anna", "bertil"}

    # The lead (a member of the lead role, not the tables' owner) resolves.
    with open_project(lena) as p:
        made = resolve(p, first, [("ledning", Valence.NONE)], "Enig.")
        assert [c.coder for c in made] == [CONSENSUS_CODER]
        # Managing roles is the server's business: lena has no CREATEROLE.
        with pytest.raises(ProjectError, match="needs CREATEROLE") as err:
            set_up_roles(p.store, {"anna": "coder"})
        assert "'lena'" in str(err.value) and "permission denied" not in str(err.value)
    capsys.readouterr()
    assert main(["db", "roles", "-p", str(lena), "--grant", "anna=coder"]) == 2
    out = capsys.readouterr().err
    assert "needs CREATEROLE" in out and "Ask the project lead" not in out
    # A coder is not told to get CREATEROLE: db roles is the lead's; a wrong role is
    # said before any question of rights.
    assert main(["db", "roles", "-p", str(anna), "--grant", "bertil=coder"]) == 2
    out = " ".join(capsys.readouterr().err.split())
    assert "the project lead's command" in out and "ALTER ROLE" not in out
    assert main(["db", "roles", "-p", str(anna), "--grant", "anna=boss"]) == 2
    assert "Unknown role 'boss'" in capsys.readouterr().err
    # After an upgrade of qualkit, a coder who opens the study before the lead hears that
    # the owner upgrades it, not "permission denied for schema public".
    with open_project(anna) as p:
        newer = (*MIGRATIONS, "CREATE TABLE IF NOT EXISTS later_step (x INTEGER);")
        upgrade = r"needs an upgrade .* only the owner of its tables \(\w+\) may make"
        with pytest.raises(ProjectError, match=upgrade):
            pg_schema.migrate(cast(PgConnection, p.store._db), newer)
        assert pg_schema.schema_version(cast(PgConnection, p.store._db)) == len(MIGRATIONS)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_study_without_roles_keeps_working(project_dir: Path) -> None:
    # The owner (here the server's administrator) writes under any name, as before roles.
    store = Store(project_dir / "x.db", server=Server.parse(_conninfo(project_dir)))
    try:
        rec = store.add_recording("r1")
        store.replace_segments(rec.id, [("A", "Text.", 0.0, 1.0, (), False)])
        seg = store.segments(rec.id)[0]
        store.add_coding(seg.id, "danermark", "ledning", coder="bertil")
        store.add_coding(seg.id, "danermark", "ledning", coder=CONSENSUS_CODER)
    finally:
        store.close()


def _conninfo(root: Path) -> str:
    with open_project(root) as p:
        assert p.store.server is not None
        return p.store.server.conninfo


def test_without_coder_a_team_member_codes_as_themselves_on_sqlite_as_default(
    tmp_path: Path,
) -> None:
    from qualkit.project import init_project
    from qualkit.resolve import default_coder

    init_project(tmp_path / "p").close()
    with open_project(tmp_path / "p") as project:
        assert default_coder(project.store) == "default"  # one user, no login


def test_a_coder_corrects_text_and_undoes_a_split_whoever_coded_it(tmp_path: Path) -> None:
    """Correcting the transcript is a coder's work: the spans on it follow, whoever coded
    them. Simulated on SQLite as a signed-in coder 'anna' of a team's study."""
    from qualkit.project import init_project
    from qualkit.undo import UndoStack

    init_project(tmp_path / "p").close()
    (tmp_path / "fg.txt").write_text(
        "Moderator: Hej.\nEva: Det saknas resurser och tid för samverkan här.\n",
        encoding="utf-8",
    )
    with open_project(tmp_path / "p") as project:
        project.import_transcript(tmp_path / "fg.txt")
        seg = project.segment("fg:2")
        theirs = project.add_coding("fg:2", "stabila_org", coder="Bo", span=(4, 20))
        project.store.set_partner_actor(theirs.id, "FK")
        project.store.server = object()  # type: ignore[assignment]
        project.store._writer = ("anna", False)
        undo = UndoStack(project, coder="anna")
        undo.edit_text(seg.id, "Nu: Det saknas resurser och tid för samverkan här.")
        undo.undo()  # the span and its partner actor come back as they were
        back = project.store.coding(theirs.id)
        assert (back.span_start, back.span_end, back.partner_actor) == (4, 20, "FK")
        undo.redo()
        # Someone else's coding itself stays theirs, also when the name differs in case.
        with pytest.raises(ProjectError, match="own name"):
            project.store.remove_coding(theirs.id)
        mine = project.add_coding("fg:1", "ledning", coder="Anna")
        project.store.remove_coding(mine.id)


# ------------------------------------------- the server's own rule, around qualkit
# Logins are the server's, shared by every test's database: made once, by name.
def _user(pg_server: PgServer, user: str) -> None:
    with pg_server.admin() as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,)).fetchone() is None:
            conn.execute(f'CREATE ROLE "{user}" LOGIN')


@dataclass(frozen=True)
class TeamStudy:
    """A study on the server with roles, and another coder's (ulla's) work in it."""

    root: Path
    conninfo: str  # the owner's
    ids: dict[str, int]  # what the SQL below names: segments, codings, coders, a memo

    def connect(self, user: str) -> psycopg.Connection[tuple[object, ...]]:
        """A plain psql-like session as `user`: no qualkit between it and the server."""
        conninfo = psycopg.conninfo.make_conninfo(self.conninfo, user=user)
        return psycopg.connect(conninfo, autocommit=True)

    def folder(self, user: str, tmp_path: Path) -> Path:
        root = tmp_path / user
        shutil.copytree(self.root, root)
        set_server(root, Server.parse(psycopg.conninfo.make_conninfo(self.conninfo, user=user)))
        return root

    def rows(self) -> dict[str, list[tuple[object, ...]]]:
        with psycopg.connect(self.conninfo) as conn:  # the owner sees every row
            return {
                table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                for table in ("codings", "memos", "coders", "quote_pins", "suggestion_feedback")
            }


def _team_study(
    project_dir: Path, pg_server: PgServer, tmp_path: Path, grants: dict[str, str]
) -> TeamStudy:
    (tmp_path / "fg.txt").write_text(
        "Moderator: Hej och välkomna.\nEva: Det saknas resurser och tid för samverkan här.\n",
        encoding="utf-8",
    )
    with open_project(project_dir) as owner:
        assert owner.store.server is not None
        owner.import_transcript(tmp_path / "fg.txt")
        other = owner.store.add_recording("r2")
        owner.store.replace_segments(other.id, [("A", "Annat samtal.", 0.0, 1.0, (), False)])
        seg1, seg2 = owner.segment("fg:1").id, owner.segment("fg:2").id
        span = owner.add_coding(seg2, "stabila_org", coder="ulla", span=(4, 20))
        owner.store.set_partner_actor(span.id, "FK")
        owner.store.set_pinned(span.id, True)
        whole = owner.add_coding(seg2, "ledning", coder="ulla")
        consensus = owner.add_coding(seg2, "ledning", coder=CONSENSUS_CODER)
        memo = owner.store.add_memo("segment", str(seg2), "Ullas tanke.", coder="ulla")
        elsewhere = owner.store.segments(other.id)[0].id
        answer = owner.store.add_suggestion_feedback(
            elsewhere, "danermark", "ledning", False, "ulla"
        )
        ids = {
            "seg1": seg1,
            "seg2": seg2,
            "elsewhere": elsewhere,
            "theirs": span.id,
            "whole": whole.id,
            "consensus": consensus.id,
            "memo": memo.id,
            "answer": answer,
            "ulla": owner.store.ensure_coder("ulla").id,
            "konsensus": owner.store.ensure_coder(CONSENSUS_CODER).id,
            "pk": int(owner.store._rows("SELECT pk FROM codes WHERE key = 'ledning'")[0][0]),
        }
        conninfo = owner.store.server.conninfo
    args = ["db", "roles", "-p", str(project_dir)]
    for user, role in grants.items():
        _user(pg_server, user)
        args += ["--grant", f"{user}={role}"]
    assert main(args) == 0
    assert main(["db", "roles", "-p", str(project_dir)]) == 0  # again, as after an upgrade
    return TeamStudy(project_dir, conninfo, ids)


# Writes a coder must not make, whoever they ask: (SQL, what the refusal says).
OTHERS_WORK = (
    (
        "INSERT INTO codings(segment_id, code_pk, coder_id, created)"
        " VALUES ({seg1}, {pk}, {ulla}, 'nu')",
        "this coding is ulla's",
    ),
    (
        "INSERT INTO codings(segment_id, code_pk, coder_id, created)"
        " VALUES ({seg1}, {pk}, {konsensus}, 'nu')",
        "Only the project lead writes the consensus",
    ),
    # A split copies ulla's coding onto the next segment only, exactly as it is.
    (
        "INSERT INTO codings(segment_id, code_pk, valence, coder_id, created, memo)"
        " SELECT {seg1}, code_pk, valence, coder_id, created, memo FROM codings"
        " WHERE id = {whole}",
        "this coding is ulla's",
    ),
    ("UPDATE codings SET valence = 'hindrande' WHERE id = {theirs}", "this coding is ulla's"),
    ("UPDATE codings SET code_pk = {pk} WHERE id = {theirs}", "this coding is ulla's"),
    ("UPDATE codings SET memo = 'Mitt nu.' WHERE id = {theirs}", "this coding is ulla's"),
    ("UPDATE codings SET partner_actor = NULL WHERE id = {theirs}", "this coding is ulla's"),
    ("UPDATE codings SET coder_id = {olle} WHERE id = {theirs}", "this coding is ulla's"),
    # A span moves with its words, but not together with anything else...
    (
        "UPDATE codings SET span_start = 0, span_end = 3, valence = 'förslag' WHERE id = {theirs}",
        "this coding is ulla's",
    ),
    # ... and never to another recording's words.
    (
        "UPDATE codings SET segment_id = {elsewhere}, span_start = NULL, span_end = NULL"
        " WHERE id = {theirs}",
        "this coding is ulla's",
    ),
    ("UPDATE codings SET valence = 'hindrande' WHERE id = {consensus}", "Only the project lead"),
    ("DELETE FROM codings WHERE id = {theirs}", "this coding is ulla's"),
    ("DELETE FROM codings WHERE id = {consensus}", "Only the project lead"),
    # Deleting the turn would take ulla's codings with it.
    ("DELETE FROM segments WHERE id = {seg2}", "this coding is ulla's"),
    (
        "INSERT INTO memos(target, target_id, text, coder_id, created)"
        " VALUES ('segment', '{seg1}', 'Ullas?', {ulla}, 'nu')",
        "this memo is ulla's",
    ),
    ("UPDATE memos SET text = 'Min tanke.' WHERE id = {memo}", "this memo is ulla's"),
    ("UPDATE memos SET coder_id = {olle} WHERE id = {memo}", "this memo is ulla's"),
    ("DELETE FROM memos WHERE id = {memo}", "this memo is ulla's"),
    # A pin is its coding's; an answer to a suggestion is its coder's.
    ("INSERT INTO quote_pins(coding_id, created) VALUES ({whole}, 'nu')", "pinned on ulla's"),
    ("DELETE FROM quote_pins WHERE coding_id = {theirs}", "pinned on ulla's coding"),
    ("UPDATE quote_pins SET coding_id = {whole} WHERE coding_id = {theirs}", "pinned on ulla's"),
    (
        "INSERT INTO suggestion_feedback(segment_id, codebook, code, accepted, coder_id, created)"
        " VALUES ({seg2}, 'danermark', 'ledning', 1, {ulla}, 'nu')",
        "this answer to a suggestion is ulla's",
    ),
    ("UPDATE suggestion_feedback SET accepted = 1 WHERE id = {answer}", "suggestion is ulla's"),
    ("UPDATE suggestion_feedback SET coder_id = {olle} WHERE id = {answer}", "is ulla's"),
    ("DELETE FROM suggestion_feedback WHERE id = {answer}", "suggestion is ulla's"),
    # Renamed to one's own name, ulla's codings would pass as one's own.
    ("UPDATE coders SET name = 'olle2' WHERE id = {ulla}", "'ulla' is another coder's name"),
    ("DELETE FROM coders WHERE id = {ulla}", "'ulla' is another coder's name"),
    ("INSERT INTO coders(name) VALUES ('bertil')", "'bertil' is another coder's name"),
)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_server_refuses_a_coder_who_writes_others_work_around_qualkit(
    project_dir: Path, pg_server: PgServer, tmp_path: Path
) -> None:
    study = _team_study(project_dir, pg_server, tmp_path, {"olle": "coder"})
    with study.connect("olle") as olle:
        # One's own coder row, in any case: the name is the login's, case aside.
        olle.execute("INSERT INTO coders(name) VALUES ('Olle')")
        me = olle.execute("SELECT id FROM coders WHERE name = 'Olle'").fetchone()
        assert me is not None
        ids = {**study.ids, "olle": int(str(me[0]))}
        before = study.rows()
        for sql, said in OTHERS_WORK:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=said) as err:
                olle.execute(sql.format(**ids))
            assert "(olle)" in str(err.value) or "olle is not the lead" in str(err.value), sql
        # Neither another role of one's own nor a table that shadows the coders helps.
        olle.execute(f'SET ROLE "{group_name(_database(study), "coder")}"')
        olle.execute("CREATE TEMP TABLE coders (id BIGINT, name TEXT)")
        olle.execute("INSERT INTO coders VALUES (%s, 'olle')", (ids["ulla"],))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="ulla's"):
            olle.execute("DELETE FROM public.codings WHERE id = %s", (ids["theirs"],))
        assert study.rows() == before  # nothing of ulla's, nor the consensus, changed


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_server_lets_a_coder_write_their_own_and_move_others_spans(
    project_dir: Path, pg_server: PgServer, tmp_path: Path
) -> None:
    study = _team_study(project_dir, pg_server, tmp_path, {"olle": "coder", "greta": "lead"})
    ids = study.ids
    with study.connect("olle") as olle:
        olle.execute("INSERT INTO coders(name) VALUES ('olle')")
        me = olle.execute("SELECT id FROM coders WHERE name = 'olle'").fetchone()
        assert me is not None
        sql = (
            "INSERT INTO codings(segment_id, code_pk, coder_id, created)"
            " VALUES (%s, %s, %s, 'nu') RETURNING id"
        )
        row = olle.execute(sql, (ids["seg1"], ids["pk"], me[0])).fetchone()
        assert row is not None
        mine = row[0]
        olle.execute(
            "UPDATE codings SET valence = 'hindrande', memo = 'Mitt.' WHERE id = %s", (mine,)
        )
        olle.execute("DELETE FROM codings WHERE id = %s", (mine,))
        memo = olle.execute(
            "INSERT INTO memos(target, target_id, text, coder_id, created)"
            " VALUES ('segment', '1', 'Min.', %s, 'nu') RETURNING id",
            (me[0],),
        ).fetchone()
        assert memo is not None
        olle.execute("UPDATE memos SET text = 'Min tanke.' WHERE id = %s", (memo[0],))
        olle.execute("DELETE FROM memos WHERE id = %s", (memo[0],))
        # One's own pins and answers; a pinned coding removed takes its pin with it.
        row = olle.execute(sql, (ids["seg1"], ids["pk"], me[0])).fetchone()
        assert row is not None
        olle.execute("INSERT INTO quote_pins(coding_id, created) VALUES (%s, 'nu')", (row[0],))
        olle.execute("DELETE FROM quote_pins WHERE coding_id = %s", (row[0],))
        olle.execute("INSERT INTO quote_pins(coding_id, created) VALUES (%s, 'nu')", (row[0],))
        olle.execute("DELETE FROM codings WHERE id = %s", (row[0],))
        assert olle.execute("SELECT count(*) FROM quote_pins").fetchone() == (1,)  # ulla's
        answer = olle.execute(
            "INSERT INTO suggestion_feedback(segment_id, codebook, code, accepted, coder_id,"
            " created) VALUES (%s, 'danermark', 'ledning', 1, %s, 'nu') RETURNING id",
            (ids["seg1"], me[0]),
        ).fetchone()
        assert answer is not None
        olle.execute("UPDATE suggestion_feedback SET accepted = 0 WHERE id = %s", (answer[0],))
        olle.execute("DELETE FROM suggestion_feedback WHERE id = %s", (answer[0],))
        # A corrected transcript moves ulla's span and the consensus's with the words.
        olle.execute(
            "UPDATE codings SET span_start = 5, span_end = 21 WHERE id = %s", (ids["theirs"],)
        )
        olle.execute(
            "UPDATE codings SET span_start = 0, span_end = 3 WHERE id = %s", (ids["consensus"],)
        )
        moved = olle.execute(
            "SELECT span_start, partner_actor FROM codings WHERE id = %s", (ids["theirs"],)
        )
        assert moved.fetchone() == (5, "FK")
        # A turn joined away (no codings on it) takes ulla's answer about it along.
        olle.execute("DELETE FROM segments WHERE id = %s", (ids["elsewhere"],))
        gone = olle.execute(
            "SELECT count(*) FROM suggestion_feedback WHERE id = %s", (ids["answer"],)
        )
        assert gone.fetchone() == (0,)
    with study.connect("greta") as greta:  # the lead writes anyone's, the consensus included
        greta.execute("UPDATE codings SET valence = 'förslag' WHERE id = %s", (ids["theirs"],))
        greta.execute("DELETE FROM codings WHERE id = %s", (ids["consensus"],))
        greta.execute("DELETE FROM memos WHERE id = %s", (ids["memo"],))

    # Through qualkit, the same refusal comes as one line, saying the rule.
    store = Store(project_dir / "x.db", server=Server.parse(_as(study, "olle")))
    try:
        store._writer = ("olle", True)  # as if qualkit's own check had let it through
        with pytest.raises(ProjectError) as err:
            store.update_coding(ids["whole"], valence=Valence.HINDERING)
        said = str(err.value)
        assert "\n" not in said
        assert "a coder writes only their own codings, memos, quote pins" in said
        assert "this coding is ulla's" in said and "refused it; nothing was written" in said
        assert error_text(err.value, "sv").startswith("I ett teams studie skriver en kodare")
        with pytest.raises(ProjectError, match="Only the project lead writes the consensus") as err:
            store.add_coding(ids["seg1"], "danermark", "ledning", coder=CONSENSUS_CODER)
        assert error_text(err.value, "sv").startswith("Bara projektledaren skriver konsensus")
        assert store.coding(ids["whole"]).valence == Valence.NONE
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_coder_corrects_and_undoes_on_the_server_whoever_coded_the_words(
    project_dir: Path, pg_server: PgServer, tmp_path: Path
) -> None:
    from qualkit.undo import UndoStack

    study = _team_study(project_dir, pg_server, tmp_path, {"olle": "coder", "greta": "lead"})
    ids = study.ids
    with open_project(study.folder("olle", tmp_path)) as project:
        undo = UndoStack(project, coder="olle")
        mine = undo.add_coding(ids["seg1"], "ledning", span=(0, 3))
        undo.undo()
        undo.redo()  # back with its old id
        assert project.store.coding(mine.id).coder == "olle"
        undo.set_valence(mine.id, Valence.PROMOTING)
        undo.undo()

        undo.edit_text(ids["seg2"], "Nu saknas resurser och tid för samverkan här.")
        undo.undo()
        theirs = project.store.coding(ids["theirs"])
        assert (theirs.span_start, theirs.span_end, theirs.partner_actor) == (4, 20, "FK")
        undo.redo()

        before = project.store.codings(segment_id=ids["seg2"])
        left, right = undo.split(ids["seg2"], 3)  # "Nu" | "saknas resurser ..."
        assert project.store.coding(ids["theirs"]).segment_id == right.id
        # ulla's and the consensus's codings of the whole turn code both parts: the
        # server lets olle's split copy them, and his undo and join take the copies away.
        copies = [c for c in project.store.codings(segment_id=right.id) if c.span_start is None]
        assert sorted((c.coder, c.code) for c in copies) == [
            (CONSENSUS_CODER, "ledning"),
            ("ulla", "ledning"),
        ]
        undo.undo()  # ulla's span goes back where it was; her pin stays on it
        assert project.store.codings(segment_id=ids["seg2"]) == before
        undo.redo()
        assert len(project.store.codings(segment_id=right.id)) == 3
        undo.merge(left.id, right.id)  # the halves join into one again, copies and all
        assert project.store.codings(segment_id=ids["seg2"]) == before
        undo.undo()
        undo.undo()
        joined = undo.merge(ids["seg1"], ids["seg2"], different_speakers=True)
        assert project.store.coding(ids["theirs"]).segment_id == joined.id
        undo.undo()
        undo.redo()
        undo.undo()
        undo.undo()  # the text edit too: everything as ulla coded it
        back = project.store.coding(ids["theirs"])
        assert (back.segment_id, back.span_start, back.span_end) == (ids["seg2"], 4, 20)
        assert back.partner_actor == "FK"
        assert project.store.coding(ids["consensus"]).coder == CONSENSUS_CODER
        assert project.store.pinned_codings() == {ids["theirs"]}
        assert left.id == ids["seg2"]

    with open_project(study.folder("greta", tmp_path)) as project:
        made = resolve(project, ids["seg1"], [("ledning", Valence.NONE)], "Enig.")
        assert [c.coder for c in made] == [CONSENSUS_CODER]


def _as(study: TeamStudy, user: str) -> str:
    return psycopg.conninfo.make_conninfo(study.conninfo, user=user)


def _database(study: TeamStudy) -> str:
    return str(psycopg.conninfo.conninfo_to_dict(study.conninfo)["dbname"])
