from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qualkit.errors import InputError, NotFoundError, ProjectError
from qualkit.model import Code, Valence, Word
from qualkit.project import Project
from qualkit.store import SCHEMA_VERSION, Store
from qualkit.store.schema import MIGRATIONS, migrate, statements

# Every test here that uses a project runs on SQLite and on a PostgreSQL server.
pytestmark = pytest.mark.both_backends


def _rec_with_segments(project: Project, texts: list[str]) -> int:
    rec = project.store.add_recording("r1")
    project.store.replace_segments(
        rec.id,
        [
            (
                "Anna",
                t,
                float(i),
                float(i) + 1,
                (Word(float(i), float(i) + 0.5, t.split()[0]),),
                False,
            )
            for i, t in enumerate(texts)
        ],
    )
    return rec.id


def test_schema_version_and_wal(project: Project, backend: str) -> None:
    assert project.store.schema_version() == SCHEMA_VERSION
    if backend == "sqlite":
        mode = project.store._rows("PRAGMA journal_mode")[0][0]
        assert mode == "wal"
    assert project.store.integrity_check() == "ok"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    con = sqlite3.connect(db)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    con.close()
    with pytest.raises(ProjectError, match="newer qualkit"):
        Store(db)


def test_migrations_run_whole_statements(tmp_path: Path) -> None:
    """A trigger body and a string holding ";" are one statement each, not pieces."""
    extra = """
    CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
    INSERT INTO notes(text) VALUES ('first; second');
    -- a comment; with a semicolon
    CREATE TRIGGER IF NOT EXISTS notes_stamp AFTER INSERT ON notes BEGIN
        UPDATE notes SET text = text || '; stamped' WHERE id = new.id;
        INSERT INTO meta(key, value) VALUES ('last_note', new.id)
            ON CONFLICT(key) DO UPDATE SET value = excluded.value;
    END;
    """
    assert len(list(statements(extra))) == 3
    db = tmp_path / "x.db"
    con = sqlite3.connect(db, isolation_level=None)
    migrate(con, db, (*MIGRATIONS, extra))
    assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
    assert con.execute("SELECT text FROM notes").fetchall() == [("first; second",)]
    con.execute("INSERT INTO notes(text) VALUES ('x')")
    assert con.execute("SELECT text FROM notes WHERE id = 2").fetchone() == ("x; stamped",)
    assert con.execute("SELECT value FROM meta WHERE key = 'last_note'").fetchone() == ("2",)
    con.close()


def test_a_failing_migration_leaves_the_version_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    con = sqlite3.connect(db, isolation_level=None)
    broken = "CREATE TABLE IF NOT EXISTS fine (a); INSERT INTO nowhere VALUES (1);"
    with pytest.raises(sqlite3.OperationalError):
        migrate(con, db, (*MIGRATIONS, broken))
    assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert con.execute("SELECT name FROM sqlite_master WHERE name = 'fine'").fetchone() is None
    con.close()


def test_garbage_database_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    db.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ProjectError, match="not a readable qualkit database"):
        Store(db)


def test_coding_round_trip_and_validation(project: Project) -> None:
    rid = _rec_with_segments(project, ["Chefen ger oss tid.", "Vi vet inte vem vi ska ringa."])
    seg = project.store.segments(rid)[0]
    c = project.add_coding(seg.id, "ledning", valence="främjande", coder="eva", memo="bra")
    assert (c.code, c.valence, c.coder, c.memo) == ("ledning", Valence.PROMOTING, "eva", "bra")
    with pytest.raises(NotFoundError, match="Unknown code 'nope'"):
        project.add_coding(seg.id, "nope")
    with pytest.raises(InputError, match="outside the segment"):
        project.add_coding(seg.id, "ledning", span=(0, 999))
    with pytest.raises(InputError, match="Unknown valence"):
        project.add_coding(seg.id, "ledning", valence="kanske")
    assert len(project.codings()) == 1


def test_segment_reference_forms(project: Project) -> None:
    rid = _rec_with_segments(project, ["Ett.", "Två.", "Tre."])
    segs = project.store.segments(rid)
    assert project.segment("r1:2").id == segs[1].id
    assert project.segment(str(segs[2].id)).id == segs[2].id
    with pytest.raises(NotFoundError, match="segments 1-3"):
        project.segment("r1:9")
    with pytest.raises(InputError):
        project.segment("r1-2")


