"""Transcript export as Word or text: timestamps, speakers by pseudonym, role and actor."""

from __future__ import annotations

from pathlib import Path

from docx import Document

from qualkit.cli import main
from qualkit.export.transcript import export_transcript
from qualkit.project import open_project
from tests.unit.report_fixtures import REAL_NAME, make_demo

SRT = """1
00:00:01,000 --> 00:00:04,000
Anna Berg: Hej och välkomna.

2
00:01:05,500 --> 00:01:09,000
Okänd: Vi träffas varannan vecka.
"""


def test_txt_and_docx_show_pseudonym_role_and_actor(tmp_path: Path) -> None:
    with make_demo(tmp_path / "p") as project:
        txt = export_transcript(project, "fokusgrupp_demo", "txt").read_text(encoding="utf-8")
        docx = export_transcript(project, "fokusgrupp_demo", "docx")
    assert "Deltagare 2 (handläggare, FK): Jag håller med" in txt
    assert "Kommun: Norrby" in txt
    paragraphs = [p.text for p in Document(str(docx)).paragraphs]
    assert paragraphs[0] == "fokusgrupp_demo"
    assert any(p.startswith("Deltagare 5 (socialsekreterare, kommun): ") for p in paragraphs)


def test_timestamps_and_unnamed_speakers(tmp_path: Path) -> None:
    srt = tmp_path / "fg.srt"
    srt.write_text(SRT, encoding="utf-8")
    with make_demo(tmp_path / "p") as project:
        rec = project.import_transcript(srt, name="fg2", kommun="Norrby")
        anna = next(s for s in project.store.speakers(rec.id) if s.label.startswith("Anna"))
        person = project.store.add_participant(role="chef", real_name=REAL_NAME)
        project.store.assign_speaker(anna.id, person.id)
        root = project.root
    assert main(["export", "transcript", "fg2", "-p", str(root), "-f", "txt"]) == 0
    with open_project(root) as project:
        text = (project.exports_dir / "transkript_fg2.txt").read_text(encoding="utf-8")
    assert "[00:00:01] Deltagare 6 (chef): Hej och välkomna." in text
    assert "[00:01:05] Talare 1: Vi träffas varannan vecka." in text
    assert "Anna" not in text and "Okänd" not in text
