"""What changed from one round to the next, and how the staff's ratings meet the co-assessor's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from qualkit.analysis.agreement import CONSENSUS_CODER, AgreementReport, agreement
from qualkit.errors import InputError, NotFoundError
from qualkit.model import Coding, Round
from qualkit.privacy import Redactor, withdrawn_speaker_ids
from qualkit.project import Project
from qualkit.rounds.records import FACTORS, GRID, Rating, ratings, round_codings, round_ref


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
    return replace(change, quotes=quotes)
