"""Backups, restore, rotation, and a damaged database that refuses to open with a hint."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from qualkit.backup import auto_backup, backup, list_backups, restore, restore_hint
from qualkit.cli import main
from qualkit.errors import InputError, ProjectError
from qualkit.project import DB_NAME, Project, open_project
from qualkit.store import Store


def _seed(project: Project) -> int:
    rec = project.store.add_recording("r")
    project.store.replace_segments(rec.id, [("A", "Mening.", None, None, (), False)])
    return rec.id


@contextmanager
def _store(path: Path) -> Iterator[Store]:
    store = Store(path, read_only=True)
    try:
        yield store
    finally:
        store.close()


def test_backup_and_restore_round_trip(project_dir: Path) -> None:
    with open_project(project_dir) as p:
        _seed(p)
        copy = backup(p)
        p.store.add_recording("later")
    assert copy.parent == project_dir / ".qualkit" / "backups"
    restore(project_dir, copy)
    with open_project(project_dir) as p:
        assert [r.name for r in p.recordings()] == ["r"]
    # The state before the restore was kept.
    assert any(b.name.startswith("before-restore-") for b in list_backups(project_dir))


def test_restore_refuses_a_file_that_is_not_a_backup(project_dir: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InputError):
        restore(project_dir, junk)
    with pytest.raises(InputError):
        restore(project_dir, tmp_path / "missing.db")


def test_auto_backup_rotates(project_dir: Path) -> None:
    with open_project(project_dir) as p:
        _seed(p)
        made = [auto_backup(p, interval_s=0, keep=3) for _ in range(5)]
        assert all(m is not None for m in made)
        autos = [b for b in list_backups(project_dir) if b.name.startswith("auto-")]
        assert len(autos) == 3
        # Within the interval nothing new is written.
        assert auto_backup(p, interval_s=3600, keep=3) is None
    assert not list((project_dir / ".qualkit" / "backups").glob("*.tmp"))


def _autos(root: Path) -> list[Path]:
    return [b for b in list_backups(root) if b.name.startswith("auto-")]


def test_opening_a_project_makes_an_automatic_backup(project_dir: Path) -> None:
    with open_project(project_dir) as p:
        _seed(p)
    for b in _autos(project_dir):
        b.unlink()
    open_project(project_dir).close()
    assert len(_autos(project_dir)) == 1


def test_an_empty_project_is_never_backed_up_automatically(project_dir: Path) -> None:
    """The backup from `init` was the only one, and restoring it emptied the project."""
    open_project(project_dir).close()
    assert _autos(project_dir) == []


def test_new_material_is_backed_up_when_the_project_closes(project_dir: Path) -> None:
    """An import within the hour after the last backup is still in the newest backup."""
    with open_project(project_dir) as p:
        _seed(p)
    first = _autos(project_dir)
    assert len(first) == 1
    with open_project(project_dir) as p:  # within the interval: nothing new on open
        assert _autos(project_dir) == first
        rec = p.store.add_recording("second")
        p.store.replace_segments(rec.id, [("A", "Mer.", None, None, (), False)])
    newest = _autos(project_dir)[-1]
    assert newest not in first
    with _store(newest) as store:
        assert store.content_counts()["recordings"] == 2


def test_restore_hint_names_date_and_contents(project_dir: Path) -> None:
    assert restore_hint(project_dir) == "No backup was found in .qualkit/backups/."
    with open_project(project_dir) as p:
        empty = backup(p)  # a manual backup of the empty project
    hint = restore_hint(project_dir)
    assert "qualkit restore" not in hint
    assert "holds any recordings" in hint and empty.name in hint
    with open_project(project_dir) as p:
        _seed(p)
    hint = restore_hint(project_dir)
    assert "1 recording, 0 codings" in hint and "qualkit restore" in hint
    assert time.strftime("%Y-%m-%d") in hint
    with open_project(project_dir) as p:
        newer_empty = backup(p, project_dir / ".qualkit" / "backups" / "zz.db")
    newer_empty.write_bytes(b"junk" * 100)
    hint = restore_hint(project_dir)
    assert "nothing to restore: zz.db" in hint and "cannot be read" in hint
    assert "zz.db -p" not in hint


def test_restore_leaves_nothing_beside_the_backup(project_dir: Path) -> None:
    with open_project(project_dir) as p:
        _seed(p)
        copy = backup(p)
    # Backups taken before they left write-ahead logging open with a -wal and -shm.
    legacy = copy.with_name("legacy.db")
    legacy.write_bytes(copy.read_bytes())
    db = sqlite3.connect(legacy)
    db.execute("PRAGMA journal_mode = WAL")
    db.close()
    for source in (copy, legacy):
        restore(project_dir, source)
        assert sorted(p.name for p in source.parent.glob(source.name + "*")) == [source.name]
    assert restore_hint(project_dir).count("qualkit restore") == 1
    assert not list(copy.parent.glob("*-wal")) and not list(copy.parent.glob("*-shm"))


def test_damaged_database_gives_a_clear_error_with_restore_hint(project_dir: Path) -> None:
    with open_project(project_dir) as p:
        _seed(p)
        good = backup(p)
    db = project_dir / DB_NAME
    data = bytearray(db.read_bytes())
    # Scribble over every page after the header: the tables are gone.
    for i in range(4096, len(data), 7):
        data[i] = (data[i] + 101) % 256
    db.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        if (project_dir / f"{DB_NAME}{suffix}").exists():
            os.unlink(project_dir / f"{DB_NAME}{suffix}")
    with pytest.raises(ProjectError) as err:
        open_project(project_dir)
    assert "qualkit restore" in str(err.value) or "backups" in str(err.value)
    time.sleep(0.01)
    assert main(["restore", str(good), "-p", str(project_dir)]) == 0
    with open_project(project_dir) as p:
        assert [r.name for r in p.recordings()] == ["r"]
        assert p.store.integrity_check() == "ok"


def test_backup_cli(project_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy.db"
    assert main(["backup", "-p", str(project_dir), "-o", str(out)]) == 0
    assert out.exists()
    assert main(["backup", "-p", str(project_dir), "--list"]) == 0


@pytest.mark.parametrize("emptied", ["truncated", "no tables"])
def test_emptied_database_is_refused_not_made_a_new_project(
    project_dir: Path, emptied: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_project(project_dir) as p:
        _seed(p)  # closing after new material takes an automatic backup
    good = list_backups(project_dir)[-1]
    db = project_dir / DB_NAME
    for side in project_dir.glob(f"{DB_NAME}-*"):
        side.unlink()
    db.write_bytes(b"")  # a failed copy, a sync tool that truncated it
    if emptied == "no tables":
        con = sqlite3.connect(db)
        con.executescript("CREATE TABLE t (a); DROP TABLE t;")
        con.close()
    before = db.read_bytes()
    backups = {b.name: b.stat().st_mtime_ns for b in list_backups(project_dir)}
    with pytest.raises(ProjectError) as err:
        open_project(project_dir)
    assert f"qualkit restore {good}" in str(err.value)
    assert main(["status", "-p", str(project_dir)]) != 0
    out = capsys.readouterr()
    assert "Nothing was written" in out.err and "Traceback" not in out.err
    # Nothing written into the file, no backup taken or rotated out.
    assert db.read_bytes() == before
    assert {b.name: b.stat().st_mtime_ns for b in list_backups(project_dir)} == backups
    time.sleep(0.01)
    assert main(["restore", str(good), "-p", str(project_dir)]) == 0
    with open_project(project_dir) as p:
        assert [r.name for r in p.recordings()] == ["r"]
