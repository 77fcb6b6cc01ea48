"""Codebooks, their codes, and the coders who apply them."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from qualkit.errors import InputError, NotFoundError
from qualkit.model import Code, Codebook, Coder
from qualkit.spelling import known_spelling, tidy
from qualkit.store.connection import StoreBase


class CodebooksStore(StoreBase):
    """The codebooks, codes and coders tables."""

    def _code(self, row: sqlite3.Row) -> Code:
        return Code(
            codebook=row["codebook"],
            key=row["key"],
            label_sv=row["label_sv"],
            label_en=row["label_en"],
            description=row["description"],
            parent=row["parent"],
            colour=row["colour"],
            hotkey=row["hotkey"],
        )

    def codebook_ids(self) -> list[str]:
        return [str(r[0]) for r in self._rows("SELECT id FROM codebooks ORDER BY id")]

    def codebook(self, codebook_id: str) -> Codebook:
        rows = self._rows("SELECT * FROM codebooks WHERE id = ?", (codebook_id,))
        if not rows:
            known = ", ".join(self.codebook_ids()) or "none"
            raise NotFoundError(f"No codebook {codebook_id!r} in this project (known: {known}).")
        row = rows[0]
        codes = tuple(
            self._code(r)
            for r in self._rows(
                "SELECT * FROM codes WHERE codebook = ? ORDER BY position, pk", (codebook_id,)
            )
        )
        return Codebook(
            id=row["id"],
            name=row["name"],
            codes=codes,
            description=row["description"],
            version=row["version"],
            name_en=row["name_en"],
        )

    def codebook_source_hash(self, codebook_id: str) -> str | None:
        rows = self._rows("SELECT source_sha256 FROM codebooks WHERE id = ?", (codebook_id,))
        return str(rows[0][0]) if rows else None

    def upsert_codebook(self, book: Codebook, source_sha256: str = "") -> None:
        """Insert or update a codebook's codes by key. Codes missing from `book` are kept
        (they may carry codings); labels, parents and descriptions follow `book`."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO codebooks(id, name, name_en, description, version, source_sha256) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, "
                "name_en = excluded.name_en, "
                "description = excluded.description, version = excluded.version, "
                "source_sha256 = excluded.source_sha256",
                (book.id, book.name, book.name_en, book.description, book.version, source_sha256),
            )
            for pos, code in enumerate(book.codes):
                db.execute(
                    "INSERT INTO codes(codebook, key, label_sv, label_en, description, parent,"
                    " colour, hotkey, position) VALUES (?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT(codebook, key) DO UPDATE SET label_sv = excluded.label_sv, "
                    "label_en = excluded.label_en, description = excluded.description, "
                    "parent = excluded.parent, colour = excluded.colour, "
                    "hotkey = excluded.hotkey, position = excluded.position",
                    (
                        book.id,
                        code.key,
                        code.label_sv,
                        code.label_en,
                        code.description,
                        code.parent,
                        code.colour,
                        code.hotkey,
                        pos,
                    ),
                )

    def _code_pk(self, db: sqlite3.Connection, codebook_id: str, key: str) -> int:
        row = db.execute(
            "SELECT pk FROM codes WHERE codebook = ? AND key = ?", (codebook_id, key)
        ).fetchone()
        if row is None:
            if not db.execute("SELECT 1 FROM codebooks WHERE id = ?", (codebook_id,)).fetchone():
                books = ", ".join(r[0] for r in db.execute("SELECT id FROM codebooks ORDER BY id"))
                raise NotFoundError(
                    f"No codebook {codebook_id!r} in this project (known: {books or 'none'})."
                )
            known = ", ".join(
                r[0] for r in db.execute("SELECT key FROM codes WHERE codebook = ?", (codebook_id,))
            )
            raise NotFoundError(
                f"Unknown code {key!r} in codebook {codebook_id!r}. Known codes: {known or 'none'}."
            )
        return int(row[0])

    def add_code(self, code: Code) -> Code:
        with self.transaction() as db:
            if not db.execute("SELECT 1 FROM codebooks WHERE id = ?", (code.codebook,)).fetchone():
                raise NotFoundError(f"No codebook {code.codebook!r}.")
            if db.execute(
                "SELECT 1 FROM codes WHERE codebook = ? AND key = ?", (code.codebook, code.key)
            ).fetchone():
                raise InputError(f"Code {code.key!r} already exists in {code.codebook!r}.")
            if code.parent is not None:
                self._code_pk(db, code.codebook, code.parent)
            pos = db.execute(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM codes WHERE codebook = ?",
                (code.codebook,),
            ).fetchone()[0]
            db.execute(
                "INSERT INTO codes(codebook, key, label_sv, label_en, description, parent, colour,"
                " hotkey, position) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    code.codebook,
                    code.key,
                    code.label_sv,
                    code.label_en,
                    code.description,
                    code.parent,
                    code.colour,
                    code.hotkey,
                    pos,
                ),
            )
        return code

    def update_code(self, codebook_id: str, key: str, **fields: Any) -> Code:
        """Rename (labels), re-describe, recolour or move (parent) a code; codings stay."""
        allowed = {"label_sv", "label_en", "description", "parent", "colour", "hotkey"}
        unknown = set(fields) - allowed
        if unknown:
            raise InputError(f"Cannot set {', '.join(sorted(unknown))} on a code.")
        with self.transaction() as db:
            self._code_pk(db, codebook_id, key)
            parent = fields.get("parent")
            if parent is not None:
                self._code_pk(db, codebook_id, parent)
                # Refuse cycles: walk up from the new parent.
                cursor: str | None = parent
                while cursor is not None:
                    if cursor == key:
                        raise InputError(f"Moving {key!r} under {parent!r} would make a cycle.")
                    row = db.execute(
                        "SELECT parent FROM codes WHERE codebook = ? AND key = ?",
                        (codebook_id, cursor),
                    ).fetchone()
                    cursor = row[0] if row else None
            if fields:
                assignments = ", ".join(f"{k} = ?" for k in fields)
                db.execute(
                    f"UPDATE codes SET {assignments} WHERE codebook = ? AND key = ?",
                    (*fields.values(), codebook_id, key),
                )
        return self.codebook(codebook_id).code(key)

    def merge_codes(self, codebook_id: str, source: str, target: str) -> int:
        """Move every coding of `source` to `target`, then delete `source`. Returns the count."""
        if source == target:
            raise InputError("A code cannot be merged into itself.")
        with self.transaction() as db:
            src, dst = (
                self._code_pk(db, codebook_id, source),
                self._code_pk(db, codebook_id, target),
            )
            moved = db.execute(
                "UPDATE codings SET code_pk = ? WHERE code_pk = ?", (dst, src)
            ).rowcount
            db.execute(
                "UPDATE codes SET parent = ? WHERE codebook = ? AND parent = ?",
                (target, codebook_id, source),
            )
            db.execute("DELETE FROM codes WHERE pk = ?", (src,))
        return int(moved)

    def move_codings(self, coding_ids: Sequence[int], codebook_id: str, target: str) -> int:
        """Recode chosen codings to another code (the core of splitting a code)."""
        with self.transaction() as db:
            dst = self._code_pk(db, codebook_id, target)
            n = 0
            for cid in coding_ids:
                n += db.execute("UPDATE codings SET code_pk = ? WHERE id = ?", (dst, cid)).rowcount
        return n

    def delete_code(self, codebook_id: str, key: str) -> None:
        with self.transaction() as db:
            pk = self._code_pk(db, codebook_id, key)
            used = db.execute("SELECT COUNT(*) FROM codings WHERE code_pk = ?", (pk,)).fetchone()[0]
            if used:
                raise InputError(
                    f"Code {key!r} has {used} codings; merge it into another code instead."
                )
            if db.execute(
                "SELECT 1 FROM codes WHERE codebook = ? AND parent = ?", (codebook_id, key)
            ).fetchone():
                raise InputError(f"Code {key!r} has sub-codes; move them first.")
            db.execute("DELETE FROM codes WHERE pk = ?", (pk,))

    def _coder_id(self, db: sqlite3.Connection, name: str, role: str = "") -> int:
        """The id of coder `name`, created when new: the one way a coder comes to exist."""
        name = tidy(name)
        if not name:
            raise InputError("A coder needs a name.")
        # Looked up first: every coding asks, and the coder is almost always there (one
        # statement, not two, in a write that holds the study's lock on a server).
        row = db.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        if row is not None:
            return int(row[0])
        # 'Anna' when 'anna' codes already is the same person: a second coder would split
        # her work and join every agreement as a coder of her own.
        names = [str(r[0]) for r in db.execute("SELECT name FROM coders ORDER BY id").fetchall()]
        same = known_spelling(name, names)
        if same is not None:
            return self._coder_id(db, same)
        db.execute(
            "INSERT INTO coders(name, role) VALUES (?, ?) ON CONFLICT DO NOTHING", (name, role)
        )
        return int(db.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()[0])

    def ensure_coder(self, name: str, role: str = "") -> Coder:
        with self.transaction() as db:
            coder_id = self._coder_id(db, name, role)
            row = db.execute("SELECT * FROM coders WHERE id = ?", (coder_id,)).fetchone()
        return Coder(id=row["id"], name=row["name"], role=row["role"])

    def coders(self) -> list[Coder]:
        return [
            Coder(id=r["id"], name=r["name"], role=r["role"])
            for r in self._rows("SELECT * FROM coders ORDER BY id")
        ]
