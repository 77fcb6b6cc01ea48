"""The report model: every number, quote and memo a report shows, computed once.

`build_report` turns the coded material of one perspective (a kommun, an actor or the
whole region) into a frozen tree of records. Markdown, HTML and Word are all rendered
from this one tree, so the figures agree between formats. Everything text-like in the
tree has already been through the project's Redactor, and withdrawn participants are
left out, so a renderer cannot leak what the model does not hold.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from qualkit.errors import InputError, NotFoundError
from qualkit.model import Actor, Code, Consent, Participant, Recording, Segment, Valence
from qualkit.privacy import Redactor, exportable_segments
from qualkit.project import DEFAULT_CODEBOOK, Project

if TYPE_CHECKING:
    import pandas as pd

# The four collaborating actors, in the order reports list them.
REPORT_ACTORS: tuple[Actor, ...] = (Actor.KOMMUN, Actor.VARD, Actor.FK, Actor.AF)
# Quotes of each valence shown per factor; more are counted but not printed.
QUOTES_PER_VALENCE = 3
PROPOSALS_PER_FACTOR = 10


class ReportKind(StrEnum):
    KOMMUN = "kommun"
    AKTOR = "aktor"
    REGION = "region"


@dataclass(frozen=True, slots=True)
class Quote:
    """An anonymised passage, signed by role and actor only."""

    text: str
    attribution: str
    valence: Valence
    kommun: str = ""


@dataclass(frozen=True, slots=True)
class ValenceCount:
    """How often something was raised as främjande, hindrande and förslag."""

    label: str
    promoting: int = 0
    hindering: int = 0
    proposals: int = 0

    @property
    def total(self) -> int:
        return self.promoting + self.hindering + self.proposals


@dataclass(frozen=True, slots=True)
class InterviewInfo:
    name: str
    kommun: str
    group_type: str
    date: str
    duration_min: int | None
    participants: int


@dataclass(frozen=True, slots=True)
class Material:
    interviews: tuple[InterviewInfo, ...]
    participants: int
    by_actor: tuple[tuple[str, int], ...]
    by_role: tuple[tuple[str, str, int], ...]  # role, actor, count
    group_types: tuple[tuple[str, int], ...]
    total_duration_min: int | None
    codings: int


@dataclass(frozen=True, slots=True)
class FactorResult:
    """One code of the codebook: counts, who raised it, quotes and memos."""

    key: str
    label: str
    counts: ValenceCount
    breakdown: tuple[ValenceCount, ...]  # per actor (or per kommun in an actor report)
    quotes_promoting: tuple[Quote, ...]
    quotes_hindering: tuple[Quote, ...]
    memos: tuple[str, ...]
    proposals: tuple[Quote, ...]

    @property
    def raised(self) -> bool:
        return self.counts.total > 0


@dataclass(frozen=True, slots=True)
class CommonFactor:
    label: str
    valence: str  # 'främjande', 'hindrande', 'förslag' or 'blandad'


@dataclass(frozen=True, slots=True)
class FactorDifference:
    """Where one factor parts the kommuner: by its main valence, or by not coming up."""

    label: str
    promoting_in: tuple[str, ...]
    hindering_in: tuple[str, ...]
    mixed_in: tuple[str, ...]  # as often promoting as hindering
    proposals_in: tuple[str, ...]  # raised only as proposals
    missing_in: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """Region only: what all kommuner share and where they part."""

    kommuner: tuple[str, ...]
    matrix: tuple[tuple[str, tuple[ValenceCount, ...]], ...]  # factor label -> per kommun
    common: tuple[CommonFactor, ...]
    differences: tuple[FactorDifference, ...]
    # Kommuner without codings cannot agree or differ; they are named, not compared.
    uncoded: tuple[str, ...] = ()

    @property
    def compared(self) -> tuple[str, ...]:
        return tuple(k for k in self.kommuner if k not in self.uncoded)


@dataclass(frozen=True, slots=True)
class Report:
    kind: ReportKind
    scope: str  # kommun name, actor, or '' for the region
    lang: str
    codebook: str
    codebook_name: str
    created: str
    dimension: str  # 'actor' or 'kommun': what `FactorResult.breakdown` is split by
    dimension_values: tuple[str, ...]
    material: Material
    factors: tuple[FactorResult, ...]
    cooccurrence: tuple[tuple[int, ...], ...]  # factor x factor, same segment
    comparison: Comparison | None = None

    @property
    def has_codings(self) -> bool:
        return self.material.codings > 0

    @property
    def has_proposals(self) -> bool:
        return any(f.proposals for f in self.factors)

    @property
    def has_cooccurrence(self) -> bool:
        return any(
            v for i, row in enumerate(self.cooccurrence) for j, v in enumerate(row) if i != j
        )


# ------------------------------------------------------------------ scope checks
def kommuner(project: Project) -> list[str]:
    """The kommuner that recordings are filed under, sorted."""
    return sorted({r.kommun for r in project.recordings() if r.kommun})


def resolve_kommun(project: Project, name: str) -> str:
    known = kommuner(project)
    for k in known:
        if k.casefold() == name.strip().casefold():
            return k
    listed = ", ".join(known) if known else "none yet (set a kommun when importing)"
    raise NotFoundError(f"No kommun {name!r} in this project; known kommuner: {listed}.")


def resolve_actor(text: str) -> Actor:
    valid = ", ".join(a.value for a in REPORT_ACTORS)
    try:
        actor = Actor.parse(text)
    except InputError:
        raise InputError(f"Unknown actor {text!r}; choose one of {valid}.") from None
    if actor not in REPORT_ACTORS:
        raise InputError(f"Actor {text!r} has no report; choose one of {valid}.")
    return actor


# ----------------------------------------------------------------------- build
def build_report(
    project: Project,
    kind: ReportKind | str,
    scope: str = "",
    *,
    lang: str = "sv",
    codebook: str = DEFAULT_CODEBOOK,
    redactor: Redactor | None = None,
) -> Report:
    """Compute the report of one perspective. Raises a QualkitError for an unknown scope."""
    kind = ReportKind(kind)
    if lang not in ("sv", "en"):
        raise InputError(f"Unknown language {lang!r}; choose sv or en.")
    if codebook not in project.codebook_ids():
        known = ", ".join(project.codebook_ids())
        raise NotFoundError(f"No codebook {codebook!r} in this project; known: {known}.")
    book = project.codebook(codebook)
    red = redactor or Redactor.for_project(project)
    participants = {p.pseudonym: p for p in project.store.participants()}

    segments = project.segments()
    frame = _visible_codings(project, codebook, segments, red)
    recordings = project.recordings()
    if kind is ReportKind.KOMMUN:
        scope = resolve_kommun(project, scope)
        frame = frame[frame["kommun"] == scope]
        recordings = [r for r in recordings if r.kommun == scope]
    elif kind is ReportKind.AKTOR:
        scope = resolve_actor(scope).value
        frame = frame[frame["actor"] == scope]
    else:
        scope = ""

    speakers_by_rec = _participants_by_recording(project, participants)
    if kind is ReportKind.AKTOR:
        speakers_by_rec = {
            rid: [p for p in ps if p.actor is not None and p.actor.value == scope]
            for rid, ps in speakers_by_rec.items()
        }
        recordings = [r for r in recordings if speakers_by_rec.get(r.id)]

    if kind is ReportKind.AKTOR:
        dimension = "kommun"
        values = tuple(sorted({str(k) for k in frame["kommun"] if isinstance(k, str) and k}))
    else:
        dimension = "actor"
        values = tuple(a.value for a in REPORT_ACTORS)

    codes = list(book.codes)
    labels = {c.key: _code_label(book.codes, c.key, lang) for c in codes}
    memos = _code_memos(project, codebook, frame, red)
    quotes = _quotes(frame, participants, red, lang)

    factors: list[FactorResult] = []
    for code in codes:
        rows = frame[frame["code"] == code.key]
        dim_col = "kommun" if dimension == "kommun" else "actor"
        factors.append(
            FactorResult(
                key=code.key,
                label=labels[code.key],
                counts=_count(labels[code.key], rows["valence"]),
                breakdown=tuple(_count(v, rows[rows[dim_col] == v]["valence"]) for v in values),
                quotes_promoting=_pick(quotes[(code.key, Valence.PROMOTING)], QUOTES_PER_VALENCE),
                quotes_hindering=_pick(quotes[(code.key, Valence.HINDERING)], QUOTES_PER_VALENCE),
                memos=memos.get(code.key, ()),
                proposals=tuple(quotes[(code.key, Valence.PROPOSAL)][:PROPOSALS_PER_FACTOR]),
            )
        )

    comparison = None
    if kind is ReportKind.REGION:
        comparison = _compare(frame, codes, labels, kommuner(project))

    return Report(
        kind=kind,
        scope=scope,
        lang=lang,
        codebook=codebook,
        codebook_name=book.name,
        created=date.today().isoformat(),
        dimension=dimension,
        dimension_values=values,
        material=_material(recordings, speakers_by_rec, len(frame), red, _ends(segments)),
        factors=tuple(factors),
        cooccurrence=_cooccurrence(frame, [c.key for c in codes]),
        comparison=comparison,
    )


def _visible_codings(
    project: Project, codebook: str, segments: Sequence[Segment], red: Redactor
) -> pd.DataFrame:
    frame = project.codings_frame()
    # Withdrawn consent: the person's speech stays in the project but never leaves it.
    frame = frame[frame["consent"] != Consent.WITHDRAWN.value]
    frame = frame[frame["codebook"] == codebook]
    # The model's text goes through exportable_segments too, so a coding on a segment
    # that privacy rules hold back (e.g. a withdrawn speaker not named yet) is left out.
    allowed = {s.id for s in exportable_segments(project, segments, redactor=red)}
    return frame[frame["segment_id"].isin(allowed)].reset_index(drop=True)


def _participants_by_recording(
    project: Project, participants: Mapping[str, Participant]
) -> dict[int, list[Participant]]:
    by_id = {p.id: p for p in participants.values()}
    out: dict[int, list[Participant]] = defaultdict(list)
    for sp in project.store.speakers():
        person = by_id.get(sp.participant_id) if sp.participant_id is not None else None
        if person is None or person.consent is Consent.WITHDRAWN:
            continue
        if person not in out[sp.recording_id]:
            out[sp.recording_id].append(person)
    return out


def _code_label(codes: Sequence[Code], key: str, lang: str) -> str:
    by_key = {c.key: c for c in codes}
    code = by_key[key]
    label = code.label(lang)
    if code.parent and code.parent in by_key:
        return f"{by_key[code.parent].label(lang)} › {label}"
    return label


def _count(label: str, valences: Iterable[object]) -> ValenceCount:
    c = Counter(str(v) for v in valences)
    return ValenceCount(
        label=label,
        promoting=c[Valence.PROMOTING.value],
        hindering=c[Valence.HINDERING.value],
        proposals=c[Valence.PROPOSAL.value],
    )


_SPACE = re.compile(r"\s+")


def _quotes(
    frame: pd.DataFrame, participants: Mapping[str, Participant], red: Redactor, lang: str
) -> defaultdict[tuple[str, Valence], list[Quote]]:
    unknown = "okänd talare" if lang == "sv" else "unknown speaker"
    out: defaultdict[tuple[str, Valence], list[Quote]] = defaultdict(list)
    for row in frame.itertuples(index=False):
        try:
            valence = Valence(str(row.valence))
        except ValueError:
            continue
        person = (
            participants.get(str(row.participant)) if isinstance(row.participant, str) else None
        )
        # Signed by role and actor only; a speaker label could be a name, so it is never used.
        attribution = person.attribution if person is not None else unknown
        text = _SPACE.sub(" ", red.redact(str(row.text))).strip()
        if text:
            kommun = str(row.kommun) if isinstance(row.kommun, str) else ""
            out[(str(row.code), valence)].append(Quote(text, attribution, valence, kommun))
    return out


def _pick(quotes: Sequence[Quote], n: int) -> tuple[Quote, ...]:
    """Representative quotes: different voices first, then mid-length passages."""

    def fit(q: Quote) -> int:
        return abs(len(q.text) - 180)  # long enough to say something, short enough to read

    chosen: list[Quote] = []
    voices: set[str] = set()
    texts: set[str] = set()
    ranked = sorted(quotes, key=fit)
    for first_pass in (True, False):
        for q in ranked:
            if len(chosen) == n:
                return tuple(chosen)
            if q.text in texts or (first_pass and q.attribution in voices):
                continue
            chosen.append(q)
            voices.add(q.attribution)
            texts.add(q.text)
    return tuple(chosen)


def _code_memos(
    project: Project, codebook: str, frame: pd.DataFrame, red: Redactor
) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = defaultdict(list)

    def add(key: str, text: object) -> None:
        if isinstance(text, str) and text.strip():
            clean = red.redact(text.strip())
            if clean not in out[key]:
                out[key].append(clean)

    code_of_coding: dict[str, str] = {}
    for row in frame.itertuples(index=False):
        add(str(row.code), row.memo)
        code_of_coding[str(row.coding_id)] = str(row.code)
    for memo in project.store.memos(target="coding"):
        if memo.target_id in code_of_coding:
            add(code_of_coding[memo.target_id], memo.text)
    for memo in project.store.memos(target="code"):
        book, _, key = memo.target_id.rpartition(":")
        if book in ("", codebook):
            add(key, memo.text)
    return {k: tuple(v) for k, v in out.items()}


def _ends(segments: Sequence[Segment]) -> dict[int, float]:
    """Per recording, the end of its last timed segment: its length when none is stored."""
    ends: dict[int, float] = {}
    for s in segments:
        if s.end is not None:
            ends[s.recording_id] = max(ends.get(s.recording_id, 0.0), s.end)
    return ends


def _material(
    recordings: Sequence[Recording],
    people: Mapping[int, Sequence[Participant]],
    n_codings: int,
    red: Redactor,
    ends: Mapping[int, float],
) -> Material:
    interviews = []
    everyone: dict[int, Participant] = {}
    total = 0
    known = True
    for rec in recordings:
        seconds = rec.duration_s or ends.get(rec.id)
        minutes = round(seconds / 60) if seconds else None
        if minutes is None:
            known = False
        else:
            total += minutes
        persons = [p for p in people.get(rec.id, []) if p.actor is not Actor.ANNAN]
        everyone.update({p.id: p for p in persons})
        interviews.append(
            InterviewInfo(
                name=red.redact(rec.name),
                kommun=rec.kommun or "",
                group_type=rec.group_type.value if rec.group_type else "",
                date=rec.date or "",
                duration_min=minutes,
                participants=len(persons),
            )
        )
    by_actor = Counter(p.actor.value for p in everyone.values() if p.actor)
    by_role = Counter((p.role, p.actor.value if p.actor else "") for p in everyone.values())
    groups = Counter(i.group_type for i in interviews if i.group_type)
    return Material(
        interviews=tuple(interviews),
        participants=len(everyone),
        by_actor=tuple((a.value, by_actor[a.value]) for a in REPORT_ACTORS if by_actor[a.value]),
        by_role=tuple((r, a, n) for (r, a), n in sorted(by_role.items())),
        group_types=tuple(sorted(groups.items())),
        total_duration_min=total if (known and recordings) else None,
        codings=n_codings,
    )


def _cooccurrence(frame: pd.DataFrame, keys: Sequence[str]) -> tuple[tuple[int, ...], ...]:
    index = {k: i for i, k in enumerate(keys)}
    grid = [[0] * len(keys) for _ in keys]
    for _seg, codes in frame.groupby("segment_id")["code"]:
        present = sorted({index[c] for c in codes if c in index})
        for i in present:
            for j in present:
                grid[i][j] += 1
    return tuple(tuple(row) for row in grid)


def _dominant(count: ValenceCount) -> str:
    if count.promoting > count.hindering:
        return Valence.PROMOTING.value
    if count.hindering > count.promoting:
        return Valence.HINDERING.value
    if count.promoting:
        return "blandad"
    return Valence.PROPOSAL.value


def _compare(
    frame: pd.DataFrame, codes: Sequence[Code], labels: Mapping[str, str], all_k: Sequence[str]
) -> Comparison:
    names = tuple(all_k)
    coded = set(frame["kommun"].dropna())
    uncoded = tuple(k for k in names if k not in coded)
    matrix = []
    common: list[CommonFactor] = []
    differences: list[FactorDifference] = []
    for code in codes:
        key = code.key
        rows = frame[frame["code"] == key]
        per = tuple(_count(k, rows[rows["kommun"] == k]["valence"]) for k in names)
        matrix.append((labels[key], per))
        compared = [c for c in per if c.label in coded]
        if len(compared) < 2 or not any(c.total for c in compared):
            continue
        dominant = {c.label: _dominant(c) for c in compared if c.total}
        missing = tuple(c.label for c in compared if not c.total)
        if not missing:
            overall = _count(labels[key], rows["valence"])
            common.append(CommonFactor(labels[key], _dominant(overall)))
        if missing or len(set(dominant.values())) > 1:

            def where(value: str, dominant: dict[str, str] = dominant) -> tuple[str, ...]:
                return tuple(k for k, d in dominant.items() if d == value)

            differences.append(
                FactorDifference(
                    labels[key],
                    promoting_in=where(Valence.PROMOTING.value),
                    hindering_in=where(Valence.HINDERING.value),
                    mixed_in=where("blandad"),
                    proposals_in=where(Valence.PROPOSAL.value),
                    missing_in=missing,
                )
            )
    return Comparison(names, tuple(matrix), tuple(common), tuple(differences), uncoded)
