"""A Ctrl-C while the command starts up (imports take a moment) is one line, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qualkit import cli
from qualkit.errors import INTERRUPTED

REPO = Path(__file__).resolve().parents[2]

# A stand-in for a library, imported where the interrupt should land: yaml while the
# package itself is imported (the codebook layer), rich while the command modules are
# (their console; textual is imported only by `qualkit tui`).
INTERRUPTING = {"package": "yaml", "commands": "rich"}
SCRIPT = "import sys; sys.argv[0] = '/usr/local/bin/qualkit'; from qualkit.cli import main; main()"


def _run(tmp_path: Path, module: str, *args: str) -> subprocess.CompletedProcess[str]:
    fake = tmp_path / "fake" / module
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise KeyboardInterrupt\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(fake.parent), str(REPO)])}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=tmp_path
    )


@pytest.mark.parametrize("when", sorted(INTERRUPTING))
@pytest.mark.parametrize("how", ["-m", "script"])
def test_interrupt_during_start_up_is_one_line(tmp_path: Path, when: str, how: str) -> None:
    args = ["-m", "qualkit", "status"] if how == "-m" else ["-c", SCRIPT, "status"]
    res = _run(tmp_path, INTERRUPTING[when], *args)
    assert res.returncode == 130
    assert res.stderr.strip() == INTERRUPTED
    assert "Traceback" not in res.stderr


def test_a_program_importing_qualkit_gets_the_interrupt(tmp_path: Path) -> None:
    res = _run(tmp_path, "yaml", "-c", "import qualkit")
    assert "KeyboardInterrupt" in res.stderr and res.returncode != 130


def test_interrupt_while_parsing_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", stop)
    assert cli.main(["status"]) == 130
    assert capsys.readouterr().err.strip() == INTERRUPTED
