"""What the tests of undoable codebook actions (a new code, a rename, a merge, a move)
compare: the store, the codebook as stored, its recorded hash and its file's bytes."""

from __future__ import annotations

from typing import Any

import pytest

from qualkit.errors import QualkitError
from qualkit.model import Code
from qualkit.project import Project, open_project
from qualkit.undo import UndoStack

from .store_snapshot import snapshot

BOOK = "danermark"


def state(project: Project) -> dict[str, Any]:
    """The whole store, the codebook as stored, its recorded hash and its file's bytes."""
    return {
        **snapshot(project),
        "codebook": project.codebook(BOOK),
        "hash": project.store.codebook_source_hash(BOOK),
        "file": project.codebook_path(BOOK).read_bytes(),
    }


def add_code(project: Project, key: str, parent: str | None = None) -> None:
    """A code without codings (labelled after its id), under `parent` when given."""
    project.add_code(Code(codebook=BOOK, key=key, label_sv=key.capitalize(), parent=parent))


def refused(stack: UndoStack, match: str) -> None:
    """Undo is refused (the error matches `match`), nothing changed, the action still there."""
    now = state(stack.project)
    with pytest.raises(QualkitError, match=match):
        stack.undo()
    assert state(stack.project) == now
    assert stack.can_undo


def reopened(project: Project) -> dict[str, Any]:
    """Close the project and open it again: the codebook file is not read again (the
    recorded hash is its own). Returns the state then."""
    root = project.root
    project.close()
    with open_project(root) as again:
        assert again.sync_codebooks() == []
        return state(again)
