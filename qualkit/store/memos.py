"""Memos: a coder's notes on the project, a recording, segment, code, coding or round."""

from __future__ import annotations

from typing import Any

from qualkit.errors import InputError
from qualkit.model import Memo
from qualkit.store.codebooks import CodebooksStore
from qualkit.store.connection import now
from qualkit.store.roles import OwnWritesStore


class MemosStore(OwnWritesStore, CodebooksStore):
    """The memos table."""

    def add_memo(self, target: str, target_id: str, text: str, coder: str = "default") -> Memo:
        if target not in {"project", "recording", "segment", "code", "coding", "round"}:
            raise InputError(f"A memo cannot be attached to {target!r}.")
        self._check_writes_as(coder)
        with self.transaction() as db:
            coder_id = self._coder_id(db, coder)
            cur = db.execute(
                "INSERT INTO memos(target, target_id, text, coder_id, created) VALUES (?,?,?,?,?)",
                (target, str(target_id), text, coder_id, now()),
            )
            mid = int(cur.lastrowid or 0)
        return self.memos(memo_id=mid)[0]

    def memos(
        self, target: str | None = None, target_id: str | None = None, memo_id: int | None = None
    ) -> list[Memo]:
        sql = (
            "SELECT memos.*, COALESCE(coders.name, 'default') AS coder FROM memos"
            " LEFT JOIN coders ON coders.id = memos.coder_id WHERE 1=1"
        )
        params: list[Any] = []
        if memo_id is not None:
            sql += " AND memos.id = ?"
            params.append(memo_id)
        if target is not None:
            sql += " AND target = ?"
            params.append(target)
        if target_id is not None:
            sql += " AND target_id = ?"
            params.append(str(target_id))
        rows = self._rows(sql + " ORDER BY memos.id", params)
        return [
            Memo(
                id=r["id"],
                target=r["target"],
                target_id=r["target_id"],
                text=r["text"],
                coder=r["coder"],
                created=r["created"],
            )
            for r in rows
        ]

    def delete_memo(self, memo_id: int) -> None:
        for memo in self.memos(memo_id=memo_id):
            self._check_writes_as(memo.coder)
        with self.transaction() as db:
            db.execute("DELETE FROM memos WHERE id = ?", (memo_id,))
