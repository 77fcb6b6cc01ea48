"""A team's study on a real PostgreSQL server: push and pull, attach, roles, credentials."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from qualkit.cli import main
from qualkit.errors import QualkitError
from qualkit.layout import DB_NAME, SERVER_FILE
from qualkit.project import Project, init_project, open_project
from qualkit.store import Server, Store
from qualkit.store.transfer import study_rows
from tests.pg_server import PgServer


def _sqlite_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    store = Store(path, read_only=True)
    try:
        return study_rows(store)
    finally:
        store.close()


def test_push_then_pull_gives_back_every_row(
    demo_project: Project, pg_server: PgServer, tmp_path: Path
) -> None:
    root = demo_project.root
    demo_project.store.set_meta("note", "50% klart; 'citat' ?")
    demo_project.store.put_embeddings("m", 2, [("h1", b"\x00\x01\xff")])
    demo_project.close()
    before = _sqlite_rows(root / DB_NAME)
    assert before["codings"] and before["segments"]
    url = pg_server.new_database()
    assert main(["db", "push", url, "-p", str(root)]) == 0
    # The copy on the server is read back by a second folder, then into a file.
    other = tmp_path / "other"
    other.mkdir()
    assert main(["db", "attach", url, "-p", str(other)]) == 0
    assert main(["db", "pull", "-p", str(other)]) == 0
    assert not (other / SERVER_FILE).exists()
    assert _sqlite_rows(other / DB_NAME) == before


def test_pushing_into_a_database_that_holds_a_study_is_refused(
    demo_project: Project, pg_server: PgServer
) -> None:
    root = demo_project.root
    demo_project.close()
    url = pg_server.new_database()
    assert main(["db", "push", url, "-p", str(root)]) == 0
    assert main(["db", "push", url, "-p", str(root)]) == 2


def test_attach_moves_the_records_and_keeps_no_password(
    demo_project: Project, pg_server: PgServer
) -> None:
    root = demo_project.root
    codings = len(demo_project.codings())
    demo_project.close()
    url = pg_server.new_database().replace("postgres@", "postgres:hemligt@")
    assert main(["db", "attach", url, "-p", str(root)]) == 0
    assert not (root / DB_NAME).exists()
    assert list((root / ".qualkit" / "backups").glob("before-attach-*.db"))
    written = (root / SERVER_FILE).read_text(encoding="utf-8")
    assert "hemligt" not in written and "127.0.0.1" in written
    with open_project(root) as project:
        assert project.store.server is not None
        assert len(project.codings()) == codings
        assert "hemligt" not in repr(project.store.server)
    # Nowhere in the folder: not in its files, its logs or its backups.
    for path in root.rglob("*"):
        if path.is_file():
            assert b"hemligt" not in path.read_bytes(), path


def test_init_with_a_database_keeps_files_in_the_folder(
    pg_server: PgServer, tmp_path: Path
) -> None:
    url = pg_server.new_database()
    assert main(["init", str(tmp_path / "team"), "--database", url]) == 0
    assert (tmp_path / "team" / "codebook").is_dir()
    assert not (tmp_path / "team" / DB_NAME).exists()
    assert main(["db", "status", "-p", str(tmp_path / "team")]) == 0
    assert main(["init", str(tmp_path / "team"), "--database", "not a database"]) == 2
    with open_project(tmp_path / "team") as project:
        assert "danermark" in project.store.codebook_ids()


def test_joining_a_study_takes_the_teams_codebook(pg_server: PgServer, tmp_path: Path) -> None:
    url = pg_server.new_database()
    with init_project(tmp_path / "lead", database=url) as lead:
        lead.update_code("danermark", "ledning", label_sv="Ledningens stöd")
    with init_project(tmp_path / "anna", database=url) as anna:
        assert anna.codebook("danermark").code("ledning").label_sv == "Ledningens stöd"
    assert "Ledningens stöd" in (tmp_path / "anna" / "codebook" / "danermark.yaml").read_text(
        encoding="utf-8"
    )


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QualkitError, match="Cannot reach"):
        Store(tmp_path / "x.db", server=Server.parse("postgresql://127.0.0.1:1/none"), timeout=0)


def _login(pg_server: PgServer, user: str) -> None:
    with pg_server.admin() as conn:
        conn.execute(f'CREATE ROLE "{user}" LOGIN')  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_server_refuses_a_reader_who_codes(project_dir: Path, pg_server: PgServer) -> None:
    server = open_project(project_dir)
    try:
        assert server.store.server is not None
        rec = server.store.add_recording("r1")
        server.store.replace_segments(rec.id, [("A", "Vi ringer varandra.", 0.0, 1.0, (), False)])
        seg = server.store.segments(rec.id)[0]
        server.add_coding(seg.id, "ledning", coder="lead")
        _login(pg_server, "rita")
        _login(pg_server, "carl")
        assert main(["db", "roles", "-p", str(project_dir), "--grant", "rita=reader"]) == 0
        assert main(["db", "roles", "-p", str(project_dir), "--grant", "carl=coder"]) == 0
        target = server.store.server.conninfo
    finally:
        server.close()

    def as_user(user: str) -> Store:
        conninfo = psycopg.conninfo.make_conninfo(target, user=user)
        return Store(project_dir / DB_NAME, server=Server.parse(conninfo))

    reader = as_user("rita")
    try:
        assert len(reader.codings()) == 1  # reads, for reports
        with pytest.raises(QualkitError, match="role may not"):
            reader.add_coding(seg.id, "danermark", "ledning", coder="rita")
        with pytest.raises(QualkitError, match="role may not"):
            reader.upsert_codebook(reader.codebook("danermark"))
    finally:
        reader.close()
    coder = as_user("carl")
    try:
        coder.add_coding(seg.id, "danermark", "ledning", coder="carl")
        with pytest.raises(QualkitError, match="role may not"):
            coder.add_recording("r2")  # the lead's job
        assert len(coder.codings()) == 2
    finally:
        coder.close()


def test_a_lead_who_does_not_own_the_study_database_is_told_who_must(
    pg_server: PgServer, tmp_path: Path
) -> None:
    # `createdb studie` by the administrator, then `db attach` as the lead: on PostgreSQL
    # 15 only the database's owner may create tables in schema public.
    _login(pg_server, "lena_not_owner")
    url = psycopg.conninfo.make_conninfo(pg_server.new_database(), user="lena_not_owner")
    with pytest.raises(QualkitError) as err:
        Store(tmp_path / "x.db", server=Server.parse(url))
    said = str(err.value)
    assert "owner must be the project lead" in said and "createdb -O lena_not_owner" in said
    assert "Ask the project lead" not in said


def _refusing(message: str) -> object:
    def connect_once(_self: object) -> object:
        raise psycopg.OperationalError(message)

    return connect_once


def test_a_wrong_password_is_not_reported_as_a_missing_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from qualkit.store.pg import PgConnection

    monkeypatch.setattr(
        PgConnection,
        "_connect_once",
        _refusing(
            'connection failed: connection to server at "10.0.0.5", port 5432 failed: '
            'FATAL:  password authentication failed for user "anna"'
        ),
    )
    with pytest.raises(QualkitError) as err:
        Store(tmp_path / "x.db", server=Server.parse("postgresql://anna@dbserver/studie"))
    said = str(err.value)
    assert "refused the password for user anna" in said and "~/.pgpass" in said
    assert "wants a password" not in said


def test_a_missing_password_names_the_user_tried(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from qualkit.store.pg import PgConnection

    monkeypatch.setattr(
        PgConnection,
        "_connect_once",
        _refusing("connection failed: fe_sendauth: no password supplied"),
    )
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(QualkitError) as err:
        Store(tmp_path / "x.db", server=Server.parse("postgresql://anna@dbserver/studie"))
    said = str(err.value)
    assert "wants a password for user anna and none was given" in said


def test_a_plain_pull_says_the_folder_left_the_server_and_the_way_back(
    demo_project: Project, pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    root = demo_project.root
    demo_project.close()
    url = pg_server.new_database()
    assert main(["db", "attach", url, "-p", str(root)]) == 0
    capsys.readouterr()
    assert main(["db", "pull", "-p", str(root)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "no longer uses" in said and "the team does not see them" in said
    assert "--replace-local" in said
    # Both hold the study now: a plain attach is refused and names the way back.
    assert main(["db", "attach", url, "-p", str(root)]) == 2
    assert "--replace-local" in " ".join(capsys.readouterr().err.split())
    assert main(["db", "attach", url, "-p", str(root), "--replace-local"]) == 0
    assert (root / SERVER_FILE).exists() and not (root / DB_NAME).exists()
    assert any(
        p.name.startswith("before-attach-") for p in (root / ".qualkit" / "backups").iterdir()
    )
    with open_project(root) as back:
        assert back.store.server is not None and back.store.codings()
