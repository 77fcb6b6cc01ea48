"""Odd environments: a locked database, a read-only folder, an ASCII terminal, an empty table."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from qualkit.errors import ProjectError
from qualkit.project import Project, open_project
from qualkit.store import Store

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def qualkit(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qualkit", *args],
        capture_output=True,
        text=True,
        env=env or ENV,
        cwd=cwd,
    )


def _transcript(root: Path) -> None:
    with open_project(root) as project:
        rec = project.store.add_recording("möte")
        project.store.replace_segments(
            rec.id,
            [
                ("Talare 1", "Vi samverkar med förskolan.", None, None, (), False),
                ("Talare 2", "Ja, så är det.", None, None, (), False),
            ],
        )
        project.add_coding("möte:1", "ledning", coder="eva")


_HOLDER = textwrap.dedent(
    """
    import sqlite3, sys
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    print("holding", flush=True)
    sys.stdin.read()
    """
)


def test_a_write_waiting_on_another_process_is_one_line_naming_it(project_dir: Path) -> None:
    _transcript(project_dir)
    db = project_dir / "qualkit.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        store = Store(db, timeout=0.2)
        with pytest.raises(ProjectError, match=rf"busy.*process {holder.pid} \(python\)"):
            store.set_meta("x", "y")
        store.close()
        res = qualkit(
            "code", "-p", str(project_dir), "möte:2", "ledning",
            env={**ENV, "QUALKIT_LOCK_TIMEOUT_S": "0.3"},
        )  # fmt: skip
        assert res.returncode == 2
        assert "Traceback" not in res.stderr and "OperationalError" not in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1
        assert "is busy" in res.stderr and f"process {holder.pid}" in res.stderr
    finally:
        holder.communicate("")
    # Once the other writer is done, the same command goes through.
    assert qualkit("code", "-p", str(project_dir), "möte:2", "ledning").returncode == 0


def _read_only_runner() -> list[str] | None:
    """A way to make a folder truly read-only for a child process: root ignores file
    modes, so as root a read-only bind mount in a private mount namespace is used."""
    if os.geteuid() != 0:
        return []
    if shutil.which("unshare") is None:
        return None
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount --bind /tmp /tmp && mount -o remount,ro,bind /tmp"],
        capture_output=True,
    )
    return ["unshare", "-m", "sh", "-c"] if probe.returncode == 0 else None


def test_a_read_only_project_folder_reads_and_refuses_writes_plainly(
    project_dir: Path, tmp_path: Path
) -> None:
    runner = _read_only_runner()
    if runner is None:
        pytest.skip("no way to make a folder read-only here (root without mount namespaces)")
    _transcript(project_dir)
    out = tmp_path / "out"
    out.mkdir()
    q = f"{sys.executable} -m qualkit"
    p = str(project_dir)
    script = "\n".join(
        [
            f"{q} status -p {p} >/dev/null || echo FAIL status",
            f"{q} segments -p {p} möte | grep -q förskolan || echo FAIL segments",
            f"{q} export csv -p {p} --output {out} >/dev/null || echo FAIL export",
            f"{q} code -p {p} möte:2 ledning 2>&1",
            f"{q} export csv -p {p} 2>&1",
            "exit 0",
        ]
    )
    if runner:
        mount = f"mount --bind {p} {p} && mount -o remount,ro,bind {p} || exit 9"
        res = subprocess.run(
            [*runner, f"{mount}\n{script}"], capture_output=True, text=True, env=ENV
        )
    else:
        for path in [project_dir, *project_dir.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)
        try:
            res = subprocess.run(["sh", "-c", script], capture_output=True, text=True, env=ENV)
        finally:
            for path in [project_dir, *project_dir.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.strip().splitlines()
    assert not [line for line in lines if line.startswith("FAIL")], res.stdout
    assert "not a readable qualkit database" not in res.stdout
    assert lines[0].startswith("qualkit: error: The project folder") and "read-only" in lines[0]
    assert (
        lines[1].startswith("qualkit: error: Cannot write codings.csv") and "read-only" in lines[1]
    )
    assert (out / "codings.csv").read_text(encoding="utf-8").count("\n") == 2
    with open_project(project_dir) as project:
        assert len(project.codings()) == 1  # the refused write left nothing behind


def test_a_read_only_store_says_so_for_a_write(project_dir: Path) -> None:
    store = Store(project_dir / "qualkit.db", read_only=True)
    try:
        assert store.codebook_ids()
        with pytest.raises(ProjectError, match="read-only"):
            store.set_meta("x", "y")
    finally:
        store.close()


def test_an_ascii_terminal_gets_escaped_text_not_a_crash(project_dir: Path) -> None:
    _transcript(project_dir)
    env = {**ENV, "PYTHONIOENCODING": "ascii", "COLUMNS": "200"}
    for args in (["segments", "möte"], ["status"], ["codings"]):
        res = qualkit(*args, "-p", str(project_dir), env=env)
        assert res.returncode == 0, res.stderr
        assert "UnicodeEncodeError" not in res.stderr
    res = qualkit("segments", "möte", "-p", str(project_dir), env=env)
    assert "f\\xf6rskolan" in res.stdout


def test_participants_csv_without_participants_is_a_table(project: Project) -> None:
    import pandas as pd

    from qualkit.export.csv import export_csv

    path = export_csv(project, "participants")
    frame = pd.read_csv(path)
    assert frame.empty and {"pseudonym", "role", "consent"} <= set(frame.columns)
