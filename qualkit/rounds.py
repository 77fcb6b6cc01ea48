"""Självvärdering rounds: who took part, what material, ratings per cell, and change over time.

A round has a name, a date, participants (with their follow-up attributes), an optional
external co-assessor (*medbedömare*) and material: recordings/transcripts, or written answers
to the four reflection questions, imported as a recording whose segments are the answers
(speaker = participant; each question is a segment by the speaker "Fråga").

Counting rule: a passage counts once per code however many coders marked it, so a round
coded by two people is not counted double. `coder=` restricts counts to one coder (blind work).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from qualkit import resolve
from qualkit.analysis.agreement import CONSENSUS_CODER, AgreementReport, agreement
from qualkit.atomic import sha256_file
from qualkit.errors import ImportFormatError, InputError, NotFoundError
from qualkit.model import Actor, Coding, Participant, Recording, Round, Valence
from qualkit.project import Project

GRID = "sjalvvardering"
FACTORS = "danermark"
QUESTION_SPEAKER = "Fråga"
# The four reflection questions, in the order they are asked.
QUESTIONS: tuple[str, ...] = (
    "Hur bedrivs arbetet?",
    "Vilka resultat har vi nått?",
    "Vad behövs för att förbättra?",
    "Hur förbättrar vi?",
)


@dataclass(frozen=True, slots=True)
class Rating:
    round_id: int
    participant_id: int | None
    assessor: str
    codebook: str
    code: str
    rating: int
    comment: str = ""


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
    reader = csv.DictReader(io.StringIO(raw), delimiter=dialect)
    columns: dict[str, str] = {}
    for field_name in reader.fieldnames or []:
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
            guide="Självvärdering: fyra reflektionsfrågor",
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
    """One assessor's 1-5 rating of a grid cell, for one participant or for the group."""
    project.codebook(codebook).code(code)
    pid = participant_ref(project, participant).id if participant is not None else None
    project.store.set_rating(rnd.id, pid, assessor, codebook, code, rating, comment)
    return Rating(rnd.id, pid, assessor, codebook, code, rating, comment)


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


# -------------------------------------------------------------------- comparing
@dataclass(frozen=True, slots=True)
class Quote:
    """A passage shown as evidence: attributed by role and actor only."""

    text: str
    attribution: str
    recording: str


@dataclass(frozen=True, slots=True)
class CellChange:
    """One grid cell (or Danermark factor) in two rounds."""

    code: str
    label: str
    counts: tuple[int, int]
    staff_rating: tuple[float | None, float | None] = (None, None)
    co_rating: tuple[float | None, float | None] = (None, None)
    by_valence: tuple[Mapping[str, int], Mapping[str, int]] = (
        MappingProxyType({}),
        MappingProxyType({}),
    )
    quotes: tuple[Quote, ...] = ()

    @property
    def delta(self) -> int:
        return self.counts[1] - self.counts[0]

    @property
    def trend(self) -> str:
        """Swedish word for the change, as the report prints it."""
        if self.counts[0] == 0 and self.counts[1] > 0:
            return "nytt"
        if self.counts[1] == 0 and self.counts[0] > 0:
            return "försvunnet"
        if self.delta > 0:
            return "ökning"
        if self.delta < 0:
            return "minskning"
        if dict(self.by_valence[0]) != dict(self.by_valence[1]):
            return "ändrad karaktär"  # as many passages, but e.g. hindrande became främjande
        return "oförändrat"


@dataclass(frozen=True, slots=True)
class AssessorAgreement:
    """The staff's own ratings against the co-assessor's, cell by cell, in one round."""

    cells: int  # cells both rated
    exact_percent: float | None
    within_one_percent: float | None
    mean_difference: float | None  # staff minus co-assessor
    coding: AgreementReport | None = None  # when the co-assessor also coded the material


