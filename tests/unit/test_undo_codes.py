"""A new code, with the codings made with it, is one undoable action; the file comes back exactly.

Cluster -> code and the codebook screen's new code both go through `UndoStack.add_code`.
"""

from __future__ import annotations

import pytest

from qualkit.model import Code, Valence
from qualkit.undo import UndoStack

from ..undo_state import BOOK, refused, reopened, state

pytestmark = pytest.mark.both_backends


def new_code(hotkey: str | None = None) -> Code:
    return Code(
        codebook=BOOK,
        key="praktiska_hinder",
        label_sv="Praktiska hinder",
        description="Föreslagen från ett kluster med orden: lokaler, tid",
        hotkey=hotkey,
    )


def test_undo_of_a_new_code_with_codings_gives_back_store_and_file(anna: UndoStack) -> None:
    project = anna.project
    segs = [s.id for s in project.store.segments()][:3]
    before = state(project)

    code = anna.add_code(new_code(), {segs[0]: Valence.HINDERING, segs[2]: Valence.NONE})
    after = state(project)
    assert code.key in {c.key for c in after["codebook"].codes}
    made = [c for c in after["codings"] if c.code == code.key]
    assert [(c.segment_id, c.valence, c.coder) for c in made] == [
        (segs[0], Valence.HINDERING, "anna"),
        (segs[2], Valence.NONE, "anna"),
    ]
    assert after["file"] != before["file"]

    assert anna.undo() is not None
    assert state(project) == before
    assert anna.redo() is not None
    assert state(project) == after  # the same coding ids, the same file
    assert anna.undo() is not None
    assert state(project) == before


def test_after_undo_the_project_opens_without_reading_the_file_again(anna: UndoStack) -> None:
    project = anna.project
    before = state(project)
    anna.add_code(new_code(hotkey="9"))
    anna.undo()
    assert reopened(project) == before  # the recorded hash is the file's


def test_undo_is_refused_once_someone_has_coded_with_the_new_code(anna: UndoStack) -> None:
    project = anna.project
    seg = project.store.segments()[0].id
    anna.add_code(new_code())
    project.store.add_coding(seg, BOOK, "praktiska_hinder", coder="bertil")
    refused(anna, "Cannot undo or redo")


def test_undo_is_refused_when_the_codebook_file_was_edited_since(anna: UndoStack) -> None:
    project = anna.project
    anna.add_code(new_code())
    path = project.codebook_path(BOOK)
    path.write_bytes(path.read_bytes() + b"\n# en kommentar\n")
    refused(anna, "Cannot undo or redo")


def test_a_rename_is_undone_and_redone_with_the_file_exact(anna: UndoStack) -> None:
    project = anna.project
    before = state(project)
    action = anna.rename_code(BOOK, "ledning", label_sv="Styrning", description="Ny")
    assert action is not None
    after = state(project)
    assert after["codebook"].code("ledning").label_sv == "Styrning"
    assert anna.undo() is not None
    assert state(project) == before
    assert anna.redo() is not None
    assert state(project) == after
    assert anna.rename_code(BOOK, "ledning", label_sv="Styrning") is None  # no change
    assert anna.next_undo == action


def test_a_rename_renamed_again_by_another_coder_is_not_undone(anna: UndoStack) -> None:
    project = anna.project
    anna.rename_code(BOOK, "ledning", label_sv="Styrning")
    project.rename_code(BOOK, "ledning", label_sv="Ledarskap")  # bertil's, meanwhile
    refused(anna, "code 'ledning' was renamed or deleted since")


def test_a_new_code_renamed_afterwards_is_undone_in_order(anna: UndoStack) -> None:
    project = anna.project
    before = state(project)
    anna.add_code(new_code())
    added = state(project)
    anna.rename_code(BOOK, "praktiska_hinder", label_sv="Hinder i vardagen")
    anna.undo()
    assert state(project) == added
    anna.undo()
    assert state(project) == before


def test_a_new_code_moved_afterwards_says_the_codebook_file_changed(anna: UndoStack) -> None:
    project = anna.project
    anna.add_code(new_code())
    project.move_code(BOOK, "praktiska_hinder", "ledning")  # not an undoable step
    refused(anna, r"codebook file .* changed since")
