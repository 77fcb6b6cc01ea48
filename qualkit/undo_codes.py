"""A new code (with the codings made with it) as one undoable action.

A code lives in two places: the database and its codebook file, which is the shareable
truth and is saved atomically on every edit. Undo takes the codings and the code out of
the database and writes back the file's exact earlier bytes (comments and layout kept,
not a re-serialised copy); redo makes the code and the codings again with the same ids
and writes the later bytes. Either is refused when the file or the codings have changed
since (someone coded with the new code, or edited the codebook): nothing is overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from qualkit import atomic
from qualkit.atomic import sha256_file
from qualkit.errors import InputError, NotFoundError
from qualkit.model import Code, Coding, Valence
from qualkit.project import Project
from qualkit.undo_rows import UndoConflict


@dataclass(frozen=True, slots=True)
class NewCode:
    """A code added to a codebook, the codings made with it, and its file before and after."""

    code: Code
    codings: tuple[Coding, ...]
    path: Path
    file_before: bytes | None  # None: the codebook had no file before
    file_after: bytes


def _file(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def add_code(project: Project, code: Code, coded: Mapping[int, Valence], coder: str) -> NewCode:
    """Add `code` and code these segments with it (each with its valence): one transaction."""
    store = project.store
    path = project.codebook_path(code.codebook)
    before = _file(path)
    codings: list[Coding] = []
    with project.action():
        project.add_code(code)
        for segment_id, valence in coded.items():
            write = store.insert_coding(
                segment_id, code.codebook, code.key, valence=valence, coder=coder
            )
            codings.append(write.coding)
    added = project.codebook(code.codebook).code(code.key)
    return NewCode(added, tuple(codings), path, before, path.read_bytes())


def _conflict() -> UndoConflict:
    return UndoConflict(
        "Cannot undo or redo: the code or its codings changed since (another coder, or the"
        " codebook file was edited). Nothing was changed."
    )


def _put_file(
    project: Project, action: NewCode, expected: bytes | None, wanted: bytes | None
) -> None:
    """Write the codebook file's `wanted` bytes, provided it still holds `expected`."""
    if _file(action.path) != expected:
        raise _conflict()
    if wanted is None:
        action.path.unlink()
    else:
        atomic.write_bytes(action.path, wanted)
    # The file's hash recorded, so opening the project again does not re-read the file.
    store = project.store
    book = store.codebook(action.code.codebook)
    store.upsert_codebook(book, sha256_file(action.path) if wanted is not None else "")


def reverse(project: Project, action: NewCode) -> None:
    """Take the codings and the code out, and give the codebook file its earlier bytes."""
    store = project.store
    with project.action():
        for coding in action.codings:
            try:
                if store.coding(coding.id) != coding:
                    raise _conflict()
            except NotFoundError:
                raise _conflict() from None
            store.remove_coding(coding.id)
        try:
            store.delete_code(action.code.codebook, action.code.key)
        except InputError:  # coded since, or given sub-codes: theirs to keep
            raise _conflict() from None
        _put_file(project, action, action.file_after, action.file_before)


def apply(project: Project, action: NewCode) -> None:
    """Make the code and its codings again, with the same ids, and the file's later bytes."""
    store = project.store
    with project.action():
        try:
            store.add_code(action.code)
        except InputError:  # a code of that id was made meanwhile
            raise _conflict() from None
        for coding in action.codings:
            store.restore_coding(coding)
        _put_file(project, action, action.file_before, action.file_after)
