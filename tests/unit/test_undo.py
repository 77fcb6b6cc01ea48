"""Undo and redo of every coding action, straight on the Project API."""

from __future__ import annotations

import pytest

from qualkit.errors import InputError
from qualkit.model import Valence
from qualkit.project import Project
from qualkit.undo import UndoStack

# Every test here that uses a project runs on SQLite and on a PostgreSQL server.
pytestmark = pytest.mark.both_backends


def first_segments(project: Project) -> list[int]:
    rec = project.recordings()[0]
    return [s.id for s in project.store.segments(rec.id)]


def test_add_remove_coding_undo_redo(demo_project: Project) -> None:
    stack = UndoStack(demo_project, coder="anna")
    seg = first_segments(demo_project)[0]
    coding = stack.add_coding(seg, "ledning", valence=Valence.HINDERING)
    assert demo_project.store.coding(coding.id).coder == "anna"
    stack.undo()
    assert not demo_project.codings(segment_id=seg)
    stack.redo()
    assert demo_project.store.coding(coding.id).code == "ledning"
    stack.remove_coding(coding.id)
    assert not demo_project.codings(segment_id=seg)
    stack.undo()
    assert demo_project.store.coding(coding.id).valence is Valence.HINDERING
    assert stack.redo() is not None
    assert not demo_project.codings(segment_id=seg)
    assert stack.redo() is None


def test_valence_and_memo_undo(demo_project: Project) -> None:
    stack = UndoStack(demo_project, coder="anna")
    seg = first_segments(demo_project)[0]
    coding = stack.add_coding(seg, "individ")
    stack.set_valence(coding.id, Valence.PROPOSAL)
    stack.set_memo(coding.id, "viktigt")
    assert demo_project.store.coding(coding.id).memo == "viktigt"
    stack.undo()
    assert demo_project.store.coding(coding.id).memo is None
    stack.undo()
    assert demo_project.store.coding(coding.id).valence is Valence.NONE
    stack.redo()
    stack.redo()
    got = demo_project.store.coding(coding.id)
    assert (got.valence, got.memo) == (Valence.PROPOSAL, "viktigt")


def test_segment_memo_undo_redo(demo_project: Project) -> None:
    stack = UndoStack(demo_project)
    seg = first_segments(demo_project)[1]
    stack.add_segment_memo(seg, "fråga om ledning")
    assert [m.text for m in demo_project.store.memos("segment", str(seg))] == ["fråga om ledning"]
    stack.undo()
    assert demo_project.store.memos("segment", str(seg)) == []
    stack.redo()
    assert len(demo_project.store.memos("segment", str(seg))) == 1


def test_text_split_merge_speaker_undo(demo_project: Project) -> None:
    stack = UndoStack(demo_project)
    ids = first_segments(demo_project)
    seg = demo_project.store.segment(ids[0])
    stack.edit_text(seg.id, seg.text + " Tillagt.")
    stack.undo()
    assert demo_project.store.segment(seg.id).text == seg.text
    n = len(ids)
    left, right = stack.split(seg.id, 10)
    assert len(first_segments(demo_project)) == n + 1
    stack.undo()
    assert len(first_segments(demo_project)) == n
    stack.redo()
    assert len(first_segments(demo_project)) == n + 1
    stack.undo()
    with pytest.raises(InputError, match="different speakers"):
        stack.merge(ids[0], ids[1])
    stack.merge(ids[0], ids[1], different_speakers=True)
    assert len(first_segments(demo_project)) == n - 1
    stack.undo()
    assert len(first_segments(demo_project)) == n
    other = demo_project.store.segment(first_segments(demo_project)[2]).speaker_id
    stack.reassign_speaker(ids[0], other)
    assert demo_project.store.segment(ids[0]).speaker_id == other
    stack.undo()
    assert demo_project.store.segment(ids[0]).speaker_id == seg.speaker_id
    del left, right


def test_new_action_clears_redo(demo_project: Project) -> None:
    stack = UndoStack(demo_project)
    seg = first_segments(demo_project)[0]
    stack.add_coding(seg, "ledning")
    stack.undo()
    assert stack.can_redo
    stack.add_coding(seg, "individ")
    assert not stack.can_redo
