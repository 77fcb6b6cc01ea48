"""Codebooks that cannot be trees: parent cycles and nesting too deep to use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qualkit.cli import main
from qualkit.codebook import MAX_DEPTH, parse_codebook
from qualkit.errors import CodebookError
from qualkit.project import Project, open_project

REPO = Path(__file__).resolve().parents[2]
CYCLE_TWO = """id: cyk
name: Cykel
codes:
  - id: a
    label_sv: A
    parent: b
  - id: b
    label_sv: B
    parent: a
  - id: c
    label_sv: C
"""
CYCLE_SELF = """id: cyk
name: Cykel
codes:
  - id: a
    label_sv: A
    parent: a
"""


def nested(depth: int) -> str:
    lines = ["id: djup", "name: Djup", "codes:"]
    for level in range(depth):
        pad = "  " * (2 * level)
        lines += [f"{pad}  - id: k{level}", f"{pad}    label_sv: K{level}", f"{pad}    children:"]
    lines.append("  " * (2 * depth) + "  - {id: botten, label_sv: Botten}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "chain"),
    [(CYCLE_TWO, "'a' is its own ancestor (a -> b -> a)"), (CYCLE_SELF, "(a -> a)")],
)
def test_parent_cycles_are_refused(text: str, chain: str) -> None:
    with pytest.raises(CodebookError, match="line 4") as err:
        parse_codebook(text, "cyk.yaml")
    assert chain in str(err.value) and "another parent" in str(err.value)


def test_codebook_validate_fails_on_a_cycle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cyk.yaml"
    path.write_text(CYCLE_TWO, encoding="utf-8")
    assert main(["codebook", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "its own ancestor" in err and "Traceback" not in err


def test_nesting_up_to_the_limit_is_fine_and_beyond_is_one_line() -> None:
    book = parse_codebook(nested(MAX_DEPTH - 1))
    assert len(book.codes) == MAX_DEPTH
    with pytest.raises(CodebookError, match="nested more than"):
        parse_codebook(nested(MAX_DEPTH + 5))


@pytest.mark.parametrize("depth", [200, 5000])
def test_very_deep_nesting_is_a_codebook_error_not_recursion(depth: int) -> None:
    with pytest.raises(CodebookError, match="nested"):
        parse_codebook(nested(depth))
    flow = "id: x\nname: X\ncodes: " + "[" * depth + "]" * depth + "\n"
    with pytest.raises(CodebookError):
        parse_codebook(flow)


def test_a_deep_codebook_in_the_project_folder_does_not_lock_the_project_out(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project.root
    before = project.codebook_ids()
    project.close()
    bad = root / "codebook" / "djup.yaml"
    bad.write_text(nested(3000), encoding="utf-8")
    # As a user runs it: the warning reaches the terminal, the command works.
    res = subprocess.run(
        [sys.executable, "-m", "qualkit", "status", "-p", str(root)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert "djup.yaml" in res.stderr and "skipped" in res.stderr
    assert "Traceback" not in res.stderr and "RecursionError" not in res.stderr
    with open_project(root) as again:
        assert again.codebook_ids() == before
        assert any("djup.yaml" in p for p in again.codebook_problems)
    assert main(["codebook", "validate", "-p", str(root)]) == 2
