"""Rough edges found by walking the CLI as a new user would; each test pins one fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.cli import main
from qualkit.errors import CodebookError
from qualkit.model import Code
from qualkit.project import Project


def test_invalid_code_id_is_refused_and_codebook_stays_loadable(project: Project) -> None:
    path = project.codebook_path("danermark")
    before = path.read_bytes()
    with pytest.raises(CodebookError, match="Not saved: code id 'bad key!'"):
        project.add_code(Code(codebook="danermark", key="bad key!", label_sv="x"))
    assert path.read_bytes() == before
    assert "bad key!" not in {c.key for c in project.codebook("danermark").codes}
    # The next edit writes a file that still loads.
    project.add_code(Code(codebook="danermark", key="tid", label_sv="Tid"))
    assert project.sync_codebooks() == []
    assert project.codebook("danermark").code("tid").label_sv == "Tid"


def test_cli_codebook_add_bad_id_is_one_line(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["codebook", "add", "-p", str(project_dir), "bad key!", "x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Not saved" in err[0]
    assert main(["codebook", "list", "-p", str(project_dir)]) == 0


def test_merge_coder_from_a_stray_file_is_one_line(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stray = tmp_path / "notes.md"
    stray.write_text("# not a project\n", encoding="utf-8")
    assert main(["merge-coder", "-p", str(project_dir), str(stray)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "neither a qualkit project folder nor a .qdpx file" in err[0]


def test_merge_coder_from_an_empty_project_says_nothing_to_merge(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other"
    assert main(["init", str(other)]) == 0
    capsys.readouterr()
    assert main(["merge-coder", "-p", str(project_dir), str(other)]) == 0
    out = capsys.readouterr().out
    assert "Nothing to merge" in out and "nobody" not in out
