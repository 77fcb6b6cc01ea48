"""Participants (the people who speak) and pseudonyms (what replaces their names)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from qualkit.errors import InputError
from qualkit.model import Actor, Consent, Participant, Pseudonym
from qualkit.store.connection import StoreBase
from qualkit.store.recordings import kommun_spelling

# What a participant row holds besides its id (and what update_participant may set).
_PARTICIPANT_COLUMNS = (
    "pseudonym",
    "role",
    "actor",
    "kommun",
    "attributes",
    "consent",
    "consent_date",
    "real_name",
)

# Where a participant is referred to; rounds and ratings would go with a deleted one.
_PARTICIPANT_USES = (
    "SELECT 1 FROM speakers WHERE participant_id = ?",
    "SELECT 1 FROM round_participants WHERE participant_id = ?",
    "SELECT 1 FROM ratings WHERE participant_id = ?",
    "SELECT 1 FROM voiceprints WHERE participant_id = ?",
    "SELECT 1 FROM voice_merges WHERE kept_participant_id = ? OR dropped_participant_id = ?",
)


def next_participant_label(taken: set[str]) -> str:
    """The lowest "Deltagare N" no participant is called (`taken`: pseudonyms as they read,
    `reads_as`).

    Not the count of participants plus one: with 'Kim' named first, or 'Deltagare 5'
    typed for the first voice, the next unnamed one is 'Deltagare 1', not 2 or 6; and
    'deltagare 3' typed in lower case is taken, so no two participants read the same."""
    n = 1
    while f"deltagare {n}" in taken:
        n += 1
    return f"Deltagare {n}"


def reads_as(pseudonym: str) -> str:
    """How a pseudonym reads: "Deltagare 1", "deltagare  1" and "DELTAGARE 1" read alike,
    so two participants are never told apart by case or spacing alone."""
    return " ".join(pseudonym.split()).casefold()


def _taken_by(db: sqlite3.Connection, pseudonym: str, other_than: int | None = None) -> str | None:
    """The pseudonym of another participant that reads as `pseudonym`, if there is one."""
    wanted = reads_as(pseudonym)
    for pid, name in db.execute("SELECT id, pseudonym FROM participants"):
        if pid != other_than and reads_as(str(name)) == wanted:
            return str(name)
    return None


class PeopleStore(StoreBase):
    """The participants and pseudonyms tables."""

    def _participant(self, row: sqlite3.Row) -> Participant:
        return Participant(
            id=row["id"],
            pseudonym=row["pseudonym"],
            role=row["role"],
            actor=Actor(row["actor"]) if row["actor"] else None,
            kommun=row["kommun"],
            attributes=MappingProxyType(json.loads(row["attributes"])),
            consent=Consent(row["consent"]),
            consent_date=row["consent_date"],
            real_name=row["real_name"],
        )

    def add_participant(
        self,
        pseudonym: str | None = None,
        *,
        role: str = "",
        actor: Actor | None = None,
        kommun: str | None = None,
        attributes: Mapping[str, str] | None = None,
        consent: Consent = Consent.UNKNOWN,
        consent_date: str | None = None,
        real_name: str | None = None,
    ) -> Participant:
        with self.transaction() as db:
            kommun = kommun_spelling(db, kommun)
            if pseudonym is None:
                taken = {
                    reads_as(str(r[0])) for r in db.execute("SELECT pseudonym FROM participants")
                }
                pseudonym = next_participant_label(taken)
            elif (same := _taken_by(db, pseudonym)) is not None:
                raise InputError(f"A participant called {same!r} already exists.")
            cur = db.execute(
                "INSERT INTO participants(pseudonym, role, actor, kommun, attributes, consent,"
                " consent_date, real_name) VALUES (?,?,?,?,?,?,?,?)",
                (
                    pseudonym,
                    role,
                    actor.value if actor else None,
                    kommun,
                    json.dumps(dict(attributes or {}), ensure_ascii=False),
                    consent.value,
                    consent_date,
                    real_name,
                ),
            )
            pid = int(cur.lastrowid or 0)
        return self.participant(pid)

    def participant(self, pid: int) -> Participant:
        return self._one(
            "SELECT * FROM participants WHERE id = ?",
            (pid,),
            f"No participant with id {pid}.",
            self._participant,
        )

    def participants(self) -> list[Participant]:
        return [self._participant(r) for r in self._rows("SELECT * FROM participants ORDER BY id")]

    def update_participant(self, pid: int, **fields: Any) -> Participant:
        unknown = set(fields) - set(_PARTICIPANT_COLUMNS)
        if unknown:
            raise InputError(f"Cannot set {', '.join(sorted(unknown))} on a participant.")
        self.participant(pid)
        if not fields:
            return self.participant(pid)
        with self.transaction() as db:
            if "kommun" in fields:
                fields["kommun"] = kommun_spelling(db, fields["kommun"], participant=pid)
            pseudonym = fields.get("pseudonym")
            if pseudonym is not None and (same := _taken_by(db, pseudonym, pid)) is not None:
                raise InputError(f"A participant called {same!r} already exists.")
            self._update_participant(db, pid, fields)
        return self.participant(pid)

    def put_participant(self, person: Participant) -> None:
        """Write a participant row exactly as given (id included), inserting it if it is
        gone: redo of a naming gives the person back the id the voice was linked to."""
        values = (
            person.pseudonym,
            person.role,
            person.actor.value if person.actor else None,
            person.kommun,
            json.dumps(dict(person.attributes), ensure_ascii=False),
            person.consent.value,
            person.consent_date,
            person.real_name,
            person.id,
        )
        self._put_row("participants", _PARTICIPANT_COLUMNS, values)

    def delete_unused_participant(self, pid: int) -> bool:
        """Remove a participant nothing refers to (undo of a naming that made them);
        False, changing nothing, while a voice, a round, a rating, a voiceprint or a
        merge record still names them: deleting would take those with it."""
        with self.transaction() as db:
            for sql in _PARTICIPANT_USES:
                if db.execute(sql, (pid,) * sql.count("?")).fetchone() is not None:
                    return False
            db.execute("DELETE FROM participants WHERE id = ?", (pid,))
        return True

    @staticmethod
    def _update_participant(db: sqlite3.Connection, pid: int, fields: dict[str, Any]) -> None:
        values: list[Any] = []
        for key, value in fields.items():
            if key == "attributes":
                value = json.dumps(dict(value or {}), ensure_ascii=False)
            elif isinstance(value, (Actor, Consent)):
                value = value.value
            values.append(value)
        assignments = ", ".join(f"{k} = ?" for k in fields)
        db.execute(f"UPDATE participants SET {assignments} WHERE id = ?", (*values, pid))
        if fields.get("consent") in (Consent.WITHDRAWN, Consent.WITHDRAWN.value):
            # A voiceprint is personal data: withdrawing consent deletes it, and the
            # person's voice centroids it could be enrolled from again.
            db.execute("DELETE FROM voiceprints WHERE participant_id = ?", (pid,))
            db.execute(
                "DELETE FROM voice_centroids WHERE speaker_id IN"
                " (SELECT id FROM speakers WHERE participant_id = ?)",
                (pid,),
            )

    def set_pseudonym(
        self, kind: str, original: str, replacement: str, status: str = "proposed"
    ) -> Pseudonym:
        if status not in {"proposed", "accepted", "rejected"}:
            raise InputError(f"Unknown pseudonym status {status!r}.")
        with self.transaction() as db:
            db.execute(
                "INSERT INTO pseudonyms(kind, original, replacement, status) VALUES (?,?,?,?)"
                " ON CONFLICT(kind, original) DO UPDATE SET replacement = excluded.replacement,"
                " status = excluded.status",
                (kind, original, replacement, status),
            )
            row = db.execute(
                "SELECT * FROM pseudonyms WHERE kind = ? AND original = ?", (kind, original)
            ).fetchone()
        return self._pseudonym(row)

    @staticmethod
    def _pseudonym(row: sqlite3.Row) -> Pseudonym:
        return Pseudonym(
            id=row["id"],
            kind=row["kind"],
            original=row["original"],
            replacement=row["replacement"],
            status=row["status"],
        )

    def pseudonyms(self, status: str | None = None) -> list[Pseudonym]:
        if status is None:
            rows = self._rows("SELECT * FROM pseudonyms ORDER BY id")
        else:
            rows = self._rows("SELECT * FROM pseudonyms WHERE status = ? ORDER BY id", (status,))
        return [self._pseudonym(r) for r in rows]

    def pseudonym(self, pseudonym_id: int) -> Pseudonym:
        return self._one(
            "SELECT * FROM pseudonyms WHERE id = ?",
            (pseudonym_id,),
            f"No pseudonym proposal with id {pseudonym_id}.",
            self._pseudonym,
        )

    def update_pseudonym(
        self, pseudonym_id: int, *, status: str | None = None, replacement: str | None = None
    ) -> Pseudonym:
        """Accept, reject or edit one proposal."""
        if status is not None and status not in {"proposed", "accepted", "rejected"}:
            raise InputError(f"Unknown pseudonym status {status!r}.")
        if replacement is not None and not replacement.strip():
            raise InputError("A replacement cannot be empty.")
        current = self.pseudonym(pseudonym_id)
        with self.transaction() as db:
            db.execute(
                "UPDATE pseudonyms SET status = ?, replacement = ? WHERE id = ?",
                (status or current.status, replacement or current.replacement, pseudonym_id),
            )
        return self.pseudonym(pseudonym_id)
