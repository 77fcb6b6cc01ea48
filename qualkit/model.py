"""Immutable domain records. Everything the store returns is one of these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from qualkit.errors import InputError, NotFoundError

_EMPTY: Mapping[str, str] = MappingProxyType({})


# The coder under which the agreed codings of a passage are stored; never counted as a
# coder in agreement, and on a team's server written by the project lead only.
CONSENSUS_CODER = "konsensus"


class Actor(StrEnum):
    """The four collaborating public actors, plus 'annan' for moderators and others."""

    KOMMUN = "kommun"
    VARD = "vård"
    FK = "FK"
    AF = "AF"
    ANNAN = "annan"

    @classmethod
    def parse(cls, text: str) -> Actor:
        """Accept the usual spellings: 'FK', 'fk', 'Försäkringskassan', 'vard', 'region' ..."""
        key = text.strip().casefold()
        aliases = {
            "kommun": cls.KOMMUN,
            "kommunen": cls.KOMMUN,
            "socialtjänst": cls.KOMMUN,
            "vård": cls.VARD,
            "vard": cls.VARD,
            "region": cls.VARD,
            "regionen": cls.VARD,
            "fk": cls.FK,
            "försäkringskassan": cls.FK,
            "forsakringskassan": cls.FK,
            "af": cls.AF,
            "arbetsförmedlingen": cls.AF,
            "arbetsformedlingen": cls.AF,
            "annan": cls.ANNAN,
            "other": cls.ANNAN,
            "moderator": cls.ANNAN,
        }
        if key not in aliases:
            raise InputError(f"Unknown actor {text!r}: use one of kommun, vård, FK, AF or annan.")
        return aliases[key]


class GroupType(StrEnum):
    MEDARBETARE = "medarbetare"
    CHEFER = "chefer"
    BLANDAD = "blandad"

    @classmethod
    def parse(cls, text: str) -> GroupType:
        key = text.strip().casefold()
        for member in cls:
            if member.value == key:
                return member
        aliases = {"staff": cls.MEDARBETARE, "managers": cls.CHEFER, "mixed": cls.BLANDAD}
        if key in aliases:
            return aliases[key]
        raise InputError(f"Unknown group type {text!r}: use medarbetare, chefer or blandad.")


class Valence(StrEnum):
    """Whether a coded passage speaks of a factor as present, missing, or proposes change."""

    PROMOTING = "främjande"
    HINDERING = "hindrande"
    PROPOSAL = "förslag"
    NONE = "ingen"

    @classmethod
    def parse(cls, text: str) -> Valence:
        key = text.strip().casefold()
        aliases = {
            "främjande": cls.PROMOTING,
            "framjande": cls.PROMOTING,
            "promoting": cls.PROMOTING,
            "+": cls.PROMOTING,
            "f": cls.PROMOTING,
            "hindrande": cls.HINDERING,
            "hindering": cls.HINDERING,
            "-": cls.HINDERING,
            "h": cls.HINDERING,
            "förslag": cls.PROPOSAL,
            "forslag": cls.PROPOSAL,
            "proposal": cls.PROPOSAL,
            "p": cls.PROPOSAL,
            "ingen": cls.NONE,
            "none": cls.NONE,
            "": cls.NONE,
            "0": cls.NONE,
        }
        if key not in aliases:
            raise InputError(
                f"Unknown valence {text!r}: use främjande, hindrande, förslag or ingen."
            )
        return aliases[key]


class Consent(StrEnum):
    UNKNOWN = "okänt"
    GIVEN = "givet"
    WITHDRAWN = "återkallat"


class Stage(StrEnum):
    """Pipeline stages in the order they run."""

    AUDIO = "audio"
    TRANSCRIBE = "transcribe"
    DIARIZE = "diarize"
    ALIGN = "align"


class StageStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"
    # Stopped by the user (Ctrl-C, Esc in the app) or by its process ending mid-stage
    # (killed, the app quit): not a failure, and the next run resumes at this stage.
    INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class Recording:
    """One interview session: audio, an imported transcript, or both."""

    id: int
    name: str
    audio_path: str | None = None
    transcript_path: str | None = None
    sha256: str = ""
    duration_s: float | None = None
    kommun: str | None = None
    group_type: GroupType | None = None
    date: str | None = None
    guide: str | None = None
    stages: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    @property
    def pipeline_state(self) -> str:
        """Where the recording's pipeline stands, one word: new, transcript (a typed one,
        no pipeline), failed, running, interrupted, done (aligned, nothing left), or
        partial."""
        if not self.stages:
            return "transcript" if self.transcript_path else "new"
        states = set(self.stages.values())
        # A run under way comes first: an earlier stage's failure is what it is redoing.
        if StageStatus.RUNNING in states:
            return "running"
        if StageStatus.FAILED in states:
            return "failed"
        if StageStatus.INTERRUPTED in states:
            return "interrupted"
        finished = states <= {StageStatus.DONE, StageStatus.SKIPPED}
        return "done" if finished and self.stages.get("align") == StageStatus.DONE else "partial"

    @property
    def pipeline_stage(self) -> str | None:
        """The stage `pipeline_state` is about: the first that failed (failed), the one
        running (running), the one to resume at (interrupted), the first not finished
        (partial); None for the other states."""
        by_state: dict[str, set[str | None]] = {
            "failed": {StageStatus.FAILED},
            "running": {StageStatus.RUNNING},
            "interrupted": {StageStatus.INTERRUPTED},
            "partial": {StageStatus.PENDING, StageStatus.RUNNING, None},
        }
        wanted = by_state.get(self.pipeline_state)
        if wanted is None:
            return None
        # In the order the stages run, not the store's order (PostgreSQL keeps none).
        return next((s.value for s in Stage if self.stages.get(s.value) in wanted), None)


@dataclass(frozen=True, slots=True)
class Participant:
    """A person in a focus group. Quoted by role and actor; the real name never leaves the store."""

    id: int
    pseudonym: str
    role: str = ""
    actor: Actor | None = None
    kommun: str | None = None
    attributes: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    consent: Consent = Consent.UNKNOWN
    consent_date: str | None = None
    real_name: str | None = None

    @property
    def role_and_actor(self) -> str:
        """'handläggare, FK'; empty when neither is known."""
        return ", ".join(p for p in (self.role, self.actor.value if self.actor else "") if p)

    @property
    def attribution(self) -> str:
        """How a quote is signed in reports: 'handläggare, FK', else the pseudonym."""
        return self.role_and_actor or self.pseudonym

    @property
    def name_with_role(self) -> str:
        """'Lisa (handläggare, FK)', or 'Lisa' alone: the pseudonym is not said twice."""
        return (
            f"{self.pseudonym} ({self.role_and_actor})" if self.role_and_actor else self.pseudonym
        )


@dataclass(frozen=True, slots=True)
class Speaker:
    """A diarised (or transcript-named) voice inside one recording."""

    id: int
    recording_id: int
    label: str
    participant_id: int | None = None
    talk_time_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Word:
    start: float
    end: float
    text: str
    probability: float = 1.0


@dataclass(frozen=True, slots=True)
class Segment:
    """A speaker turn (or part of one) in a transcript."""

    id: int
    recording_id: int
    idx: int
    text: str
    start: float | None = None
    end: float | None = None
    speaker_id: int | None = None
    words: tuple[Word, ...] = ()
    overlap: bool = False


@dataclass(frozen=True, slots=True)
class Code:
    """A code in a codebook; `key` is the stable id other tools and files refer to."""

    codebook: str
    key: str
    label_sv: str
    label_en: str = ""
    description: str = ""
    parent: str | None = None
    colour: str | None = None
    hotkey: str | None = None

    def label(self, lang: str = "sv") -> str:
        return self.label_en if lang == "en" and self.label_en else self.label_sv


@dataclass(frozen=True, slots=True)
class Codebook:
    id: str
    name: str
    codes: tuple[Code, ...]
    description: str = ""
    version: str = "1"
    name_en: str = ""  # the name an English report shows; the Swedish one when empty

    def title(self, lang: str = "sv") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name

    def code(self, key: str) -> Code:
        for c in self.codes:
            if c.key == key:
                return c
        known = ", ".join(c.key for c in self.codes)
        raise NotFoundError(f"Codebook {self.id!r} has no code {key!r}. Known codes: {known}.")

    def children(self, key: str | None) -> tuple[Code, ...]:
        return tuple(c for c in self.codes if c.parent == key)


@dataclass(frozen=True, slots=True)
class Coding:
    """A code applied to a segment, or to a character span [span_start, span_end) of it."""

    id: int
    segment_id: int
    codebook: str
    code: str
    valence: Valence = Valence.NONE
    coder: str = "default"
    created: str = ""
    memo: str | None = None
    span_start: int | None = None
    span_end: int | None = None
    round_id: int | None = None
    partner_actor: str | None = None  # the actor the passage speaks about, if a coder said


@dataclass(frozen=True, slots=True)
class Memo:
    id: int
    target: str  # 'project', 'recording', 'segment', 'code' or 'coding'
    target_id: str
    text: str
    coder: str = "default"
    created: str = ""


@dataclass(frozen=True, slots=True)
class Coder:
    id: int
    name: str
    role: str = ""


@dataclass(frozen=True, slots=True)
class Round:
    """A självvärdering round: material coded by staff and an optional co-assessor."""

    id: int
    name: str
    date: str
    co_assessor: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Pseudonym:
    """A replacement for a name or identifier found in transcripts.

    `status` is 'proposed' until a coder accepts or rejects it; exports apply accepted ones."""

    id: int
    kind: str  # 'name', 'personnummer', 'phone', 'email', 'address', ...
    original: str
    replacement: str
    status: str = "proposed"
