"""Written answers to the four reflection questions, imported as a recording of a round."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qualkit.atomic import sha256_file
from qualkit.errors import ImportFormatError, InputError
from qualkit.ingest_formats.base import csv_rows
from qualkit.model import Actor, Participant, Recording, Round
from qualkit.project import Project

# The guide an answers recording is filed under; with its place in a round it marks the
# recording as written answers, which focus-group reports leave out.
ANSWERS_GUIDE = "Självvärdering: fyra reflektionsfrågor"


def answer_recordings(project: Project) -> set[int]:
    """Ids of the recordings that hold a round's written answers, not a focus group."""
    return {
        rec.id
        for rnd in project.store.rounds()
        for rec in project.store.round_material(rnd.id)
        if rec.guide == ANSWERS_GUIDE
    }


QUESTION_SPEAKER = "Fråga"
# The four reflection questions, in the order they are asked.
QUESTIONS: tuple[str, ...] = (
    "Hur bedrivs arbetet?",
    "Vilka resultat har vi nått?",
    "Vad behövs för att förbättra?",
    "Hur förbättrar vi?",
)


@dataclass(frozen=True, slots=True)
class Answer:
    participant: str
    question: int  # 1-4
    text: str
    role: str = ""
    actor: str = ""


_HEADERS = {
    "participant": ("deltagare", "participant", "person", "pseudonym"),
    "question": ("fråga", "fraga", "question", "nr"),
    "text": ("svar", "answer", "text"),
    "role": ("roll", "role"),
    "actor": ("aktör", "aktor", "actor"),
}


def read_answers(path: Path | str) -> list[Answer]:
    """Written answers from CSV (comma or semicolon): deltagare, fråga (1-4 or its text), svar.

    Optional columns roll and aktör describe a participant the project does not know yet."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"{path}: cannot read the answers file ({exc}).") from exc
    dialect = ";" if raw.count(";") > raw.count(",") else ","
    table = csv_rows(raw, str(path), dialect)
    fieldnames = table[0] if table else []
    reader = [dict(zip(fieldnames, r, strict=False)) for r in table[1:]]
    columns: dict[str, str] = {}
    for field_name in fieldnames:
        key = field_name.strip().casefold()
        for name, aliases in _HEADERS.items():
            if key in aliases:
                columns[name] = field_name
    missing = [n for n in ("participant", "question", "text") if n not in columns]
    if missing:
        raise ImportFormatError(
            f"{path}: the answers file needs the columns deltagare, fråga and svar"
            f" (missing: {', '.join(_HEADERS[n][0] for n in missing)})."
        )
    answers: list[Answer] = []
    for line, row in enumerate(reader, start=2):
        text = (row.get(columns["text"]) or "").strip()
        if not text:
            continue
        q_raw = (row.get(columns["question"]) or "").strip()
        question = _question_number(q_raw)
        if question is None:
            raise ImportFormatError(
                f"{path}, line {line}: question {q_raw!r} is not 1-4 or one of the four questions."
            )
        who = (row.get(columns["participant"]) or "").strip()
        if not who:
            raise ImportFormatError(f"{path}, line {line}: no participant given.")
        answers.append(
            Answer(
                participant=who,
                question=question,
                text=text,
                role=(row.get(columns.get("role", ""), "") or "").strip(),
                actor=(row.get(columns.get("actor", ""), "") or "").strip(),
            )
        )
    if not answers:
        raise ImportFormatError(f"{path}: no answers found.")
    return answers


def _question_number(text: str) -> int | None:
    if text.isdigit() and 1 <= int(text) <= len(QUESTIONS):
        return int(text)
    folded = text.strip().rstrip("?").casefold()
    for i, q in enumerate(QUESTIONS, start=1):
        if q.rstrip("?").casefold() == folded:
            return i
    return None


def import_answers(
    project: Project, rnd: Round, path: Path | str, *, name: str | None = None
) -> Recording:
    """Import written answers as a recording of the round; participants join the round."""
    path = Path(path)
    answers = read_answers(path)
    name = name or f"{rnd.name}_svar"
    if project.store.recording_by_name(name) is not None:
        raise InputError(f"A recording named {name!r} already exists; pass another name.")
    people: dict[str, Participant] = {}
    for p in project.store.participants():
        people[p.pseudonym] = p
        if p.real_name:
            people.setdefault(p.real_name, p)
    with project.action():
        # A name in the file that the project does not know becomes a new participant with
        # a generated pseudonym and the name kept as real_name, so it never reaches a report.
        for a in answers:
            if a.participant not in people:
                people[a.participant] = project.store.add_participant(
                    role=a.role,
                    actor=Actor.parse(a.actor) if a.actor else None,
                    real_name=a.participant,
                )
        turns: list[tuple[str | None, str, float | None, float | None, tuple[()], bool]] = []
        for q in range(1, len(QUESTIONS) + 1):
            given = [a for a in answers if a.question == q]
            if not given:
                continue
            turns.append((QUESTION_SPEAKER, QUESTIONS[q - 1], None, None, (), False))
            turns.extend(
                (people[a.participant].pseudonym, a.text, None, None, (), False) for a in given
            )
        rec = project.store.add_recording(
            name,
            transcript_path=str(path),
            sha256=sha256_file(path),
            date=rnd.date,
            guide=ANSWERS_GUIDE,
        )
        project.store.replace_segments(rec.id, turns)
        by_pseudonym = {p.pseudonym: p for p in people.values()}
        for speaker in project.store.speakers(rec.id):
            if speaker.label in by_pseudonym:
                person = by_pseudonym[speaker.label]
                project.store.assign_speaker(speaker.id, person.id)
                project.store.add_round_participant(rnd.id, person.id)
        project.store.add_round_material(rnd.id, rec.id)
    return project.store.recording(rec.id)
