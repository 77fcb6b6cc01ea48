"""The privacy line an export command ends with counts what the files it wrote hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qualkit.cli import main
from qualkit.project import Project
from tests.unit.report_fixtures import make_demo

# Turn 7 of the demo is the kommun socialsekreterare (coded individ, hindrande): quoted in
# Norrby's report, never in FK's.
NAMED_TURN = 7


def privacy_line(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0, argv
    out = capsys.readouterr().out.replace("\n", " ")
    return re.sub(r"\s+", " ", out[out.index("Privacy:") :])


@pytest.fixture
def named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Project:
    """The demo with one name said in turn 7, found by a scan nobody reviewed."""
    project = make_demo(tmp_path / "p")
    seg = project.segment(f"fokusgrupp_demo:{NAMED_TURN}")
    project.store.update_segment_text(seg.id, f"Jag ringde Kristina Holm om det. {seg.text}")
    coding = project.codings(segment_id=seg.id)[0]
    assert main(["quote", "pin", str(coding.id), "-p", str(project.root)]) == 0
    assert main(["pseudo", "scan", "-p", str(project.root)]) == 0
    capsys.readouterr()
    return project


def test_each_export_counts_the_replacements_its_file_holds(
    named: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(named.root)
    one = "this export replaced 1 name or identifier that nobody has reviewed;"
    waits = "1 finding of the last scan waits for review (replaced until a coder rejects it)"
    kommun = privacy_line(
        capsys, "report", "kommun", "--kommun", "Norrby", "-f", "md", "docx", "html", "-p", root
    )
    assert one in kommun and waits in kommun
    assert "[Namn 1]" in (named.exports_dir / "rapport_kommun_Norrby.md").read_text("utf-8")
    word = ("report", "kommun", "--kommun", "Norrby", "-f", "docx")
    assert one in privacy_line(capsys, *word, "-p", root)  # read inside the Word file
    # One name in three files is one name. FK's report quotes no kommun turn: it holds no
    # replacement, and says so.
    fk = privacy_line(capsys, "report", "aktor", "--aktor", "FK", "-f", "md", "-p", root)
    assert "[Namn" not in (named.exports_dir / "rapport_aktor_FK.md").read_text("utf-8")
    assert "this export replaced nothing without review; " + waits in fk
    # The workbook repeats the passage on several rows: still one name.
    assert one in privacy_line(capsys, "export", "xlsx", "-p", root)
    assert one in privacy_line(capsys, "export", "qdpx", "--no-audio", "-p", root)
    # Counted per command, not summed over the commands one process ran.
    fk_again = privacy_line(capsys, "report", "aktor", "--aktor", "FK", "-f", "md", "-p", root)
    assert "replaced nothing without review" in fk_again


def test_several_findings_wait_in_the_plural(
    named: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    seg = named.segment("fokusgrupp_demo:8")
    named.store.update_segment_text(seg.id, f"Jag pratade med Gunnar Ek. {seg.text}")
    assert main(["pseudo", "scan", "-p", str(named.root)]) == 0
    line = privacy_line(capsys, "export", "xlsx", "-p", str(named.root))
    assert "this export replaced 2 names or identifiers that nobody has reviewed;" in line
    assert (
        "2 findings of the last scan wait for review (replaced until a coder rejects them)" in line
    )
