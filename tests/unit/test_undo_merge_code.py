"""Merging a code into another is one undoable action: undo gives back the code, exactly
the codings the merge moved, the sub-codes' parent, the codebook's order and the file."""

from __future__ import annotations

import pytest

from qualkit.model import Valence
from qualkit.undo import UndoStack

from ..undo_state import BOOK, add_code, refused, reopened, state

pytestmark = pytest.mark.both_backends


def test_a_merge_is_undone_and_redone_exactly(anna: UndoStack) -> None:
    project = anna.project
    # A sub-code of the source (goes under the target), and a coding of the target
    # by another coder made after the merge (stays on the target when undone).
    add_code(project, "mandat", "ledning")
    before = state(project)
    moving = {c.id for c in before["codings"] if c.code == "ledning"}
    assert moving

    anna.merge_code(BOOK, "ledning", "individ")
    after = state(project)
    assert "ledning" not in {c.key for c in after["codebook"].codes}
    assert after["codebook"].code("mandat").parent == "individ"
    assert {c.id for c in after["codings"] if c.code == "individ"} >= moving

    assert anna.undo() is not None
    assert state(project) == before  # codings, order, parents, hotkey, file bytes
    assert anna.redo() is not None
    assert state(project) == after
    seg = project.store.segments()[-1].id
    later = project.store.add_coding(seg, BOOK, "individ", coder="bertil")
    assert anna.undo() is not None
    now = state(project)
    assert {c.id for c in now["codings"] if c.code == "ledning"} == moving
    assert later.id in {c.id for c in now["codings"] if c.code == "individ"}
    assert now["codebook"] == before["codebook"] and now["file"] == before["file"]


def test_after_undo_of_a_merge_the_project_opens_without_reading_the_file(anna: UndoStack) -> None:
    project = anna.project
    before = state(project)
    anna.merge_code(BOOK, "ledning", "individ")
    anna.undo()
    assert reopened(project) == before


def test_undo_of_a_merge_is_refused_when_a_moved_coding_changed(anna: UndoStack) -> None:
    project = anna.project
    moved = project.store.codings(codebook=BOOK, code="ledning")[0]
    anna.merge_code(BOOK, "ledning", "individ")
    other = Valence.PROPOSAL if moved.valence != Valence.PROPOSAL else Valence.NONE
    project.store.update_coding(moved.id, valence=other)  # someone, meanwhile
    refused(anna, "Cannot undo or redo")


def test_undo_of_a_merge_is_refused_when_the_codebook_changed(anna: UndoStack) -> None:
    project = anna.project
    anna.merge_code(BOOK, "ledning", "individ")
    project.move_code(BOOK, "stabila_org", "individ")  # not an undoable step
    refused(anna, "Cannot undo or redo")
