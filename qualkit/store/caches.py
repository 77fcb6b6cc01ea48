"""What the suggestion engine keeps: text embeddings and coders' feedback on suggestions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from qualkit.errors import NotFoundError
from qualkit.store.codebooks import CodebooksStore
from qualkit.store.connection import now


class CachesStore(CodebooksStore):
    """The embeddings and suggestion_feedback tables."""

    def cached_embeddings(self, model_id: str, hashes: Sequence[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for i in range(0, len(hashes), 500):
            chunk = list(hashes[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for r in self._rows(
                f"SELECT text_sha256, vector FROM embeddings WHERE model_id = ? AND"
                f" text_sha256 IN ({marks})",
                (model_id, *chunk),
            ):
                out[str(r[0])] = bytes(r[1])
        return out

    def put_embeddings(self, model_id: str, dim: int, items: Iterable[tuple[str, bytes]]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO embeddings(model_id, text_sha256, dim, vector) VALUES (?,?,?,?)"
                " ON CONFLICT(model_id, text_sha256) DO UPDATE SET dim = excluded.dim,"
                " vector = excluded.vector",
                [(model_id, h, dim, v) for h, v in items],
            )

    def add_suggestion_feedback(
        self, segment_id: int, codebook: str, code: str, accepted: bool, coder: str = "default"
    ) -> int:
        """Record that a coder accepted or rejected a suggested code for a segment."""
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM segments WHERE id = ?", (segment_id,)).fetchone() is None:
                raise NotFoundError(f"No segment with id {segment_id}.")
            self._code_pk(db, codebook, code)
            coder_id = self._coder_id(db, coder)
            cur = db.execute(
                "INSERT INTO suggestion_feedback(segment_id, codebook, code, accepted, coder_id,"
                " created) VALUES (?,?,?,?,?,?)",
                (segment_id, codebook, code, int(accepted), coder_id, now()),
            )
            return int(cur.lastrowid or 0)

    def suggestion_feedback(
        self, codebook: str, segment_id: int | None = None
    ) -> list[tuple[int, str, bool]]:
        """(segment id, code, accepted) in the order given; the latest word counts most."""
        sql = "SELECT segment_id, code, accepted FROM suggestion_feedback WHERE codebook = ?"
        params: list[Any] = [codebook]
        if segment_id is not None:
            sql += " AND segment_id = ?"
            params.append(segment_id)
        return [
            (int(r[0]), str(r[1]), bool(r[2])) for r in self._rows(sql + " ORDER BY id", params)
        ]

    def suggested_codings(
        self, codebook: str, *, recording_id: int | None = None, segment_id: int | None = None
    ) -> dict[tuple[int, str, str], str]:
        """(segment id, code, coder) that a coder took from the suggestions, with when:
        the coder's latest word on that code for that segment was "taken" (`a` or `A` in
        the app). A coding made after that time was typed, not taken (an undone
        suggestion coded again by hand)."""
        sql = (
            "SELECT f.segment_id, f.code, c.name, f.accepted, f.created FROM suggestion_feedback"
            " f JOIN coders c ON c.id = f.coder_id JOIN segments s ON s.id = f.segment_id"
            " WHERE f.codebook = ?"
        )
        params: list[Any] = [codebook]
        if recording_id is not None:
            sql += " AND s.recording_id = ?"
            params.append(recording_id)
        if segment_id is not None:
            sql += " AND f.segment_id = ?"
            params.append(segment_id)
        latest = {
            (int(r[0]), str(r[1]), str(r[2])): (bool(r[3]), str(r[4]))
            for r in self._rows(sql + " ORDER BY f.id", params)
        }
        return {key: when for key, (taken, when) in latest.items() if taken}

    def suggestion_state(self, codebook: str) -> tuple[int, ...]:
        """A fingerprint that changes whenever codings or feedback for a codebook change."""
        coded = self._rows(
            # Code moves (merge, split), valence edits and text edits all change a term.
            "SELECT COUNT(*), COALESCE(MAX(codings.id), 0),"
            " COALESCE(SUM(codings.segment_id * 7 + codings.code_pk * 13), 0),"
            " COALESCE(SUM(length(codings.valence) + length(segments.text)), 0)"
            " FROM codings JOIN codes ON codes.pk = codings.code_pk"
            " JOIN segments ON segments.id = codings.segment_id WHERE codes.codebook = ?",
            (codebook,),
        )[0]
        fed = self._rows(
            "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM suggestion_feedback WHERE codebook = ?",
            (codebook,),
        )[0]
        return (*(int(v) for v in coded), int(fed[0]), int(fed[1]))
