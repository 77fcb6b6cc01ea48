"""Moving a code under another parent is one undoable action: undo puts it back under its
earlier parent (or the top level), the codebook file's bytes too; refused, with nothing
changed, when the code or the parent it goes back under changed since."""

from __future__ import annotations

import pytest

from qualkit.errors import QualkitError
from qualkit.undo import UndoStack

from ..undo_state import BOOK, add_code, refused, reopened, state

pytestmark = pytest.mark.both_backends


def test_a_move_is_undone_and_redone_with_the_file_exact(anna: UndoStack) -> None:
    project = anna.project
    add_code(project, "mandat", "ledning")
    before = state(project)

    assert anna.move_code(BOOK, "mandat", "individ") is not None
    after = state(project)
    assert after["codebook"].code("mandat").parent == "individ"
    assert after["file"] != before["file"]
    assert anna.undo() is not None
    assert state(project) == before  # under ledning again, the same order, the same bytes
    assert anna.redo() is not None
    assert state(project) == after

    anna.move_code(BOOK, "mandat", None)  # to the top level, and back under individ
    assert state(project)["codebook"].code("mandat").parent is None
    assert anna.undo() is not None
    assert state(project) == after
    assert reopened(project) == after  # the file not read again: its hash is recorded


def test_a_move_to_where_the_code_is_changes_nothing(anna: UndoStack) -> None:
    before = state(anna.project)
    assert anna.move_code(BOOK, "ledning", None) is None  # a top-level code already
    assert state(anna.project) == before
    assert not anna.can_undo


@pytest.mark.parametrize("under", ["ledning", "mandat", "delegering"])
def test_a_code_under_itself_or_its_own_sub_code_is_refused(anna: UndoStack, under: str) -> None:
    add_code(anna.project, "mandat", "ledning")
    add_code(anna.project, "delegering", "mandat")
    before = state(anna.project)
    with pytest.raises(QualkitError, match="would make a cycle"):
        anna.move_code(BOOK, "ledning", under)
    assert state(anna.project) == before  # nothing written, the file neither
    assert not anna.can_undo


def test_undo_of_a_move_is_refused_when_another_coder_moved_the_code_since(
    anna: UndoStack,
) -> None:
    anna.move_code(BOOK, "stabila_org", "ledning")
    anna.project.move_code(BOOK, "stabila_org", "individ")  # bertil's, meanwhile
    refused(anna, "Cannot undo or redo the move: code 'stabila_org'")


def test_undo_of_a_move_is_refused_when_the_code_was_renamed_since(anna: UndoStack) -> None:
    anna.move_code(BOOK, "stabila_org", "ledning")
    anna.project.store.update_code(BOOK, "stabila_org", label_sv="Stabilitet")  # on the server
    refused(anna, "Cannot undo or redo the move: code 'stabila_org'")


def test_undo_of_a_move_is_refused_when_the_earlier_parent_is_gone(anna: UndoStack) -> None:
    add_code(anna.project, "tom")
    add_code(anna.project, "mandat", "tom")
    anna.move_code(BOOK, "mandat", "ledning")
    anna.project.store.delete_code(BOOK, "tom")  # another coder's, on the server
    refused(anna, "Cannot undo or redo the move: code 'mandat'")
