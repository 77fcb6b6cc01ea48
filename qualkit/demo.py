"""The demo job behind `make demo`: the shipped fictional focus group, end to end.

Safe to run again: steps that are already done are skipped, nothing is duplicated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qualkit.errors import InputError, QualkitError
from qualkit.export.csv import TABLES, export_csv
from qualkit.ingest import role_actor_from_label
from qualkit.model import Actor, GroupType, Recording, Valence
from qualkit.project import Project, open_project

DEMO_NAME = "fokusgrupp_demo"
DEMO_DIR = Path("audio") / "demo"
DEMO_TRANSCRIPT = DEMO_DIR / "fokusgrupp_demo.txt"
DEMO_KOMMUN = "Norrby"
DEMO_CODER = "demo"


@dataclass(frozen=True, slots=True)
class DemoCoding:
    turn: int  # 1-based turn in the reference transcript
    code: str
    valence: Valence
    memo: str | None = None


# What a coder would mark in the demo conversation (turn numbers of the reference).
DEMO_CODINGS: tuple[DemoCoding, ...] = (
    DemoCoding(2, "forum_beslut", Valence.PROMOTING, "Samverkansteam varannan vecka."),
    DemoCoding(3, "ledning", Valence.HINDERING),
    DemoCoding(4, "stabila_org", Valence.HINDERING, "Tre byten av handläggare på ett år."),
    DemoCoding(5, "arbetsstruktur", Valence.HINDERING),
    DemoCoding(7, "individ", Valence.HINDERING),
    DemoCoding(8, "individ", Valence.PROMOTING),
    DemoCoding(9, "kunskap_respekt", Valence.HINDERING),
    DemoCoding(10, "kunskap_respekt", Valence.PROMOTING, "Hospitering gav förtroende."),
    DemoCoding(12, "ledning", Valence.PROMOTING),
    DemoCoding(13, "ledning", Valence.HINDERING),
    DemoCoding(14, "malgrupper_mal", Valence.HINDERING),
    DemoCoding(16, "arbetsstruktur", Valence.PROPOSAL),
    DemoCoding(17, "kunskap_samverkan", Valence.PROPOSAL),
    DemoCoding(18, "forum_beslut", Valence.PROPOSAL),
    DemoCoding(19, "malgrupper_mal", Valence.PROPOSAL),
)

Say = Callable[[str], None]


def import_demo(project: Project, say: Say) -> Recording:
    existing = project.store.recording_by_name(DEMO_NAME)
    if existing is not None:
        say(f"Demo recording {DEMO_NAME!r} is already in the project.")
        return existing
    path = project.root / DEMO_TRANSCRIPT
    if not path.exists():
        raise InputError(f"{path} is missing; the demo needs the shipped demo material.")
    rec = project.import_transcript(
        path,
        name=DEMO_NAME,
        kommun=DEMO_KOMMUN,
        group_type=GroupType.MEDARBETARE,
        date="2026-03-12",
        guide="Intervjuguide medarbetare",
    )
    say(f"Imported the reference transcript as {rec.name!r}.")
    return rec


def name_speakers(project: Project, rec: Recording, say: Say) -> None:
    """Link each voice to a participant, with role and actor taken from its label."""
    for speaker in project.store.speakers(rec.id):
        if speaker.participant_id is not None:
            continue
        role, actor_text = role_actor_from_label(speaker.label)
        actor = Actor.parse(actor_text) if actor_text else Actor.ANNAN
        person = project.store.add_participant(role=role, actor=actor, kommun=DEMO_KOMMUN)
        project.store.assign_speaker(speaker.id, person.id)
        say(f"Named {speaker.label!r} as {person.pseudonym} ({person.attribution}).")


def apply_demo_codings(project: Project, rec: Recording, say: Say) -> int:
    if project.store.codings(recording_id=rec.id, coder=DEMO_CODER):
        say("Demo codings are already applied.")
        return 0
    segments = project.store.segments(rec.id)
    n = 0
    with project.action():
        for dc in DEMO_CODINGS:
            if dc.turn > len(segments):
                continue
            project.store.add_coding(
                segments[dc.turn - 1].id,
                "danermark",
                dc.code,
                valence=dc.valence,
                coder=DEMO_CODER,
                memo=dc.memo,
            )
            n += 1
    say(f"Applied {n} demo codings.")
    return n


def run_demo(root: Path | str = ".", say: Say = print) -> list[Path]:
    """Import, name speakers, code and export the demo focus group. Returns files written."""
    root = Path(root)
    try:
        project = open_project(root)
    except QualkitError:
        project = open_project(root, create=True)
    with project:
        rec = import_demo(project, say)
        name_speakers(project, rec, say)
        apply_demo_codings(project, rec, say)
        written = [export_csv(project, what) for what in TABLES]
        for path in written:
            say(f"Wrote {path.relative_to(project.root)}")
        return written
