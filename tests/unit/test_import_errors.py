"""Every part of qualkit ships: a module that fails to import is an error, not "not available"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qualkit.cli import COMMAND_MODULES, build_parser

REPO = Path(__file__).resolve().parents[2]

# (module made unimportable, module that needs it): importing the second must fail.
BROKEN = [
    ("qualkit.cli.report_cmds", "qualkit.cli"),
    ("qualkit.cli.tui_cmds", "qualkit.cli"),
    ("qualkit.tui.screens.pseudonyms", "qualkit.tui.app"),
    ("qualkit.tui.screens.disagreements", "qualkit.tui.app"),
    ("qualkit.analysis.suggest", "qualkit.tui.screens.transcript"),
    ("qualkit.analysis.cluster", "qualkit.tui.screens.clusters"),
]


@pytest.mark.parametrize(("broken", "importer"), BROKEN)
def test_a_broken_module_is_an_import_error(broken: str, importer: str) -> None:
    code = (
        "import importlib, sys\n"
        f"sys.modules[{broken!r}] = None  # as if the file were broken or missing\n"
        "try:\n"
        f"    importlib.import_module({importer!r})\n"
        "except ImportError as exc:\n"
        "    print('ImportError', exc)\n"
        "else:\n"
        "    sys.exit('imported without it')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr + res.stdout
    assert broken in res.stdout


def test_every_command_group_is_registered() -> None:
    names = {m.__name__.rpartition(".")[2] for m in COMMAND_MODULES}
    files = {p.stem for p in (REPO / "qualkit" / "cli").glob("*_cmds.py")}
    assert names == files
    commands = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert {"init", "import", "status", "report", "export", "tui", "suggest", "pseudo"} <= commands
