"""What the REFI-QDA reader returns: plain records, no XML and no project."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps that keep a hostile archive from exhausting memory."""

    max_entries: int = 10_000
    max_xml_bytes: int = 256 * 2**20
    max_text_bytes: int = 128 * 2**20
    max_total_bytes: int = 1024 * 2**20


DEFAULT_LIMITS = Limits()


# ------------------------------------------------------------------------ records
@dataclass(frozen=True, slots=True)
class RefiUser:
    guid: str
    name: str


@dataclass(frozen=True, slots=True)
class RefiCode:
    guid: str
    name: str
    parent: str | None  # parent code GUID
    codable: bool = True
    colour: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class RefiSource:
    """A text source. `text` is the plain text the offsets refer to (BOM removed)."""

    guid: str
    name: str
    text: str
    missing: bool = False  # the file named by the project is not in the archive
    from_docx: bool = False  # plain text was empty; text extracted from the .docx
    sync: tuple[tuple[int, int], ...] = ()  # (position, milliseconds) from an audio transcript
    notes: tuple[str, ...] = ()  # texts of the notes the source refers to
    description: str = ""
    values: tuple[tuple[str, str], ...] = ()  # (variable name, value) on the source itself


@dataclass(frozen=True, slots=True)
class RefiCoding:
    """A code on [start, end) of a source's text, in code points."""

    source: str  # source GUID
    start: int
    end: int
    code: str  # code GUID
    user: str  # user name ('' when the file names none)
    guid: str = ""
    created: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class RefiSelection:
    """A text selection, coded or not (Cases may refer to uncoded ones: speaker turns)."""

    guid: str
    source: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class RefiCase:
    guid: str
    name: str
    values: tuple[tuple[str, str], ...] = ()  # (variable name, value)
    sources: tuple[str, ...] = ()
    selections: tuple[str, ...] = ()  # GUIDs of the selections the case refers to


@dataclass(frozen=True, slots=True)
class RefiSet:
    guid: str
    name: str
    sources: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class RefiProject:
    name: str
    origin: str
    users: tuple[RefiUser, ...]
    codes: tuple[RefiCode, ...]
    sources: tuple[RefiSource, ...]
    codings: tuple[RefiCoding, ...]
    cases: tuple[RefiCase, ...] = ()
    sets: tuple[RefiSet, ...] = ()
    selections: tuple[RefiSelection, ...] = ()
    utf16_sources: tuple[str, ...] = ()  # sources whose offsets were read as UTF-16 units
    notes: tuple[str, ...] = ()  # texts of project-level notes (Project/NoteRef)
    transcripts: tuple[str, ...] = ()  # texts of audio and video transcripts
    media: tuple[str, ...] = ()  # names of audio and video sources
    warnings: tuple[str, ...] = ()
