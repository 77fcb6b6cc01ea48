"""A command on a project folder does not load the coding app's or the server's libraries."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qualkit.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_commands_start_without_textual_or_psycopg(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from qualkit.cli import main\n"
        f"assert main(['init', {str(tmp_path / 'p')!r}]) == 0\n"
        f"assert main(['status', '-p', {str(tmp_path / 'p')!r}]) == 0\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'psycopg'})\n"
        "assert not heavy, heavy\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr


def test_the_tui_command_still_reaches_the_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Not a project: the app's own check answers, so the lazily imported app was reached.
    assert main(["tui", "-p", str(tmp_path / "nowhere")]) == 2
    assert "project" in capsys.readouterr().err.lower()
    assert "textual" in sys.modules