@dataclass(frozen=True, slots=True)
class RoundComparison:
    rounds: tuple[Round, Round]
    cells: tuple[CellChange, ...]
    factors: tuple[CellChange, ...]
    assessors: tuple[AssessorAgreement, AssessorAgreement]
    participants: tuple[int, int]
    material: tuple[tuple[str, ...], tuple[str, ...]]
    actors: tuple[Mapping[str, int], Mapping[str, int]] = (
        MappingProxyType({}),
        MappingProxyType({}),
    )
    coder: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def new_themes(self) -> tuple[CellChange, ...]:
        return tuple(c for c in (*self.cells, *self.factors) if c.trend == "nytt")

    @property
    def gone_themes(self) -> tuple[CellChange, ...]:
        return tuple(c for c in (*self.cells, *self.factors) if c.trend == "försvunnet")


def _mean(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _cell_ratings(
    rated: Sequence[Rating], co_assessor: str | None
) -> tuple[dict[str, float], dict[str, float]]:
    staff: dict[str, list[int]] = {}
    co: dict[str, list[int]] = {}
    for r in rated:
        target = co if co_assessor and r.assessor == co_assessor else staff
        target.setdefault(r.code, []).append(r.rating)
    return (
        {k: sum(v) / len(v) for k, v in staff.items()},
        {k: sum(v) / len(v) for k, v in co.items()},
    )


def assessor_agreement(project: Project, rnd: Round) -> AssessorAgreement:
    staff, co = _cell_ratings(ratings(project, rnd, GRID), rnd.co_assessor)
    both = sorted(set(staff) & set(co))
    coding: AgreementReport | None = None
    if rnd.co_assessor:
        coders = {c.coder for c in round_codings(project, rnd, GRID)}
        if rnd.co_assessor in coders:
            others = sorted(coders - {rnd.co_assessor, CONSENSUS_CODER})
            material = [r.id for r in project.store.round_material(rnd.id)]
            if others and material:
                coding = agreement(
                    project,
                    [*others, rnd.co_assessor],
                    codebook=GRID,
                    recordings=material,
                )
    if not both:
        return AssessorAgreement(0, None, None, None, coding)
    # The staff's figure is the mean of their ratings; rounded to the scale before comparing.
    diffs = [round(staff[k] + 1e-9) - co[k] for k in both]
    return AssessorAgreement(
        cells=len(both),
        exact_percent=100.0 * sum(1 for d in diffs if abs(d) < 0.5) / len(both),
        within_one_percent=100.0 * sum(1 for d in diffs if abs(d) <= 1.0) / len(both),
        mean_difference=sum(staff[k] - co[k] for k in both) / len(both),
        coding=coding,
    )


def _attributions(project: Project) -> tuple[dict[int, str], set[int]]:
    from qualkit.privacy import withdrawn_speaker_ids

    people = {p.id: p.attribution for p in project.store.participants()}
    by_speaker = {
        s.id: people.get(s.participant_id, "deltagare") if s.participant_id else "deltagare"
        for s in project.store.speakers()
    }
    return by_speaker, withdrawn_speaker_ids(project)


def compare(
    project: Project,
    first: str | int | Round,
    second: str | int | Round,
    *,
    coder: str | None = None,
    quotes_per_theme: int = 2,
) -> RoundComparison:
    """What changed from one round to the next, per grid cell and per Danermark factor."""
    from qualkit.privacy import Redactor

    r1 = first if isinstance(first, Round) else round_ref(project, first)
    r2 = second if isinstance(second, Round) else round_ref(project, second)
    if r1.id == r2.id:
        raise InputError("Compare two different rounds.")
    if coder is not None:
        known = sorted(c.name for c in project.store.coders())
        if coder not in known:
            # A misspelt coder would otherwise give a report with nothing coded in it.
            raise NotFoundError(f"No coder {coder!r} (coders: {', '.join(known) or 'none yet'}).")
    redactor = Redactor.for_project(project)
    by_speaker, withdrawn = _attributions(project)
    rec_names = {r.id: r.name for r in project.store.recordings()}
    segments = {s.id: s for s in project.store.segments()}
    notes: list[str] = []

    def quotes_for(codings: Sequence[Coding], key: str) -> tuple[Quote, ...]:
        out: list[Quote] = []
        seen: set[int] = set()
        for c in codings:
            if c.code != key or c.segment_id in seen:
                continue
            seg = segments[c.segment_id]
            if seg.speaker_id in withdrawn:
                continue
            text = seg.text
            if c.span_start is not None and c.span_end is not None:
                text = text[c.span_start : c.span_end]
            out.append(
                Quote(
                    text=redactor.redact(text),
                    attribution=by_speaker.get(seg.speaker_id or -1, "deltagare"),
                    recording=rec_names.get(seg.recording_id, ""),
                )
            )
            seen.add(c.segment_id)
            if len(out) >= quotes_per_theme:
                break
        return tuple(out)

    def build(codebook: str, rate_cells: bool) -> tuple[CellChange, ...]:
        if codebook not in project.codebook_ids():
            notes.append(f"Kodboken {codebook} finns inte i projektet.")
            return ()
        book = project.codebook(codebook)
        per_round = [round_codings(project, r, codebook, coder) for r in (r1, r2)]
        rated = [
            _cell_ratings(ratings(project, r, codebook), r.co_assessor) if rate_cells else ({}, {})
            for r in (r1, r2)
        ]
        leaves = [c for c in book.codes if not book.children(c.key)]
        out: list[CellChange] = []
        for code in leaves:
            counts: list[int] = []
            valences: list[Mapping[str, int]] = []
            for codings in per_round:
                mine = [c for c in codings if c.code == code.key]
                counts.append(len({c.segment_id for c in mine}))
                per_val: dict[str, set[int]] = {}
                for c in mine:
                    per_val.setdefault(c.valence.value, set()).add(c.segment_id)
                valences.append(MappingProxyType({k: len(v) for k, v in per_val.items()}))
            change = CellChange(
                code=code.key,
                label=code.label_sv,
                counts=(counts[0], counts[1]),
                staff_rating=(rated[0][0].get(code.key), rated[1][0].get(code.key)),
                co_rating=(rated[0][1].get(code.key), rated[1][1].get(code.key)),
                by_valence=(valences[0], valences[1]),
            )
            if change.trend != "oförändrat":
                # Quotes show the change: from the round where there is more of it.
                source = per_round[1] if change.delta >= 0 else per_round[0]
                change = _with_quotes(change, quotes_for(source, code.key))
            out.append(change)
        return tuple(out)

    cells = build(GRID, rate_cells=True)
    factors = build(FACTORS, rate_cells=False)
    return RoundComparison(
        rounds=(r1, r2),
        cells=cells,
        factors=factors,
        assessors=(assessor_agreement(project, r1), assessor_agreement(project, r2)),
        participants=(
            len(project.store.round_participants(r1.id)),
            len(project.store.round_participants(r2.id)),
        ),
        material=(
            tuple(r.name for r in project.store.round_material(r1.id)),
            tuple(r.name for r in project.store.round_material(r2.id)),
        ),
        actors=(_actor_counts(project, r1), _actor_counts(project, r2)),
        coder=coder,
        notes=tuple(notes),
    )


def _actor_counts(project: Project, rnd: Round) -> Mapping[str, int]:
    """Participants per actor: the group's make-up, without naming anyone."""
    counts: dict[str, int] = {}
    for p in project.store.round_participants(rnd.id):
        key = p.actor.value if p.actor else "okänd aktör"
        counts[key] = counts.get(key, 0) + 1
    return MappingProxyType(dict(sorted(counts.items())))


def _with_quotes(change: CellChange, quotes: tuple[Quote, ...]) -> CellChange:
    from dataclasses import replace

    return replace(change, quotes=quotes)


VALENCE_ORDER: tuple[Valence, ...] = (
    Valence.PROMOTING,
    Valence.HINDERING,
    Valence.PROPOSAL,
    Valence.NONE,
)
