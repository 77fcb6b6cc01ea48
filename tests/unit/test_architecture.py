"""Core modules import no textual: the TUI is one face on the API, not its owner."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import qualkit

REPO = Path(__file__).resolve().parents[2]


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(qualkit.__path__, "qualkit."):
        if info.name.startswith("qualkit.tui") or info.name == "qualkit.cli.tui_cmds":
            continue
        names.append(info.name)
    return names


def test_core_modules_do_not_import_textual() -> None:
    mods = core_modules()
    assert "qualkit.store" in mods and "qualkit.project" in mods
    code = (
        "import importlib, sys\n"
        f"for name in {mods!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr


def test_only_store_speaks_sql() -> None:
    offenders = []
    store = REPO / "qualkit" / "store"
    for path in (REPO / "qualkit").rglob("*.py"):
        if store in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        if "import sqlite3" in text or ".execute(" in text:
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []
