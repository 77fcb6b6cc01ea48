"""A team's study: a coder codes under their own name, only the lead writes the consensus,
and `db roles` says when the server account lacks CREATEROLE."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from qualkit.cli import main
from qualkit.consensus import resolve
from qualkit.errors import ProjectError
from qualkit.model import CONSENSUS_CODER, Valence
from qualkit.project import open_project, set_server
from qualkit.store import Server, Store
from qualkit.store.roles import check_writes_as, set_up_roles
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