def test_split_and_merge_keep_codings(project: Project) -> None:
    rid = _rec_with_segments(project, ["Ledningen prioriterar. Men rutinerna saknas.", "Slut."])
    seg = project.store.segments(rid)[0]
    whole = project.add_coding(seg.id, "ledning")
    span = project.add_coding(seg.id, "arbetsstruktur", span=(27, 44))
    left, right = project.store.split_segment(seg.id, 22)
    assert left.text == "Ledningen prioriterar." and right.text == "Men rutinerna saknas."
    assert project.store.coding(whole.id).segment_id == left.id
    moved = project.store.coding(span.id)
    assert moved.segment_id == right.id
    assert right.text[moved.span_start : moved.span_end] == "rutinerna saknas."
    assert [s.idx for s in project.store.segments(rid)] == [0, 1, 2]
    joined = project.store.merge_segments(left.id, right.id)
    back = project.store.coding(span.id)
    assert joined.text[back.span_start : back.span_end] == "rutinerna saknas."
    assert len(project.codings()) == 2


def test_codebook_edits_keep_codings_and_write_yaml(project: Project) -> None:
    rid = _rec_with_segments(project, ["Text ett.", "Text två."])
    s1, s2 = project.store.segments(rid)
    a = project.add_coding(s1.id, "ledning")
    b = project.add_coding(s2.id, "ledning")
    project.rename_code("danermark", "ledning", label_sv="Ledning som prioriterar")
    project.add_code(Code("danermark", "mandat", "Mandat", parent="ledning"))
    project.split_code("danermark", "ledning", Code("danermark", "tid", "Tid"), [b.id])
    assert project.store.coding(b.id).code == "tid"
    project.move_code("danermark", "tid", "ledning")
    with pytest.raises(InputError, match="cycle"):
        project.move_code("danermark", "ledning", "tid")
    assert project.merge_codes("danermark", "tid", "ledning") == 1
    assert {c.code for c in project.codings()} == {"ledning"}
    assert project.store.coding(a.id).code == "ledning"
    text = (project.codebook_dir / "danermark.yaml").read_text(encoding="utf-8")
    assert "Ledning som prioriterar" in text and "mandat" in text and "id: tid" not in text
    # Re-opening does not re-import (hash recorded) and keeps the edits.
    project.close()
    again = Project(project.root)
    assert again.codebook("danermark").code("ledning").label_sv == "Ledning som prioriterar"
    again.close()


def test_delete_code_with_codings_is_refused(project: Project) -> None:
    rid = _rec_with_segments(project, ["Text."])
    project.add_coding(project.store.segments(rid)[0].id, "individ")
    with pytest.raises(InputError, match="merge it into another code"):
        project.delete_code("danermark", "individ")


def test_replace_segments_refuses_to_orphan_codings(project: Project) -> None:
    rid = _rec_with_segments(project, ["Text."])
    project.add_coding(project.store.segments(rid)[0].id, "individ")
    with pytest.raises(InputError, match="already has 1 codings"):
        project.store.replace_segments(rid, [("A", "Ny", None, None, (), False)])
    assert project.store.segments(rid)[0].text == "Text."


def test_merge_speakers(project: Project) -> None:
    rec = project.store.add_recording("r")
    project.store.replace_segments(
        rec.id, [("S1", "a", 0.0, 2.0, (), False), ("S2", "b", 2.0, 5.0, (), False)]
    )
    s1, s2 = project.store.speakers(rec.id)
    merged = project.store.merge_speakers(s1.id, s2.id)
    assert merged.talk_time_s == pytest.approx(5.0)
    assert len(project.store.speakers(rec.id)) == 1


def test_undo_restore_coding(project: Project) -> None:
    rid = _rec_with_segments(project, ["Text."])
    c = project.add_coding(project.store.segments(rid)[0].id, "individ", memo="m")
    removed = project.store.remove_coding(c.id)
    assert project.codings() == []
    assert project.store.restore_coding(removed) == c


def test_codings_frame(demo_project: Project) -> None:
    df = demo_project.codings_frame()
    assert len(df) == 15
    assert set(df["actor"]) <= {"kommun", "vård", "FK", "AF"}
    assert "real_name" not in df.columns
