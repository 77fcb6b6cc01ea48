"""Voiceprints (a participant's voice embedding centroid), each voice's centroid per
recording, and the voices named automatically by a voiceprint.

A voiceprint is personal data: it belongs to its participant (deleting the participant
deletes it, and so does withdrawing consent: PeopleStore.update_participant), holds a
vector and never audio, and no export reads these tables. Vectors are stored as bytes
(little-endian float32) with their dimension and the speaker model that made them, since
embeddings of different models cannot be compared.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from qualkit.errors import InputError, NotFoundError
from qualkit.store.connection import StoreBase, now

NAMED, UNDONE = "named", "undone"
# Between the "RECORDING / VOICE" sources of a voiceprint enrolled from several recordings.
SOURCE_SEP = "; "


@dataclass(frozen=True, slots=True)
class Voiceprint:
    """One enrolled voice. `matches`: voices it names now, in any recording."""

    id: int
    participant_id: int
    recording_id: int | None
    source: str  # "RECORDING / VOICE" at enrolment, kept if the recording is deleted
    model: str
    dim: int
    vector: bytes
    seconds: float
    created: str
    matches: int = 0


@dataclass(frozen=True, slots=True)
class VoiceCentroid:
    """A voice's mean embedding in one recording (what enrolment and matching read)."""

    speaker_id: int
    model: str
    dim: int
    vector: bytes


@dataclass(frozen=True, slots=True)
class VoiceMatchRecord:
    """A voice named by a voiceprint (status 'named'), or a naming the user undid."""

    speaker_id: int
    voiceprint_id: int
    participant_id: int
    score: float
    status: str
    created: str


def _check_vector(dim: int, vector: bytes) -> None:
    if dim < 1 or len(vector) != 4 * dim:
        raise InputError(f"A voice embedding of {dim} dimensions must be {4 * dim} bytes.")


