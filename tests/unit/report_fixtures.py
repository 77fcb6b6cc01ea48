"""Shared material for the report, workbook and transcript export tests."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Sequence
from pathlib import Path

from qualkit.demo import DEMO_KOMMUN, run_demo
from qualkit.ingest import role_actor_from_label
from qualkit.model import Actor, GroupType, Valence
from qualkit.project import Project, init_project, open_project

REPO = Path(__file__).resolve().parents[2]
DEMO_TXT = REPO / "audio" / "demo" / "fokusgrupp_demo.txt"
REAL_NAME = "Karin Lindqvist"
PERSONNUMMER = "811218-9876"
# Turn 3 of the demo is the FK handläggare on leadership (coded ledning, hindrande).
PLANTED_TURN = 3


def make_demo(root: Path) -> Project:
    init_project(root).close()
    (root / "audio" / "demo").mkdir(parents=True, exist_ok=True)
    shutil.copy(DEMO_TXT, root / "audio" / "demo")
    run_demo(root, say=lambda _msg: None)
    return open_project(root)


def add_kommun(
    project: Project,
    kommun: str,
    codings: Sequence[tuple[int, str, Valence]] = (),
    *,
    group: GroupType = GroupType.CHEFER,
) -> None:
    """The demo conversation once more, filed under another kommun, with its own codings."""
    rec = project.import_transcript(
        DEMO_TXT, name=f"fokusgrupp_{kommun.lower()}", kommun=kommun, group_type=group
    )
    for speaker in project.store.speakers(rec.id):
        role, actor_text = role_actor_from_label(speaker.label)
        actor = Actor.parse(actor_text) if actor_text else Actor.ANNAN
        person = project.store.add_participant(role=role, actor=actor, kommun=kommun)
        project.store.assign_speaker(speaker.id, person.id)
    segments = project.store.segments(rec.id)
    for turn, code, valence in codings:
        project.store.add_coding(segments[turn - 1].id, "danermark", code, valence=valence)


def plant_identity(project: Project) -> None:
    """A real name and a personnummer in the transcript, in a memo and on the participant."""
    store = project.store
    fk = next(p for p in store.participants() if p.actor is Actor.FK and p.kommun == DEMO_KOMMUN)
    store.update_participant(fk.id, real_name=REAL_NAME)
    seg = project.segment(f"fokusgrupp_demo:{PLANTED_TURN}")
    store.update_segment_text(
        seg.id, f"Jag heter {REAL_NAME}, personnummer {PERSONNUMMER}. {seg.text}"
    )
    coding = project.codings(segment_id=seg.id)[0]
    store.update_coding(coding.id, memo=f"{REAL_NAME} ({PERSONNUMMER}) sa detta.")
    store.add_memo("code", "danermark:ledning", f"Ringde Karin, {PERSONNUMMER}.")


def zip_text(path: Path) -> str:
    """All XML parts of a docx or xlsx file, concatenated."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(
            z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels"))
        )


def docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)
