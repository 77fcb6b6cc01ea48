"""A new code (with the codings made with it), and a code's new name, as undoable actions.

A code lives in two places: the database and its codebook file, which is the shareable
truth and is saved atomically on every edit. Undo takes the codings and the code out of
the database and writes back the file's exact earlier bytes (comments and layout kept,
not a re-serialised copy); redo makes the code and the codings again with the same ids
and writes the later bytes. Either is refused when the file or the codings have changed
since (someone coded with the new code, or edited the codebook): nothing is overwritten.

A rename (label, English label, description) goes the same way: undo gives the code its
earlier words and the file its earlier bytes, provided the code still has the words the
rename gave it (no one, another coder included, renamed it since) and the file is as the
rename left it. A new code renamed afterwards is taken out after its rename is undone:
undo goes newest first. A move under another parent (or to the top level) goes the same
way: undo puts the code back under its earlier parent, provided the code is as the move
left it (no one changed or moved it since) and the file too.

A merge of one code into another moves its codings and takes it out of the codebook
(its sub-codes go under the target). Undo makes the code again, moves back exactly the
codings the merge moved (by id; codings made with the target since stay there), puts the
codebook as it was (order, parents) and the file's earlier bytes; provided the codebook,
the file and the moved codings are as the merge left them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from qualkit import atomic
from qualkit.atomic import sha256_file
from qualkit.errors import InputError, NotFoundError
from qualkit.model import Code, Codebook, Coding, Valence
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


def _file_conflict(path: Path) -> UndoConflict:
    """The codebook file is not as the action left it: a later edit of the codebook that
    is not on the undo stack (by the qualkit command, by hand or by another coder)."""
    return UndoConflict(
        f"Cannot undo or redo: the codebook file {path.name} changed since (a later edit of"
        " the codebook that cannot be undone, or an edit of the file). Nothing was changed."
    )


def _files(action: RenameCode | MoveCode, *, undo: bool) -> tuple[bytes | None, bytes | None]:
    """The codebook file's bytes an undo (`undo`) or a redo expects, and those it writes."""
    if undo:
        return action.file_after, action.file_before
    return action.file_before, action.file_after


def _put_file(
    project: Project,
    action: CodeAction,
    expected: bytes | None,
    wanted: bytes | None,
) -> None:
    """Write the codebook file's `wanted` bytes, provided it still holds `expected`."""
    if _file(action.path) != expected:
        raise _file_conflict(action.path)
    if wanted is None:
        action.path.unlink()
    else:
        atomic.write_bytes(action.path, wanted)
    # The file's hash recorded, so opening the project again does not re-read the file.
    store = project.store
    book = store.codebook(action.code.codebook if isinstance(action, NewCode) else action.codebook)
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


# ------------------------------------------------------------------ renaming
WORDS = ("label_sv", "label_en", "description")  # what a rename changes


@dataclass(frozen=True, slots=True)
class RenameCode:
    """A code's words (labels, description) before and after, and its file's bytes."""

    codebook: str
    key: str
    old: tuple[str, str, str]  # label_sv, label_en, description
    new: tuple[str, str, str]
    path: Path
    file_before: bytes | None
    file_after: bytes


def _words(code: Code) -> tuple[str, str, str]:
    return (code.label_sv, code.label_en, code.description)


def rename_code(project: Project, codebook: str, key: str, **words: str) -> RenameCode | None:
    """Give the code new words (any of label_sv, label_en, description), written to the
    store and the codebook file as one edit; None when they are the words it has."""
    unknown = set(words) - set(WORDS)
    if unknown:
        raise InputError(f"A rename changes only {', '.join(WORDS)}, not {', '.join(unknown)}.")
    path = project.codebook_path(codebook)
    # The words read under the same lock as the write: what undo gives back is what the
    # code had just before, even when another coder renamed it a moment ago.
    with project.action():
        old = _words(project.codebook(codebook).code(key))
        sv, en, description = (words.get(n, now) for n, now in zip(WORDS, old, strict=True))
        if (sv, en, description) == old:
            return None
        before = _file(path)
        project.update_code(codebook, key, **_changed(old, (sv, en, description)))
        new = _words(project.codebook(codebook).code(key))
        after = path.read_bytes()
    return RenameCode(codebook, key, old, new, path, before, after)


def _rename_conflict(key: str) -> UndoConflict:
    return UndoConflict(
        f"Cannot undo or redo the rename: code {key!r} was renamed or deleted since (by"
        " another coder, or in the codebook file). Nothing was changed."
    )


def _changed(old: tuple[str, str, str], new: tuple[str, str, str]) -> dict[str, str]:
    return {name: b for name, a, b in zip(WORDS, old, new, strict=True) if a != b}


def _put_words(project: Project, action: RenameCode, *, undo: bool) -> None:
    """Give the code the words before (`undo`) or after the rename, provided it still has
    the others; the file likewise."""
    expected, wanted = (action.new, action.old) if undo else (action.old, action.new)
    store = project.store
    with project.action():  # the check and the write under one lock (a team's server too)
        try:
            now = _words(store.codebook(action.codebook).code(action.key))
        except NotFoundError:
            raise _rename_conflict(action.key) from None
        if now != expected:
            raise _rename_conflict(action.key)
        store.update_code(action.codebook, action.key, **_changed(expected, wanted))
        _put_file(project, action, *_files(action, undo=undo))


