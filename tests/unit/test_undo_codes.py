"""A new code, with the codings made with it, is one undoable action; the file comes back exactly.

Cluster -> code and the codebook screen's new code both go through `UndoStack.add_code`.
"""

from __future__ import annotations

from typing import Any

import pytest

from qualkit.errors import QualkitError
from qualkit.model import Code, Valence
from qualkit.project import Project, open_project
from qualkit.undo import UndoStack

from ..undo_state import BOOK, state

pytestmark = pytest.mark.both_backends


def new_code(hotkey: str | None = None) -> Code:
    return Code(
        codebook=BOOK,
        key="praktiska_hinder",
        label_sv="Praktiska hinder",
        description="Föreslagen från ett kluster med orden: lokaler, tid",
        hotkey=hotkey,
    )


def test_undo_of_a_new_code_with_codings_gives_back_store_and_file(demo_project: Any) -> None:
    project: Project = demo_project
    stack = UndoStack(project, coder="anna")
    segs = [s.id for s in project.store.segments()][:3]
    before = state(project)

    code = stack.add_code(new_code(), {segs[0]: Valence.HINDERING, segs[2]: Valence.NONE})
    after = state(project)
    assert code.key in {c.key for c in after["codebook"].codes}
    made = [c for c in after["codings"] if c.code == code.key]
    assert [(c.segment_id, c.valence, c.coder) for c in made] == [
        (segs[0], Valence.HINDERING, "anna"),
        (segs[2], Valence.NONE, "anna"),
    ]
    assert after["file"] != before["file"]

    assert stack.undo() is not None
    assert state(project) == before
    assert stack.redo() is not None
    assert state(project) == after  # the same coding ids, the same file
    assert stack.undo() is not None
    assert state(project) == before


def test_after_undo_the_project_opens_without_reading_the_file_again(demo_project: Any) -> None:
    project: Project = demo_project
    stack = UndoStack(project)
    before = state(project)
    stack.add_code(new_code(hotkey="9"))
    stack.undo()
    root = project.root
    project.close()
    with open_project(root) as again:
        assert again.sync_codebooks() == []  # the recorded hash is the file's
        assert state(again) == before


def test_undo_is_refused_once_someone_has_coded_with_the_new_code(demo_project: Any) -> None:
    project: Project = demo_project
    stack = UndoStack(project, coder="anna")
    seg = project.store.segments()[0].id
    stack.add_code(new_code())
    project.store.add_coding(seg, BOOK, "praktiska_hinder", coder="bertil")
    now = state(project)
    with pytest.raises(QualkitError, match="Cannot undo or redo"):
        stack.undo()
    assert state(project) == now
    assert stack.can_undo


def test_undo_is_refused_when_the_codebook_file_was_edited_since(demo_project: Any) -> None:
    project: Project = demo_project
    stack = UndoStack(project)
    stack.add_code(new_code())
    path = project.codebook_path(BOOK)
    path.write_bytes(path.read_bytes() + b"\n# en kommentar\n")
    now = state(project)
    with pytest.raises(QualkitError, match="Cannot undo or redo"):
        stack.undo()
    assert state(project) == now


def test_a_rename_is_undone_and_redone_with_the_file_exact(demo_project: Any) -> None:
    project: Project = demo_project
    stack = UndoStack(project, coder="anna")
    before = state(project)
    action = stack.rename_code(BOOK, "ledning", label_sv="Styrning", description="Ny")
    assert action is not None
    after = state(project)
    assert after["codebook"].code("ledning").label_sv == "Styrning"
    assert stack.undo() is not None
    assert state(project) == before
    assert stack.redo() is not None
    assert state(project) == after
    assert stack.rename_code(BOOK, "ledning", label_sv="Styrning") is None  # no change
    assert stack.next_undo == action


def test_a_rename_renamed_again_by_another_coder_is_not_undone(demo_project: Any) -> None:
    project: Project = demo_project
    stack = UndoStack(project, coder="anna")
    stack.rename_code(BOOK, "ledning", label_sv="Styrning")
    project.rename_code(BOOK, "ledning", label_sv="Ledarskap")  # bertil's, meanwhile
    now = state(project)
    with pytest.raises(QualkitError, match="code 'ledning' was renamed or deleted since"):
        stack.undo()
    assert state(project) == now
    assert stack.can_undo


def test_a_new_code_renamed_afterwards_is_undone_in_order(demo_project: Any) -> None:
    project: Project = demo_project
    stack = UndoStack(project, coder="anna")
    before = state(project)
    stack.add_code(new_code())
    added = state(project)
    stack.rename_code(BOOK, "praktiska_hinder", label_sv="Hinder i vardagen")
    stack.undo()
    assert state(project) == added
    stack.undo()
    assert state(project) == before


def test_a_new_code_moved_afterwards_says_the_codebook_file_changed(demo_project: Any) -> None:
    project: Project = demo_project
    stack = UndoStack(project, coder="anna")
    stack.add_code(new_code())
    project.move_code(BOOK, "praktiska_hinder", "ledning")  # not an undoable step
    with pytest.raises(QualkitError, match=r"codebook file .* changed since"):
        stack.undo()
