"""Backups, restore, rotation, and a damaged database that refuses to open with a hint."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from qualkit.backup import auto_backup, backup, list_backups, restore
from qualkit.cli import main
from qualkit.errors import InputError, ProjectError
from qualkit.project import DB_NAME, Project, open_project


def _seed(project: Project) -> int:
    rec = project.store.add_recording("r")
    project.store.replace_segments(rec.id, [("A", "Mening.", None, None, (), False)])
    return rec.id


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
        made = [auto_backup(p, interval_s=0, keep=3) for _ in range(5)]
        assert all(m is not None for m in made)
        autos = [b for b in list_backups(project_dir) if b.name.startswith("auto-")]
        assert len(autos) == 3
        # Within the interval nothing new is written.
        assert auto_backup(p, interval_s=3600, keep=3) is None
    assert not list((project_dir / ".qualkit" / "backups").glob("*.tmp"))


def test_opening_a_project_makes_an_automatic_backup(project_dir: Path) -> None:
    assert any(b.name.startswith("auto-") for b in list_backups(project_dir))


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