# ------------------------------------------------------------------ merging
@dataclass(frozen=True, slots=True)
class MergeCode:
    """A code merged into another: the codebook before and after, the codings moved (as
    they were, coded with the source), and the codebook file's bytes."""

    codebook: str
    source: Code
    target: str
    book_before: Codebook
    book_after: Codebook
    moved: tuple[Coding, ...]
    path: Path
    file_before: bytes | None
    file_after: bytes


def merge_code(project: Project, codebook: str, source: str, target: str) -> MergeCode:
    """Merge `source` into `target` (codings, sub-codes, the file), remembering how to undo."""
    store = project.store
    path = project.codebook_path(codebook)
    with project.action():  # what is remembered is read under the merge's own lock
        before = store.codebook(codebook)
        code = before.code(source)
        moved = tuple(store.codings(codebook=codebook, code=source))
        file_before = _file(path)
        project.merge_codes(codebook, source, target)
        after = store.codebook(codebook)
    return MergeCode(
        codebook, code, target, before, after, moved, path, file_before, path.read_bytes()
    )


def _as_left(project: Project, action: MergeCode, *, undo: bool) -> None:
    """Refuse unless the codebook, its file and the moved codings are as the merge left
    them (`undo`) or found them (redo): another coder's later work is not overwritten."""
    store = project.store
    file: bytes | None
    if undo:
        book, file = action.book_after, action.file_after
        codings = tuple(replace(c, code=action.target) for c in action.moved)
    else:
        book, file, codings = action.book_before, action.file_before, action.moved
    if _file(action.path) != file:
        raise _file_conflict(action.path)
    if store.codebook(action.codebook) != book:
        raise _conflict()
    for coding in codings:
        try:
            if store.coding(coding.id) != coding:
                raise _conflict()
        except NotFoundError:
            raise _conflict() from None


def reverse_merge(project: Project, action: MergeCode) -> None:
    """The code again, the moved codings back on it, the codebook and file as they were."""
    store = project.store
    with project.action():
        _as_left(project, action, undo=True)
        store.add_code(action.source)
        store.move_codings([c.id for c in action.moved], action.codebook, action.source.key)
        # Order and the sub-codes' parent as before (add_code put the code last).
        store.upsert_codebook(action.book_before)
        _put_file(project, action, action.file_after, action.file_before)


def apply_merge(project: Project, action: MergeCode) -> None:
    """The merge again, and the file's later bytes."""
    with project.action():
        _as_left(project, action, undo=False)
        project.store.merge_codes(action.codebook, action.source.key, action.target)
        _put_file(project, action, action.file_before, action.file_after)


# ------------------------------------------------------------------ moving
@dataclass(frozen=True, slots=True)
class MoveCode:
    """A code put under another parent: the code before the move (its parent then), the
    parent after (None: the top level) and the codebook file's bytes."""

    codebook: str
    code: Code
    parent: str | None
    path: Path
    file_before: bytes | None
    file_after: bytes


def move_code(project: Project, codebook: str, key: str, parent: str | None) -> MoveCode | None:
    """Put the code under `parent` (None: the top level), in the store and the codebook
    file as one edit; None when it is there already. Under itself or a code of its own
    subtree is refused (InputError) with nothing written."""
    path = project.codebook_path(codebook)
    with project.action():  # the code remembered is the one the move changed
        code = project.codebook(codebook).code(key)
        if code.parent == parent:
            return None
        before = _file(path)
        project.move_code(codebook, key, parent)
        after = path.read_bytes()
    return MoveCode(codebook, code, parent, path, before, after)


def _move_conflict(key: str) -> UndoConflict:
    return UndoConflict(
        f"Cannot undo or redo the move: code {key!r}, or the code it goes under, was"
        " changed, moved or deleted since (by another coder, or in the codebook file)."
        " Nothing was changed."
    )


def _put_parent(project: Project, action: MoveCode, *, undo: bool) -> None:
    """Put the code under its parent before (`undo`) or after the move, provided the code
    is as the move left (or found) it; the file likewise."""
    moved = replace(action.code, parent=action.parent)
    expected, wanted = (moved, action.code) if undo else (action.code, moved)
    store = project.store
    with project.action():  # the check and the write under one lock (a team's server too)
        try:
            now: Code | None = store.codebook(action.codebook).code(action.code.key)
        except NotFoundError:
            now = None
        if now != expected:
            raise _move_conflict(action.code.key)
        try:
            store.update_code(action.codebook, action.code.key, parent=wanted.parent)
        except (NotFoundError, InputError):  # the parent gone, or now under the code
            raise _move_conflict(action.code.key) from None
        _put_file(project, action, *_files(action, undo=undo))


CodeAction = NewCode | RenameCode | MergeCode | MoveCode


def step(project: Project, action: CodeAction, *, undo: bool) -> None:
    """Undo (`undo`) or redo an action on a codebook: the store and the file's bytes."""
    match action:
        case NewCode():
            (reverse if undo else apply)(project, action)
        case RenameCode():
            _put_words(project, action, undo=undo)
        case MergeCode():
            (reverse_merge if undo else apply_merge)(project, action)
        case MoveCode():
            _put_parent(project, action, undo=undo)
