"""Codebook editing: the YAML files in codebook/ and the database kept in step.

The files are the shareable truth: every edit made through the API is written back to its
file, and a file changed by hand is read again the next time the project opens.
"""

from __future__ import annotations

from pathlib import Path

from qualkit import atomic
from qualkit import codebook as codebooks
from qualkit.atomic import sha256_file
from qualkit.errors import CodebookError, InputError, QualkitError
from qualkit.layout import DEFAULT_CODEBOOK
from qualkit.log import get_logger
from qualkit.model import Code, Codebook
from qualkit.project.folder import ProjectFolder

_log = get_logger("codebook")


class CodebookEditing(ProjectFolder):
    """Reading codebook files into the project and writing edits back to them."""

    codebook_problems: list[str]

    def sync_codebooks(self, *, skip_broken: bool = False) -> list[str]:
        """Load codebook/*.yaml files that changed since the last sync. Returns their ids.

        A broken file raises CodebookError and nothing is changed in the database; with
        `skip_broken` it is left out, named in `codebook_problems` and in a warning."""
        changed: list[str] = []
        # Every file is read and checked before anything is stored, so one broken or
        # clashing file leaves the database as it was.
        loaded: dict[str, tuple[Path, Codebook, str]] = {}
        for path in sorted(self.codebook_dir.glob("*.yaml")) + sorted(
            self.codebook_dir.glob("*.yml")
        ):
            try:
                book = codebooks.load_codebook(path)
                digest = sha256_file(path)
            except CodebookError as exc:
                if not skip_broken:
                    raise
                self.codebook_problems.append(str(exc))
                _log.warning("%s This file was skipped; fix it and run any command again.", exc)
                continue
            if book.id in loaded:
                raise CodebookError(
                    f"{path}: id {book.id!r} is already used by {loaded[book.id][0].name}; "
                    "give each codebook file its own id."
                )
            loaded[book.id] = (path, book, digest)
        stale = [
            (book, digest)
            for _path, book, digest in loaded.values()
            if self.store.codebook_source_hash(book.id) != digest
        ]
        if not stale:
            return changed  # nothing to write: opening a project takes no write lock
        with self.store.transaction():
            for book, digest in stale:
                # Read again under the lock: another process may have synced meanwhile.
                if self.store.codebook_source_hash(book.id) != digest:
                    self.store.upsert_codebook(book, digest)
                    self._drop_unused_codes(book)
                    changed.append(book.id)
        return changed

    def _drop_unused_codes(self, book: Codebook) -> None:
        # A code deleted from the file by hand goes from the project too, unless codings
        # (or sub-codes that have codings) still hang on it: those are kept, not lost.
        in_file = {c.key for c in book.codes}
        gone = [c.key for c in self.store.codebook(book.id).codes if c.key not in in_file]
        progress = True
        while gone and progress:
            progress = False
            for key in list(gone):
                try:
                    self.store.delete_code(book.id, key)
                except InputError:
                    continue  # has codings, or sub-codes not deleted yet
                gone.remove(key)
                progress = True

    def codebook_ids(self) -> list[str]:
        return self.store.codebook_ids()

    def codebook(self, codebook_id: str = DEFAULT_CODEBOOK) -> Codebook:
        return self.store.codebook(codebook_id)

    def codebook_path(self, codebook_id: str) -> Path:
        for path in list(self.codebook_dir.glob("*.yaml")) + list(self.codebook_dir.glob("*.yml")):
            try:
                if codebooks.load_codebook(path).id == codebook_id:
                    return path
            except QualkitError:
                continue
        return self.codebook_dir / f"{codebook_id}.yaml"

    def _write_back(self, codebook_id: str) -> Codebook:
        # Edits made through the API are written to the YAML file too, so the file
        # stays the shareable truth; the recorded hash stops a re-import on next open.
        # Callers hold a transaction: the text is validated before the file is written,
        # so an edit the file format cannot hold (a code id with a space, a bad colour)
        # is rolled back instead of leaving a codebook no command can load.
        book = self.store.codebook(codebook_id)
        path = self.codebook_path(codebook_id)
        text = codebooks.to_yaml(book)
        try:
            codebooks.parse_codebook(text, path)
        except CodebookError as exc:
            problem = str(exc).split(": ", 1)[-1]
            raise CodebookError(f"Not saved: {problem}") from None
        atomic.write_text(path, text)
        self.store.upsert_codebook(book, sha256_file(path))
        return book

    def add_code(self, code: Code) -> Codebook:
        with self.store.transaction():
            self.store.add_code(code)
            return self._write_back(code.codebook)

    def rename_code(
        self, codebook_id: str, key: str, label_sv: str | None = None, label_en: str | None = None
    ) -> Codebook:
        fields = {k: v for k, v in (("label_sv", label_sv), ("label_en", label_en)) if v}
        with self.store.transaction():
            self.store.update_code(codebook_id, key, **fields)
            return self._write_back(codebook_id)

    def update_code(self, codebook_id: str, key: str, **fields: str | None) -> Codebook:
        with self.store.transaction():
            self.store.update_code(codebook_id, key, **fields)
            return self._write_back(codebook_id)

    def move_code(self, codebook_id: str, key: str, parent: str | None) -> Codebook:
        with self.store.transaction():
            self.store.update_code(codebook_id, key, parent=parent)
            return self._write_back(codebook_id)

    def merge_codes(self, codebook_id: str, source: str, target: str) -> int:
        with self.store.transaction():
            moved = self.store.merge_codes(codebook_id, source, target)
            self._write_back(codebook_id)
        return moved

    def split_code(self, codebook_id: str, key: str, new_code: Code, coding_ids: list[int]) -> int:
        """Create `new_code` and move the chosen codings of `key` to it."""
        own = {c.id for c in self.store.codings(codebook=codebook_id, code=key)}
        stray = [i for i in coding_ids if i not in own]
        if stray:
            raise InputError(f"Codings {stray} are not coded with {key!r}.")
        with self.store.transaction():
            self.store.add_code(new_code)
            moved = self.store.move_codings(coding_ids, codebook_id, new_code.key)
            self._write_back(codebook_id)
        return moved

    def delete_code(self, codebook_id: str, key: str) -> Codebook:
        with self.store.transaction():
            self.store.delete_code(codebook_id, key)
            return self._write_back(codebook_id)