class VoiceprintsStore(StoreBase):
    """The voiceprints, voice_centroids and voice_matches tables."""

    # ------------------------------------------------------------ centroids
    def put_voice_centroids(self, items: Iterable[VoiceCentroid]) -> None:
        """Keep (or replace) the centroid of each voice given."""
        rows = []
        for c in items:
            _check_vector(c.dim, c.vector)
            rows.append((c.speaker_id, c.model, c.dim, c.vector))
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO voice_centroids(speaker_id, model, dim, vector) VALUES (?,?,?,?)"
                " ON CONFLICT(speaker_id) DO UPDATE SET model = excluded.model,"
                " dim = excluded.dim, vector = excluded.vector",
                rows,
            )

    def voice_centroids(self, rec_id: int) -> dict[int, VoiceCentroid]:
        """{speaker id: centroid} for the voices of one recording that have one."""
        rows = self._rows(
            "SELECT voice_centroids.* FROM voice_centroids JOIN speakers"
            " ON speakers.id = voice_centroids.speaker_id WHERE speakers.recording_id = ?"
            " ORDER BY voice_centroids.speaker_id",
            (rec_id,),
        )
        return {
            int(r["speaker_id"]): VoiceCentroid(
                int(r["speaker_id"]), str(r["model"]), int(r["dim"]), bytes(r["vector"])
            )
            for r in rows
        }

    # ---------------------------------------------------------- voiceprints
    @staticmethod
    def _voiceprint(row: sqlite3.Row) -> Voiceprint:
        return Voiceprint(
            id=int(row["id"]),
            participant_id=int(row["participant_id"]),
            recording_id=row["recording_id"],
            source=str(row["source"]),
            model=str(row["model"]),
            dim=int(row["dim"]),
            vector=bytes(row["vector"]),
            seconds=float(row["seconds"]),
            created=str(row["created"]),
            matches=int(row["matches"]),
        )

    _SELECT = (
        "SELECT voiceprints.*, (SELECT COUNT(*) FROM voice_matches JOIN speakers"
        " ON speakers.id = voice_matches.speaker_id"
        " WHERE voice_matches.voiceprint_id = voiceprints.id AND voice_matches.status = 'named'"
        " AND speakers.participant_id = voiceprints.participant_id) AS matches FROM voiceprints"
    )

    def add_voiceprint(
        self,
        participant_id: int,
        *,
        recording_id: int | None,
        source: str,
        model: str,
        dim: int,
        vector: bytes,
        seconds: float = 0.0,
        replace: bool = False,
    ) -> Voiceprint:
        """Enrol a participant's voice; one voiceprint per participant (`replace` swaps it)."""
        _check_vector(dim, vector)
        with self.transaction() as db:
            old = db.execute(
                "SELECT id FROM voiceprints WHERE participant_id = ?", (participant_id,)
            ).fetchone()
            if old is not None:
                if not replace:
                    raise InputError(
                        "This participant already has a voiceprint; add --replace to "
                        "enrol the voice again, or forget the old one first."
                    )
                db.execute("DELETE FROM voiceprints WHERE id = ?", (old[0],))
            row = db.execute(
                "INSERT INTO voiceprints(participant_id, recording_id, source, model, dim,"
                " vector, seconds, created) VALUES (?,?,?,?,?,?,?,?) RETURNING id",
                (participant_id, recording_id, source, model, dim, vector, seconds, now()),
            ).fetchone()
        return self.voiceprint(int(row[0]))

    def extend_voiceprint(
        self, voiceprint_id: int, *, source: str, vector: bytes, seconds: float
    ) -> Voiceprint:
        """Replace a voiceprint's vector by one that also holds another recording's voice
        (the caller averages), adding `source` and the seconds of speech."""
        old = self.voiceprint(voiceprint_id)
        _check_vector(old.dim, vector)
        with self.transaction() as db:
            db.execute(
                "UPDATE voiceprints SET vector = ?, seconds = ?, source = ? WHERE id = ?",
                (vector, old.seconds + seconds, f"{old.source}{SOURCE_SEP}{source}", old.id),
            )
        return self.voiceprint(voiceprint_id)

    def voiceprint(self, voiceprint_id: int) -> Voiceprint:
        return self._one(
            f"{self._SELECT} WHERE voiceprints.id = ?",
            (voiceprint_id,),
            f"No voiceprint with id {voiceprint_id}.",
            self._voiceprint,
        )

    def voiceprint_of(self, participant_id: int) -> Voiceprint | None:
        rows = self._rows(f"{self._SELECT} WHERE participant_id = ?", (participant_id,))
        return self._voiceprint(rows[0]) if rows else None

    def voiceprints(self) -> list[Voiceprint]:
        return [self._voiceprint(r) for r in self._rows(f"{self._SELECT} ORDER BY id")]

    def delete_voiceprint(self, participant_id: int) -> bool:
        """Forget a participant's voiceprint (the names it gave stay); False if none."""
        with self.transaction() as db:
            cur = db.execute("DELETE FROM voiceprints WHERE participant_id = ?", (participant_id,))
        return cur.rowcount > 0

    # -------------------------------------------------------------- matches
    @staticmethod
    def _match(row: sqlite3.Row) -> VoiceMatchRecord:
        return VoiceMatchRecord(
            int(row["speaker_id"]),
            int(row["voiceprint_id"]),
            int(row["participant_id"]),
            float(row["score"]),
            str(row["status"]),
            str(row["created"]),
        )

    _MATCHES = (
        "SELECT voice_matches.*, voiceprints.participant_id FROM voice_matches"
        " JOIN voiceprints ON voiceprints.id = voice_matches.voiceprint_id"
        " JOIN speakers ON speakers.id = voice_matches.speaker_id"
    )

    def voice_matches(self, rec_id: int) -> list[VoiceMatchRecord]:
        """Every automatic naming (and undone one) of this recording's voices."""
        rows = self._rows(
            f"{self._MATCHES} WHERE speakers.recording_id = ? ORDER BY voice_matches.speaker_id",
            (rec_id,),
        )
        return [self._match(r) for r in rows]

    def name_by_voiceprint(self, speaker_id: int, voiceprint_id: int, score: float) -> None:
        """Link a voice to the voiceprint's participant and remember the score."""
        with self.transaction() as db:
            pid = db.execute(
                "SELECT participant_id FROM voiceprints WHERE id = ?", (voiceprint_id,)
            ).fetchone()
            if pid is None:
                raise NotFoundError(f"No voiceprint with id {voiceprint_id}.")
            db.execute("UPDATE speakers SET participant_id = ? WHERE id = ?", (pid[0], speaker_id))
            db.execute(
                "INSERT INTO voice_matches(speaker_id, voiceprint_id, score, status, created)"
                " VALUES (?,?,?,?,?) ON CONFLICT(speaker_id, voiceprint_id) DO UPDATE SET"
                " score = excluded.score, status = excluded.status, created = excluded.created",
                (speaker_id, voiceprint_id, score, NAMED, now()),
            )

    def restore_voice_match(self, match: VoiceMatchRecord) -> None:
        """Give a voice back the name a voiceprint gave it (undo of `undo_voice_match`)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE speakers SET participant_id = ? WHERE id = ?",
                (match.participant_id, match.speaker_id),
            )
            db.execute(
                "UPDATE voice_matches SET status = ? WHERE speaker_id = ? AND voiceprint_id = ?",
                (match.status, match.speaker_id, match.voiceprint_id),
            )

    def undo_voice_match(self, speaker_id: int) -> VoiceMatchRecord:
        """Take back an automatic naming: the voice is unnamed again and this voiceprint
        will not name it again (another one still may)."""
        rows = self._rows(
            f"{self._MATCHES} WHERE voice_matches.speaker_id = ? AND status = ?"
            " AND speakers.participant_id = voiceprints.participant_id",
            (speaker_id, NAMED),
        )
        if not rows:
            raise NotFoundError(
                "That voice was not named by a voiceprint; to change a name you gave, "
                "use qualkit speakers --name."
            )
        match = self._match(rows[0])
        with self.transaction() as db:
            db.execute("UPDATE speakers SET participant_id = NULL WHERE id = ?", (speaker_id,))
            db.execute(
                "UPDATE voice_matches SET status = ? WHERE speaker_id = ? AND voiceprint_id = ?",
                (UNDONE, speaker_id, match.voiceprint_id),
            )
        return match
