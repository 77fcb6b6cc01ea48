"""Assessment rounds: who took part, what material, and the assessors' ratings."""

from __future__ import annotations

from typing import Any

from qualkit.errors import InputError, NotFoundError
from qualkit.model import Participant, Recording, Round
from qualkit.store.codebooks import CodebooksStore
from qualkit.store.people import PeopleStore
from qualkit.store.recordings import RecordingsStore


class RoundsStore(RecordingsStore, PeopleStore, CodebooksStore):
    """The rounds, round_participants, round_material and ratings tables."""

    def add_round(
        self, name: str, date: str, co_assessor: str | None = None, description: str = ""
    ) -> Round:
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM rounds WHERE name = ?", (name,)).fetchone():
                raise InputError(f"A round named {name!r} already exists.")
            cur = db.execute(
                "INSERT INTO rounds(name, date, co_assessor, description) VALUES (?,?,?,?)",
                (name, date, co_assessor, description),
            )
            rid = int(cur.lastrowid or 0)
        return self.round(rid)

    def round(self, round_id: int) -> Round:
        rows = self._rows("SELECT * FROM rounds WHERE id = ?", (round_id,))
        if not rows:
            raise NotFoundError(f"No round with id {round_id}.")
        r = rows[0]
        return Round(
            id=r["id"],
            name=r["name"],
            date=r["date"],
            co_assessor=r["co_assessor"],
            description=r["description"],
        )

    def rounds(self) -> list[Round]:
        return [
            self.round(int(r[0])) for r in self._rows("SELECT id FROM rounds ORDER BY date, id")
        ]

    def round_by_name(self, name: str) -> Round | None:
        rows = self._rows("SELECT id FROM rounds WHERE name = ?", (name,))
        return self.round(int(rows[0][0])) if rows else None

    def update_round(self, round_id: int, **fields: Any) -> Round:
        allowed = {"name", "date", "co_assessor", "description"}
        unknown = set(fields) - allowed
        if unknown:
            raise InputError(f"Cannot set {', '.join(sorted(unknown))} on a round.")
        self.round(round_id)
        if fields:
            assignments = ", ".join(f"{k} = ?" for k in fields)
            with self.transaction() as db:
                db.execute(
                    f"UPDATE rounds SET {assignments} WHERE id = ?", (*fields.values(), round_id)
                )
        return self.round(round_id)

    def add_round_participant(self, round_id: int, participant_id: int) -> None:
        self.round(round_id)
        self.participant(participant_id)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO round_participants(round_id, participant_id) VALUES (?, ?)"
                " ON CONFLICT DO NOTHING",
                (round_id, participant_id),
            )

    def round_participants(self, round_id: int) -> list[Participant]:
        return [
            self._participant(r)
            for r in self._rows(
                "SELECT participants.* FROM participants JOIN round_participants ON"
                " round_participants.participant_id = participants.id"
                " WHERE round_participants.round_id = ? ORDER BY participants.id",
                (round_id,),
            )
        ]

    def add_round_material(self, round_id: int, rec_id: int) -> None:
        self.round(round_id)
        self.recording(rec_id)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO round_material(round_id, recording_id) VALUES (?, ?)"
                " ON CONFLICT DO NOTHING",
                (round_id, rec_id),
            )

    def round_material(self, round_id: int) -> list[Recording]:
        return [
            self.recording(int(r[0]))
            for r in self._rows(
                "SELECT recording_id FROM round_material WHERE round_id = ? ORDER BY recording_id",
                (round_id,),
            )
        ]

    def set_rating(
        self,
        round_id: int,
        participant_id: int | None,
        assessor: str,
        codebook: str,
        code: str,
        rating: int,
        comment: str = "",
    ) -> None:
        """Record (or replace) one assessor's 1-5 rating of a cell, for a participant or overall."""
        if not 1 <= rating <= 5:
            raise InputError(f"A rating is 1-5, not {rating}.")
        if not assessor.strip():
            raise InputError("A rating needs an assessor.")
        self.round(round_id)
        with self.transaction() as db:
            self._code_pk(db, codebook, code)
            # UNIQUE does not see two NULL participants as equal, so replace by hand.
            db.execute(
                "DELETE FROM ratings WHERE round_id = ? AND participant_id IS ? AND assessor = ?"
                " AND codebook = ? AND code = ?",
                (round_id, participant_id, assessor, codebook, code),
            )
            db.execute(
                "INSERT INTO ratings(round_id, participant_id, assessor, codebook, code, rating,"
                " comment) VALUES (?,?,?,?,?,?,?)",
                (round_id, participant_id, assessor, codebook, code, rating, comment),
            )

    def ratings(self, round_id: int, codebook: str | None = None) -> list[dict[str, Any]]:
        """Ratings of one round as plain rows (qualkit.rounds turns them into records)."""
        sql = "SELECT * FROM ratings WHERE round_id = ?"
        params: list[Any] = [round_id]
        if codebook is not None:
            sql += " AND codebook = ?"
            params.append(codebook)
        return [dict(r) for r in self._rows(sql + " ORDER BY id", params)]

    def delete_round(self, round_id: int) -> None:
        with self.transaction() as db:
            db.execute("UPDATE codings SET round_id = NULL WHERE round_id = ?", (round_id,))
            db.execute("DELETE FROM rounds WHERE id = ?", (round_id,))
