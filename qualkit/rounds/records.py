"""Rounds themselves: creating them, their participants and material, and ratings per cell."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qualkit import resolve
from qualkit.errors import InputError
from qualkit.model import Coding, Participant, Round, Valence
from qualkit.project import Project

GRID = "sjalvvardering"
FACTORS = "danermark"


@dataclass(frozen=True, slots=True)
class Rating:
    round_id: int
    participant_id: int | None
    assessor: str
    codebook: str
    code: str
    rating: int
    comment: str = ""
    replaced: int | None = None  # the assessor's earlier rating of the cell, now changed


# ------------------------------------------------------------------ managing rounds
def round_ref(project: Project, ref: str | int) -> Round:
    """A round by name or id."""
    return resolve.round(project.store, ref)


def participant_ref(project: Project, ref: str | int) -> Participant:
    """A participant by pseudonym, id or (for the user's convenience) real name."""
    return resolve.participant(project.store, ref, real_names=True)


def add_round(
    project: Project,
    name: str,
    date: str,
    *,
    co_assessor: str | None = None,
    description: str = "",
    participants: Sequence[str | int] = (),
    recordings: Sequence[str | int] = (),
) -> Round:
    """Create a round with its participants and material, as one action."""
    if not name.strip():
        raise InputError("A round needs a name.")
    check_date(date)
    with project.action():
        rnd = project.store.add_round(name, date, co_assessor, description)
        for ref in participants:
            project.store.add_round_participant(rnd.id, participant_ref(project, ref).id)
        for rec in recordings:
            project.store.add_round_material(rnd.id, project.recording(rec).id)
    return rnd


def check_date(text: str) -> None:
    """Rounds are ordered and compared by date, so it must be a real ISO date."""
    try:
        ok = len(text) == 10 and _dt.date.fromisoformat(text).isoformat() == text
    except ValueError:
        ok = False
    if not ok:
        raise InputError(f"Date {text!r}: write a real date as YYYY-MM-DD, e.g. 2026-01-15.")


def add_material(project: Project, rnd: Round, recordings: Iterable[str | int]) -> None:
    with project.action():
        for rec in recordings:
            project.store.add_round_material(rnd.id, project.recording(rec).id)


def rate(
    project: Project,
    rnd: Round,
    code: str,
    rating: int,
    *,
    assessor: str,
    participant: str | int | None = None,
    codebook: str = GRID,
    comment: str = "",
) -> Rating:
    """One assessor's 1-5 rating of a grid cell, for one participant or for the group.

    Rating a cell again changes the rating (`replaced` says from what). A row of the grid
    is no cell, and a participant must be one of the round's, when it has any."""
    book = project.codebook(codebook)
    book.code(code)
    if any(c.parent == code for c in book.codes):
        cells = ", ".join(c.key for c in book.codes if c.parent == code)
        raise InputError(f"{code!r} is a row of the grid, not a cell; rate one of: {cells}.")
    pid = participant_ref(project, participant).id if participant is not None else None
    members = project.store.round_participants(rnd.id)
    if pid is not None and members and pid not in {p.id for p in members}:
        names = ", ".join(p.pseudonym for p in members)
        raise InputError(
            f"{participant!r} is not a participant of {rnd.name}; its participants: {names}."
        )
    earlier = next(
        (
            int(r["rating"])
            for r in project.store.ratings(rnd.id, codebook)
            if r["participant_id"] == pid and r["assessor"] == assessor and r["code"] == code
        ),
        None,
    )
    project.store.set_rating(rnd.id, pid, assessor, codebook, code, rating, comment)
    replaced = earlier if earlier is not None and earlier != rating else None
    return Rating(rnd.id, pid, assessor, codebook, code, rating, comment, replaced)


def ratings(project: Project, rnd: Round, codebook: str | None = None) -> list[Rating]:
    return [
        Rating(
            round_id=int(r["round_id"]),
            participant_id=r["participant_id"],
            assessor=str(r["assessor"]),
            codebook=str(r["codebook"]),
            code=str(r["code"]),
            rating=int(r["rating"]),
            comment=str(r["comment"]),
        )
        for r in project.store.ratings(rnd.id, codebook)
    ]


def round_codings(
    project: Project, rnd: Round, codebook: str, coder: str | None = None
) -> list[Coding]:
    """Codings on the round's material (or tagged with the round)."""
    material = {r.id for r in project.store.round_material(rnd.id)}
    segs = {s.id for rec in material for s in project.store.segments(rec)}
    return [
        c
        for c in project.store.codings(codebook=codebook, coder=coder)
        if c.segment_id in segs or c.round_id == rnd.id
    ]


VALENCE_ORDER: tuple[Valence, ...] = (
    Valence.PROMOTING,
    Valence.HINDERING,
    Valence.PROPOSAL,
    Valence.NONE,
)
