"""Codings: a code applied to a segment by a coder."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from qualkit.errors import InputError, NotFoundError
from qualkit.model import Coding, Valence
from qualkit.store.codebooks import CodebooksStore
from qualkit.store.connection import now
from qualkit.store.roles import OwnWritesStore


@dataclass(frozen=True, slots=True)
class CodingWrite:
    """What coding a segment did: a new coding, or an update of the one it had."""

    coding: Coding
    new: bool
    changed: tuple[str, ...] = ()  # columns of the existing coding this write changed
    old_memo: str | None = None  # its memo before, so the change can be undone

    @property
    def updated(self) -> bool:
        return bool(self.changed)


class CodingsStore(OwnWritesStore, CodebooksStore):
    """The codings table."""

    _CODING_SELECT = (
        "SELECT codings.*, codes.codebook AS codebook, codes.key AS code, coders.name AS coder"
        " FROM codings JOIN codes ON codes.pk = codings.code_pk"
        " JOIN coders ON coders.id = codings.coder_id"
    )

    @staticmethod
    def _coding(row: sqlite3.Row) -> Coding:
        return Coding(
            id=row["id"],
            segment_id=row["segment_id"],
            codebook=row["codebook"],
            code=row["code"],
            valence=Valence(row["valence"]),
            coder=row["coder"],
            created=row["created"],
            memo=row["memo"],
            span_start=row["span_start"],
            span_end=row["span_end"],
            round_id=row["round_id"],
            partner_actor=row["partner_actor"],
        )

    def add_coding(
        self,
        segment_id: int,
        codebook: str,
        code: str,
        *,
        valence: Valence = Valence.NONE,
        coder: str = "default",
        memo: str | None = None,
        span: tuple[int, int] | None = None,
        round_id: int | None = None,
        created: str | None = None,
    ) -> Coding:
        """Code a segment; the same coding given again is the one already stored (with
        the memo given now, if any)."""
        return self.insert_coding(
            segment_id,
            codebook,
            code,
            valence=valence,
            coder=coder,
            memo=memo,
            span=span,
            round_id=round_id,
            created=created,
        ).coding

    def insert_coding(
        self,
        segment_id: int,
        codebook: str,
        code: str,
        *,
        valence: Valence = Valence.NONE,
        coder: str = "default",
        memo: str | None = None,
        span: tuple[int, int] | None = None,
        round_id: int | None = None,
        created: str | None = None,
        partner: str | None = None,
    ) -> CodingWrite:
        """Code a segment, or update the coding it already has (as NVivo and ATLAS.ti do).

        A segment has one coding per code, valence, coder and span (and round): coding it
        again (a command run again with a memo, a double key press, two processes at once)
        sets the memo and partner given, if any, on that coding, and never adds a copy
        that every report and agreement would count twice. The check runs inside the write
        transaction, which holds SQLite's write lock, so no writer slips a copy in between."""
        self._check_writes_as(coder)
        with self.transaction() as db:
            seg = db.execute("SELECT text FROM segments WHERE id = ?", (segment_id,)).fetchone()
            if seg is None:
                raise NotFoundError(f"No segment with id {segment_id}.")
            pk = self._code_pk(db, codebook, code)
            if span is not None:
                start, end = span
                if not 0 <= start < end <= len(seg[0]):
                    raise InputError(
                        f"Span {start}-{end} is outside the segment's text (0-{len(seg[0])})."
                    )
            coder_id = self._coder_id(db, coder)
            same = db.execute(
                "SELECT id, memo, partner_actor FROM codings WHERE segment_id = ?"
                " AND code_pk = ? AND coder_id = ? AND valence = ? AND span_start IS ?"
                " AND span_end IS ? AND round_id IS ? ORDER BY id LIMIT 1",
                (
                    segment_id,
                    pk,
                    coder_id,
                    valence.value,
                    span[0] if span else None,
                    span[1] if span else None,
                    round_id,
                ),
            ).fetchone()
            if same is not None:
                cid, old_memo = int(same[0]), same[1]
                changed = {
                    column: value
                    for column, value, old in (
                        ("memo", memo, same[1]),
                        ("partner_actor", partner, same[2]),
                    )
                    if value is not None and value != old
                }
                if changed:
                    assignments = ", ".join(f"{k} = ?" for k in changed)
                    db.execute(
                        f"UPDATE codings SET {assignments} WHERE id = ?", (*changed.values(), cid)
                    )
                row = db.execute(self._CODING_SELECT + " WHERE codings.id = ?", (cid,)).fetchone()
                return CodingWrite(self._coding(row), False, tuple(changed), old_memo)
            cur = db.execute(
                "INSERT INTO codings(segment_id, code_pk, valence, coder_id, created, memo,"
                " span_start, span_end, round_id, partner_actor) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    segment_id,
                    pk,
                    valence.value,
                    coder_id,
                    created or now(),
                    memo,
                    span[0] if span else None,
                    span[1] if span else None,
                    round_id,
                    partner,
                ),
            )
            cid = int(cur.lastrowid or 0)
            row = db.execute(self._CODING_SELECT + " WHERE codings.id = ?", (cid,)).fetchone()
            return CodingWrite(self._coding(row), True)

    def coding(self, coding_id: int) -> Coding:
        return self._one(
            self._CODING_SELECT + " WHERE codings.id = ?",
            (coding_id,),
            f"No coding with id {coding_id}.",
            self._coding,
        )

    def codings(
        self,
        *,
        segment_id: int | None = None,
        recording_id: int | None = None,
        codebook: str | None = None,
        code: str | None = None,
        coder: str | None = None,
    ) -> list[Coding]:
        where: list[str] = []
        params: list[Any] = []
        if segment_id is not None:
            where.append("codings.segment_id = ?")
            params.append(segment_id)
        if recording_id is not None:
            where.append("codings.segment_id IN (SELECT id FROM segments WHERE recording_id = ?)")
            params.append(recording_id)
        if codebook is not None:
            where.append("codes.codebook = ?")
            params.append(codebook)
        if code is not None:
            where.append("codes.key = ?")
            params.append(code)
        if coder is not None:
            where.append("coders.name = ?")
            params.append(coder)
        sql = self._CODING_SELECT
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY codings.id"
        return [self._coding(r) for r in self._rows(sql, params)]

    def update_coding(self, coding_id: int, *, following: bool = False, **fields: Any) -> Coding:
        """Change a coding. `following`: it follows a transcript correction (a span moved
        with its words), which any coder may make; other changes are its coder's own."""
        allowed = {"valence", "memo", "span_start", "span_end"}
        unknown = set(fields) - allowed
        if unknown:
            raise InputError(f"Cannot set {', '.join(sorted(unknown))} on a coding.")
        if not following:
            self._check_writes_as(self.coding(coding_id).coder)
        values = [v.value if isinstance(v, Valence) else v for v in fields.values()]
        if fields:
            assignments = ", ".join(f"{k} = ?" for k in fields)
            with self.transaction() as db:
                db.execute(f"UPDATE codings SET {assignments} WHERE id = ?", (*values, coding_id))
                # A change that makes two codings the same would count one passage twice
                # in every report; checked under the write lock, rolled back if so.
                twin = db.execute(
                    "SELECT b.id FROM codings a JOIN codings b ON b.id != a.id"
                    " AND b.segment_id = a.segment_id AND b.code_pk = a.code_pk"
                    " AND b.coder_id = a.coder_id AND b.valence = a.valence"
                    " AND b.span_start IS a.span_start AND b.span_end IS a.span_end"
                    " AND b.round_id IS a.round_id WHERE a.id = ? LIMIT 1",
                    (coding_id,),
                ).fetchone()
                if twin is not None:
                    raise InputError(
                        f"Coding {coding_id} would become the same as coding {twin[0]} by the "
                        "same coder; remove one of them instead."
                    )
        return self.coding(coding_id)

    def set_partner_actor(self, coding_id: int, actor: str | None) -> None:
        """Name the actor the coded passage speaks about (None clears it); like every
        change of a coding, its coder's own in a team's study."""
        self._check_writes_as(self.coding(coding_id).coder)
        with self.transaction() as db:
            db.execute("UPDATE codings SET partner_actor=? WHERE id=?", (actor, coding_id))

    def remove_coding(self, coding_id: int, *, following: bool = False) -> Coding:
        removed = self.coding(coding_id)
        if not following:  # see update_coding
            self._check_writes_as(removed.coder)
        with self.transaction() as db:
            db.execute("DELETE FROM codings WHERE id = ?", (coding_id,))
        return removed

    def restore_coding(self, coding: Coding, *, following: bool = False) -> Coding:
        """Put back a removed coding with its original id (undo), partner actor and all."""
        if not following:  # see update_coding
            self._check_writes_as(coding.coder)
        with self.transaction() as db:
            pk = self._code_pk(db, coding.codebook, coding.code)
            coder_id = self._coder_id(db, coding.coder)
            db.execute(
                "INSERT INTO codings(id, segment_id, code_pk, valence, coder_id, created, memo,"
                " span_start, span_end, round_id, partner_actor)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    coding.id,
                    coding.segment_id,
                    pk,
                    coding.valence.value,
                    coder_id,
                    coding.created,
                    coding.memo,
                    coding.span_start,
                    coding.span_end,
                    coding.round_id,
                    coding.partner_actor,
                ),
            )
        return self.coding(coding.id)

    def coding_counts(self, codebook: str, coder: str | None = None) -> dict[str, dict[str, int]]:
        """{code key: {valence: n}} for one codebook."""
        sql = (
            "SELECT codes.key, codings.valence, COUNT(*) FROM codings"
            " JOIN codes ON codes.pk = codings.code_pk JOIN coders ON coders.id = codings.coder_id"
            " WHERE codes.codebook = ?"
        )
        params: list[Any] = [codebook]
        if coder is not None:
            sql += " AND coders.name = ?"
            params.append(coder)
        sql += " GROUP BY codes.key, codings.valence"
        out: dict[str, dict[str, int]] = {}
        for key, valence, n in self._rows(sql, params):
            out.setdefault(key, {})[valence] = int(n)
        return out

    def recording_coding_counts(
        self, codebook: str, coder: str | None = None
    ) -> list[tuple[int, str, int]]:
        """(recording id, code key, number of codings) for one codebook."""
        sql = (
            "SELECT segments.recording_id, codes.key, COUNT(*) FROM codings"
            " JOIN segments ON segments.id = codings.segment_id"
            " JOIN codes ON codes.pk = codings.code_pk"
            " JOIN coders ON coders.id = codings.coder_id WHERE codes.codebook = ?"
        )
        params: list[Any] = [codebook]
        if coder is not None:
            sql += " AND coders.name = ?"
            params.append(coder)
        sql += " GROUP BY segments.recording_id, codes.key"
        return [(int(r[0]), str(r[1]), int(r[2])) for r in self._rows(sql, params)]

    def coded_segment_counts(self, codebook: str, coder: str | None = None) -> dict[int, int]:
        """{recording id: segments with at least one coding in the codebook}."""
        sql = (
            "SELECT segments.recording_id, COUNT(DISTINCT codings.segment_id) FROM codings"
            " JOIN segments ON segments.id = codings.segment_id"
            " JOIN codes ON codes.pk = codings.code_pk"
            " JOIN coders ON coders.id = codings.coder_id WHERE codes.codebook = ?"
        )
        params: list[Any] = [codebook]
        if coder is not None:
            sql += " AND coders.name = ?"
            params.append(coder)
        sql += " GROUP BY segments.recording_id"
        return {int(r[0]): int(r[1]) for r in self._rows(sql, params)}

    def coded_segment_ids(self, rec_id: int | None = None) -> set[int]:
        if rec_id is None:
            rows = self._rows("SELECT DISTINCT segment_id FROM codings")
        else:
            rows = self._rows(
                "SELECT DISTINCT codings.segment_id FROM codings JOIN segments ON"
                " segments.id = codings.segment_id WHERE segments.recording_id = ?",
                (rec_id,),
            )
        return {int(r[0]) for r in rows}
