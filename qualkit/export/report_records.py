"""The records of a report: every number, text and quote a delrapport shows, frozen.

Markdown, HTML and Word are all rendered from one tree of these, so their figures agree.
Everything text-like has already been through the project's Redactor when it lands here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from qualkit.model import Actor, Valence

# The four collaborating actors, in the order reports list them.
REPORT_ACTORS: tuple[Actor, ...] = (Actor.KOMMUN, Actor.VARD, Actor.FK, Actor.AF)
# Quotes of each valence shown per factor; more are counted but not printed.
QUOTES_PER_VALENCE = 3
PROPOSALS_PER_FACTOR = 10
# A kommun with fewer coded passages than this is too thin to say it differs from others.
MIN_N_COMPARE = 5

# The analyst's own sections: report-wide, and per factor.
REPORT_SECTIONS: tuple[str, ...] = ("sammanfattning", "bakgrund", "slutsatser", "atgarder")
FACTOR_SECTIONS: tuple[str, ...] = ("syntes", "atgarder")


class ReportKind(StrEnum):
    KOMMUN = "kommun"
    AKTOR = "aktor"
    REGION = "region"


class Attribution(StrEnum):
    """How a quote is signed; coarser settings keep a chef in a small kommun unrecognisable."""

    ACTOR = "actor"
    ACTOR_GROUP = "actor-group"
    ROLE_ACTOR = "role-actor"


@dataclass(frozen=True, slots=True)
class Quote:
    """An anonymised passage, signed as the attribution setting says."""

    text: str
    attribution: str
    valence: Valence
    kommun: str = ""
    coding_id: int = 0
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class ValenceCount:
    """How often something was raised as främjande, hindrande, förslag, or without valence."""

    label: str
    promoting: int = 0
    hindering: int = 0
    proposals: int = 0
    unvalued: int = 0

    @property
    def total(self) -> int:
        return self.promoting + self.hindering + self.proposals + self.unvalued


@dataclass(frozen=True, slots=True)
class InterviewInfo:
    name: str
    kommun: str
    group_type: str
    date: str
    duration_min: int | None
    participants: int
    guide: str = ""
    transcription: str = ""  # 'auto' (speech recognition) or 'text' (imported transcript)


@dataclass(frozen=True, slots=True)
class Material:
    interviews: tuple[InterviewInfo, ...]
    participants: int
    by_actor: tuple[tuple[str, int], ...]
    by_role: tuple[tuple[str, str, int], ...]  # role, actor, count
    group_types: tuple[tuple[str, int], ...]
    total_duration_min: int | None
    codings: int
    # Recordings in scope with no transcript yet (imported audio, never transcribed):
    # no part of the material, only named by their number.
    untranscribed: int = 0


@dataclass(frozen=True, slots=True)
class CoderShare:
    name: str
    codings: int
    recordings: int


@dataclass(frozen=True, slots=True)
class Method:
    """What Metod says, from the data: guides, transcription, codebook, coders, agreement."""

    guides: tuple[str, ...]
    auto_transcribed: int
    text_imported: int
    model: str
    codebook_name: str
    codebook_description: str
    coders: tuple[CoderShare, ...]
    kappa: float | None = None
    alpha: float | None = None
    percent: float | None = None
    agreement_units: int = 0
    agreement_coders: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FactorResult:
    """One code of the codebook: definition, analyst text, counts, quotes, proposals."""

    key: str
    label: str
    counts: ValenceCount
    breakdown: tuple[ValenceCount, ...]  # per actor (or per kommun in an actor report)
    quotes_promoting: tuple[Quote, ...]
    quotes_hindering: tuple[Quote, ...]
    memos: tuple[str, ...]
    proposals: tuple[Quote, ...]  # Deltagarnas förslag: coded passages, evidence
    definition: str = ""
    synthesis: str = ""  # the analyst's text
    recommendations: str = ""  # the analyst's "att ..." list: Förslag på åtgärder

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
    # Kommuner with some codings, but fewer than MIN_N_COMPARE: named with their n.
    thin: tuple[tuple[str, int], ...] = ()
    n_by_kommun: tuple[tuple[str, int], ...] = ()
    min_n: int = MIN_N_COMPARE
    # The integration level most coded per kommun, where `integrationsnivaer` is used.
    integration: tuple[tuple[str, str, int], ...] = ()  # kommun, level, n

    @property
    def compared(self) -> tuple[str, ...]:
        thin = {k for k, _ in self.thin}
        return tuple(k for k in self.kommuner if k not in self.uncoded and k not in thin)


@dataclass(frozen=True, slots=True)
class Relation:
    """Codings by one actor about another: who speaks about whom, and how."""

    speaker: str
    partner: str
    counts: ValenceCount


@dataclass(frozen=True, slots=True)
class Relations:
    actors: tuple[str, ...]
    relations: tuple[Relation, ...]
    n: int  # codings that name a partner actor
    by_kommun: tuple[tuple[str, tuple[Relation, ...]], ...] = ()  # region report only

    def cell(self, speaker: str, partner: str) -> ValenceCount:
        for r in self.relations:
            if r.speaker == speaker and r.partner == partner:
                return r.counts
        return ValenceCount(f"{speaker}→{partner}")


@dataclass(frozen=True, slots=True)
class TitleInfo:
    study: str = ""
    client: str = ""  # the samordningsförbund or other client
    author: str = ""


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
    method: Method | None = None
    relations: Relations | None = None
    title_info: TitleInfo = field(default_factory=TitleInfo)
    texts: dict[str, str] = field(default_factory=dict)  # report-wide analyst sections
    attribution: Attribution = Attribution.ACTOR_GROUP

    @property
    def has_codings(self) -> bool:
        return self.material.codings > 0

    @property
    def has_proposals(self) -> bool:
        return any(f.proposals for f in self.factors)

    @property
    def has_recommendations(self) -> bool:
        return bool(self.texts.get("atgarder")) or any(f.recommendations for f in self.factors)

    @property
    def has_unvalued(self) -> bool:
        return any(f.counts.unvalued for f in self.factors)

    @property
    def has_cooccurrence(self) -> bool:
        return any(
            v for i, row in enumerate(self.cooccurrence) for j, v in enumerate(row) if i != j
        )
