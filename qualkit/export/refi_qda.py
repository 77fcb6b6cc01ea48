"""REFI-QDA exchange: a .qdpx project and a .qdc codebook for NVivo, ATLAS.ti, MAXQDA, QualCoder.

Conventions (docs/refi-qda.md has the user-facing version):

* A recording's plain text is its exportable segments' texts (redacted, withdrawn speakers left
  out) joined with "\\n". Offsets are code points, end exclusive. A whole-segment coding spans
  its segment's text; a span coding is shifted by the segment's start in the joined text.
* Valence cannot live on a REFI coding (codings carry no attributes), so every code of a
  codebook that uses valence gets three codable sub-codes "<label> – främjande", "– hindrande"
  and "– förslag". A coding with valence lands on the sub-code, one without on the code itself.
  Import folds the sub-codes back into code + valence.
* GUIDs are uuid5 over a per-project namespace kept in the store's meta table, so a re-export
  keeps every GUID and other tools can merge the new file into the old project.
"""

from __future__ import annotations

import re
import shutil
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit import __version__, atomic
from qualkit.errors import InputError
from qualkit.model import (
    Code,
    Codebook,
    Coding,
    Consent,
    Memo,
    Participant,
    Recording,
    Segment,
    Valence,
)
from qualkit.privacy import Redactor, exportable_segments
from qualkit.project import DEFAULT_CODEBOOK, Project

if TYPE_CHECKING:
    from qualkit.export.refi_import import ImportSummary
    from qualkit.export.refi_read import RefiProject

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMA_LOCATION = {
    PROJECT_NS: "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd",
    CODEBOOK_NS: "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd",
}
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ORIGIN = f"qualkit {__version__}"
NAMESPACE_META_KEY = "refi_guid_namespace"
# REFI-QDA caps a file inside the archive at 2^31 - 1 bytes; bigger audio stays outside.
MAX_INTERNAL_BYTES = 2**31 - 1
VALENCE_SEPARATOR = " – "
# The description that marks a Set as a kommunområde (other tools' sets are document groups).
KOMMUN_SET = "Kommunområde"
VALENCES: tuple[Valence, ...] = (Valence.PROMOTING, Valence.HINDERING, Valence.PROPOSAL)
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$")


def valence_code_name(label: str, valence: Valence) -> str:
    """The name of a code's valence sub-code: 'En ledning … – hindrande'."""
    return f"{label}{VALENCE_SEPARATOR}{valence.value}"


# ----------------------------------------------------------------------------- GUIDs
@dataclass(frozen=True, slots=True)
class Guids:
    """Deterministic GUIDs: the same project object gets the same GUID in every export."""

    namespace: uuid.UUID

    @classmethod
    def for_project(cls, project: Project) -> Guids:
        stored = project.store.get_meta(NAMESPACE_META_KEY)
        if stored is None:
            stored = str(uuid.uuid4())
            project.store.set_meta(NAMESPACE_META_KEY, stored)
        return cls(uuid.UUID(stored))

    def __call__(self, *parts: object) -> str:
        return str(uuid.uuid5(self.namespace, ":".join(str(p) for p in parts))).upper()


def guid_index(project: Project) -> dict[str, tuple[str, str, Valence]]:
    """Code GUIDs this project writes -> (codebook, key, valence), to read its exports back."""
    guids = Guids.for_project(project)
    out: dict[str, tuple[str, str, Valence]] = {}
    for cb in project.codebook_ids():
        for code in project.codebook(cb).codes:
            for valence in (Valence.NONE, *VALENCES):
                out[code_guid(guids, code, valence)] = (cb, code.key, valence)
    return out


def source_guid(project: Project, recording_id: int) -> str:
    """The TextSource GUID of a recording in this project's exports."""
    return Guids.for_project(project)("source", recording_id)


# ------------------------------------------------------------------------ text model
@dataclass(frozen=True, slots=True)
class SourceText:
    """One recording as REFI plain text: the joined segments and where each one starts."""

    text: str
    segments: tuple[Segment, ...]  # redacted, exportable, in order
    starts: tuple[int, ...]  # offset of each segment in `text`

    def offsets(self, index: int) -> tuple[int, int]:
        start = self.starts[index]
        return start, start + len(self.segments[index].text)


def source_text(segments: Sequence[Segment]) -> SourceText:
    """Join (already redacted) segments with '\\n' and record their start offsets."""
    starts: list[int] = []
    pos = 0
    for seg in segments:
        starts.append(pos)
        pos += len(seg.text) + 1
    return SourceText("\n".join(s.text for s in segments), tuple(segments), tuple(starts))


def map_span(original: str, span: tuple[int, int], redact: Callable[[str], str]) -> tuple[int, int]:
    """Move a span on the original text onto the redacted text.

    Redaction replaces names with labels of another length; the span keeps its context on
    both sides, so its start is the redacted length of what precedes it and its end is
    measured back from the end of the redacted text."""
    start, end = span
    redacted_len = len(redact(original))
    new_start = len(redact(original[:start]))
    new_end = redacted_len - len(redact(original[end:]))
    new_start = max(0, min(new_start, redacted_len))
    new_end = max(0, min(new_end, redacted_len))
    if new_end <= new_start:
        return (min(new_start, max(redacted_len - 1, 0)), redacted_len) if redacted_len else (0, 0)
    return new_start, new_end


# ---------------------------------------------------------------------- XML helpers
def _clean(text: str) -> str:
    return _XML_BAD.sub("", text)


def _el(parent: ET.Element, ns: str, tag: str, **attrs: str | None) -> ET.Element:
    return ET.SubElement(
        parent, f"{{{ns}}}{tag}", {k: _clean(v) for k, v in attrs.items() if v is not None}
    )


def _text_el(parent: ET.Element, ns: str, tag: str, text: str) -> ET.Element:
    node = _el(parent, ns, tag)
    node.text = _clean(text)
    return node


def _datetime(value: str | None) -> str | None:
    return value if value and _DATETIME.match(value) else None


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n' + body + b"\n"


def _root(ns: str, tag: str, **attrs: str | None) -> ET.Element:
    ET.register_namespace("", ns)
    ET.register_namespace("xsi", XSI)
    root = ET.Element(f"{{{ns}}}{tag}", {k: _clean(v) for k, v in attrs.items() if v})
    root.set(f"{{{XSI}}}schemaLocation", f"{ns} {SCHEMA_LOCATION[ns]}")
    return root


# ------------------------------------------------------------------------ codebooks
def _valence_books(project: Project, books: Sequence[Codebook]) -> set[str]:
    """Codebooks whose codes get valence sub-codes: Danermark always, others when used."""
    out = {b.id for b in books if b.id == DEFAULT_CODEBOOK}
    for book in books:
        if any(c.valence is not Valence.NONE for c in project.store.codings(codebook=book.id)):
            out.add(book.id)
    return out


def code_guid(guids: Guids, code: Code, valence: Valence = Valence.NONE) -> str:
    if valence is Valence.NONE:
        return guids("code", code.codebook, code.key)
    return guids("code", code.codebook, code.key, valence.value)


def _add_codes(
    parent: ET.Element,
    ns: str,
    books: Sequence[Codebook],
    guids: Guids,
    with_valence: set[str],
    note_refs: dict[str, list[str]] | None = None,
) -> None:
    codes = _el(parent, ns, "Codes")
    folders = len(books) > 1

    def add(node: ET.Element, book: Codebook, code: Code) -> None:
        guid = code_guid(guids, code)
        el = _el(node, ns, "Code", guid=guid, name=code.label_sv, isCodable="true")
        if code.colour:
            el.set("color", code.colour)
        description = code.description
        if code.label_en:
            description = f"{description}\n\n(en) {code.label_en}".strip()
        if description:
            _text_el(el, ns, "Description", description)
        for note in (note_refs or {}).get(guid, []):
            _el(el, ns, "NoteRef", targetGUID=note)
        if book.id in with_valence:
            for valence in VALENCES:
                sub = _el(
                    el,
                    ns,
                    "Code",
                    guid=code_guid(guids, code, valence),
                    name=valence_code_name(code.label_sv, valence),
                    isCodable="true",
                )
                if code.colour:
                    sub.set("color", code.colour)
        for child in book.children(code.key):
            add(el, book, child)

    for book in books:
        node = codes
        if folders:
            # Several codebooks in one file: each becomes a folder that cannot be applied.
            node = _el(codes, ns, "Code", guid=guids("codebook", book.id), name=book.name)
            node.set("isCodable", "false")
            if book.description:
                _text_el(node, ns, "Description", book.description)
        for code in book.children(None):
            add(node, book, code)


def _choose_books(project: Project, codebook_ids: Sequence[str] | None) -> list[Codebook]:
    if codebook_ids:
        return [project.codebook(cb) for cb in codebook_ids]
    used = {c.codebook for c in project.store.codings()}
    ids = [cb for cb in project.codebook_ids() if cb in used] or [DEFAULT_CODEBOOK]
    return [project.codebook(cb) for cb in ids]


def export_qdc(
    project: Project, path: Path | str | None = None, codebook_ids: Sequence[str] | None = None
) -> Path:
    """Write the codebook(s) as a REFI-QDA .qdc file and return its path."""
    books = _choose_books(project, codebook_ids)
    guids = Guids.for_project(project)
    root = _root(CODEBOOK_NS, "CodeBook", origin=ORIGIN)
    _add_codes(root, CODEBOOK_NS, books, guids, _valence_books(project, books))
    name = books[0].id if len(books) == 1 else project.root.name
    target = Path(path) if path is not None else project.exports_dir / f"{name}.qdc"
    return atomic.write_bytes(target, _serialise(root))


# -------------------------------------------------------------------------- project
@dataclass
class _Package:
    """Files that go into sources/: name -> bytes, or name -> path on disk (audio)."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class QdpxExport:
    path: Path
    sources: int
    codes: int
    codings: int
    skipped_codings: int  # on segments left out (withdrawn consent)


def _fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "--:--:--"
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def export_qdpx(
    project: Project,
    path: Path | str | None = None,
    codebook_ids: Sequence[str] | None = None,
    *,
    max_internal_bytes: int = MAX_INTERNAL_BYTES,
    speaker_selections: bool = True,
) -> QdpxExport:
    """Write the whole project as a REFI-QDA .qdpx archive (project.qde + sources/).

    With `speaker_selections`, every turn of a named participant is a selection that the
    participant's Case refers to (uncoded turns become uncoded selections)."""
    writer = _ProjectWriter(project, codebook_ids, max_internal_bytes, speaker_selections)
    for rec in project.recordings():
        writer.add_recording(rec)
    writer.add_code_and_project_memos()
    root = writer.assemble()
    out = Path(path) if path is not None else project.exports_dir / f"{project.root.name}.qdpx"
    _write_zip(out, _serialise(root), writer.pkg)
    n_codes = len(list(root.iter(f"{{{PROJECT_NS}}}Code")))
    return QdpxExport(out, len(writer.sources), n_codes, writer.n_codings, writer.skipped)


@dataclass(frozen=True, slots=True)
class _Note:
    guid: str
    name: str
    text: str  # redacted
    coder: str
    created: str


class _ProjectWriter:
    """Builds project.qde and the sources/ files, one recording at a time."""

    def __init__(
        self,
        project: Project,
        codebook_ids: Sequence[str] | None,
        max_internal_bytes: int,
        speaker_selections: bool,
    ) -> None:
        self.project = project
        self.max_internal_bytes = max_internal_bytes
        self.speaker_selections = speaker_selections
        self.guids = Guids.for_project(project)
        self.redactor = Redactor.for_project(project)
        self.books = _choose_books(project, codebook_ids)
        self.book_ids = {b.id for b in self.books}
        self.with_valence = _valence_books(project, self.books)
        self.codes = {(c.codebook, c.key): c for b in self.books for c in b.codes}
        self.participants = {p.id: p for p in project.store.participants()}
        self.speakers = {s.id: s for s in project.store.speakers()}
        self.memos: dict[str, list[Memo]] = defaultdict(list)
        for memo in project.store.memos():
            self.memos[f"{memo.target}:{memo.target_id}"].append(memo)
        self.pkg = _Package()
        self.notes: list[_Note] = []
        self.note_refs: dict[str, list[str]] = defaultdict(list)  # owner GUID -> note GUIDs
        self.users: dict[str, str] = {}  # coder name -> GUID
        self.sources: list[ET.Element] = []
        self.sets: dict[str, list[str]] = defaultdict(list)  # kommun -> source GUIDs
        self.case_sources: dict[int, list[str]] = defaultdict(list)
        self.case_selections: dict[int, list[str]] = defaultdict(list)
        self.n_codings = 0
        self.skipped = 0

    # ------------------------------------------------------------------ helpers
    def user(self, name: str) -> str:
        if name not in self.users:
            self.users[name] = self.guids("user", name)
        return self.users[name]

    def note(self, owner: str, guid: str, name: str, text: str, coder: str, created: str) -> None:
        self.notes.append(_Note(guid, name, self.redactor.redact(text), coder, created))
        self.note_refs[owner].append(guid)
        self.user(coder)

    def memo_notes(self, owner: str, key: str, name: str) -> None:
        for memo in self.memos.get(key, []):
            self.note(owner, self.guids("memo", memo.id), name, memo.text, memo.coder, memo.created)

    # --------------------------------------------------------------- recordings
    def add_recording(self, rec: Recording) -> None:
        original = self.project.store.segments(rec.id)
        exported = exportable_segments(self.project, original, self.redactor)
        name = self.redactor.redact(rec.name)
        members: list[str] = []
        text_guid = self.guids("source", rec.id)
        st = source_text(exported)
        if exported:
            self.sources.append(self._text_source(rec, name, text_guid, st, original))
            members.append(text_guid)
        audio = _audio_source(self.project, rec.audio_path)
        if audio is not None:
            audio_el = self._audio_source(rec, name, audio, text_guid if exported else None, st)
            self.sources.append(audio_el)
            members.append(audio_el.get("guid", ""))
        if rec.kommun and members:
            self.sets[rec.kommun].extend(members)

    def _text_source(
        self,
        rec: Recording,
        name: str,
        guid: str,
        st: SourceText,
        original: Sequence[Segment],
    ) -> ET.Element:
        ns = PROJECT_NS
        txt_name = f"{guid}.txt"
        self.pkg.blobs[txt_name] = st.text.encode("utf-8")
        el = ET.Element(
            f"{{{ns}}}TextSource",
            {"guid": guid, "name": _clean(name), "plainTextPath": f"internal://{txt_name}"},
        )
        # Recording memos and the turn table (who spoke when) travel as notes, so the
        # plain text itself stays exactly the joined segments.
        self.memo_notes(guid, f"recording:{rec.id}", f"Memo: {name}")
        self.memo_notes(guid, f"recording:{rec.name}", f"Memo: {name}")
        turn_of = self._turns(rec, name, guid, st)
        selections = self._coded_spans(rec, st, original)
        for span in turn_of:
            selections.setdefault(span, [])
        for (start, end), items in sorted(selections.items()):
            self._selection(el, name, st, start, end, items, turn_of.get((start, end)))
        for i, seg in enumerate(st.segments):
            self.memo_notes(guid, f"segment:{seg.id}", f"Memo: {name} tur {i + 1}")
        return el

    def _turns(
        self, rec: Recording, name: str, guid: str, st: SourceText
    ) -> dict[tuple[int, int], tuple[int, int]]:
        """The turn-table note; returns span -> (participant id, segment id) of named turns."""
        turn_of: dict[tuple[int, int], tuple[int, int]] = {}
        voices: dict[int, str] = {}
        rows = []
        for i, seg in enumerate(st.segments):
            who = ""
            spk = self.speakers.get(seg.speaker_id) if seg.speaker_id is not None else None
            person = (
                self.participants.get(spk.participant_id)
                if spk is not None and spk.participant_id is not None
                else None
            )
            if person is not None:
                who = f"{person.pseudonym} ({person.attribution})"
                if guid not in self.case_sources[person.id]:
                    self.case_sources[person.id].append(guid)
                # Each named speaker's turn is a selection its Case refers to: NVivo and
                # ATLAS.ti can then cross codes with role and actor.
                if seg.text and self.speaker_selections:
                    turn_of[st.offsets(i)] = (person.id, seg.id)
            elif spk is not None:
                # An unnamed voice's label may be a first name from the transcript file.
                who = voices.setdefault(spk.id, f"Röst {len(voices) + 1}")
            start, end = st.offsets(i)
            rows.append(
                f"{i + 1}\t{_fmt_time(seg.start)}–{_fmt_time(seg.end)}\t{start}–{end}\t{who}"
            )
        self.note(
            guid,
            self.guids("turns", rec.id),
            f"Talare och tider: {name}",
            "Tur\tTid\tTecken\tTalare\n" + "\n".join(rows),
            "qualkit",
            "",
        )
        return turn_of

    def _coded_spans(
        self, rec: Recording, st: SourceText, original: Sequence[Segment]
    ) -> dict[tuple[int, int], list[tuple[Coding, str]]]:
        """Codings grouped by their span in the joined text, each with its code GUID."""
        index = {s.id: i for i, s in enumerate(st.segments)}
        originals = {s.id: s for s in original}
        spans: dict[tuple[int, int], list[tuple[Coding, str]]] = defaultdict(list)
        for coding in self.project.store.codings(recording_id=rec.id):
            if coding.codebook not in self.book_ids:
                continue
            if coding.segment_id not in index:  # withdrawn consent
                self.skipped += 1
                continue
            seg_start, seg_end = st.offsets(index[coding.segment_id])
            span = (seg_start, seg_end)
            if coding.span_start is not None and coding.span_end is not None:
                a, b = map_span(
                    originals[coding.segment_id].text,
                    (coding.span_start, coding.span_end),
                    self.redactor.redact,
                )
                span = (seg_start + a, seg_start + b)
            if span[1] <= span[0]:
                self.skipped += 1
                continue
            code = self.codes[(coding.codebook, coding.code)]
            valence = coding.valence if coding.codebook in self.with_valence else Valence.NONE
            spans[span].append((coding, code_guid(self.guids, code, valence)))
        return spans

    def _selection(
        self,
        source: ET.Element,
        name: str,
        st: SourceText,
        start: int,
        end: int,
        items: list[tuple[Coding, str]],
        turn: tuple[int, int] | None,
    ) -> None:
        ns = PROJECT_NS
        first = items[0][0] if items else None
        if first is not None:
            guid = self.guids("selection", first.segment_id, first.span_start, first.span_end)
        else:
            assert turn is not None
            guid = self.guids("selection", turn[1], None, None)
        if turn is not None:
            self.case_selections[turn[0]].append(guid)
        sel = _el(
            source,
            ns,
            "PlainTextSelection",
            guid=guid,
            name=_clean(st.text[start:end][:100]),
            startPosition=str(start),
            endPosition=str(end),
            creatingUser=self.user(first.coder) if first else None,
            creationDateTime=_datetime(first.created) if first else None,
        )
        for coding, target in items:
            coding_guid = self.guids("coding", coding.id)
            c_el = _el(
                sel,
                ns,
                "Coding",
                guid=coding_guid,
                creatingUser=self.user(coding.coder),
                creationDateTime=_datetime(coding.created),
            )
            _el(c_el, ns, "CodeRef", targetGUID=target)
            if coding.memo:
                self.note(
                    coding_guid,
                    self.guids("coding-memo", coding.id),
                    f"Memo: {name} {start}–{end}",
                    coding.memo,
                    coding.coder,
                    coding.created,
                )
            self.memo_notes(coding_guid, f"coding:{coding.id}", f"Memo: {name} {start}–{end}")
            self.n_codings += 1

    def _audio_source(
        self, rec: Recording, name: str, audio: Path, text_guid: str | None, st: SourceText
    ) -> ET.Element:
        ns = PROJECT_NS
        guid = self.guids("audio", rec.id)
        el = ET.Element(f"{{{ns}}}AudioSource", {"guid": guid, "name": _clean(name)})
        if audio.stat().st_size <= self.max_internal_bytes:
            member = f"{guid}{audio.suffix.lower()}"
            self.pkg.files[member] = audio
            el.set("path", f"internal://{member}")
        else:
            try:
                rel = audio.resolve().relative_to(self.project.root).as_posix()
                el.set("path", f"relative:///{rel}")
            except ValueError:  # audio kept outside the project folder
                el.set("path", f"absolute:///{audio.resolve().as_posix().lstrip('/')}")
        if text_guid is None:
            return el
        tr = _el(
            el,
            ns,
            "Transcript",
            guid=self.guids("transcript", rec.id),
            name=_clean(name),
            plainTextPath=f"internal://{text_guid}.txt",
        )
        for i, seg in enumerate(st.segments):
            start, end = st.offsets(i)
            for which, seconds, position in (("start", seg.start, start), ("end", seg.end, end)):
                if seconds is not None:
                    _el(
                        tr,
                        ns,
                        "SyncPoint",
                        guid=self.guids("sync", seg.id, which),
                        timeStamp=str(round(seconds * 1000)),
                        position=str(position),
                    )
        return el

    def add_code_and_project_memos(self) -> None:
        for key in list(self.memos):
            target, _, target_id = key.partition(":")
            if target == "code":
                cb, _, k = target_id.rpartition(":")
                found = self.codes.get((cb or DEFAULT_CODEBOOK, k))
                if found is not None:
                    self.memo_notes(code_guid(self.guids, found), key, f"Memo: {found.label_sv}")
            elif target == "project":
                self.memo_notes("project", key, "Memo: projekt")

    # ----------------------------------------------------------------- assembly
    def assemble(self) -> ET.Element:
        """project.qde in the schema's element order."""
        ns = PROJECT_NS
        guids = self.guids
        for el in self.sources:
            # NoteRef comes after selections, codings and transcripts (and before
            # VariableValue, which we do not write on sources).
            for ref in self.note_refs.get(el.get("guid", ""), []):
                _el(el, ns, "NoteRef", targetGUID=ref)
            for coding in el.iter(f"{{{ns}}}Coding"):
                for ref in self.note_refs.get(coding.get("guid", ""), []):
                    _el(coding, ns, "NoteRef", targetGUID=ref)
        root = _root(ns, "Project", name=self.project.root.name, origin=ORIGIN)
        if self.users:
            users_el = _el(root, ns, "Users")
            for name, guid in sorted(self.users.items(), key=lambda kv: kv[1]):
                _el(users_el, ns, "User", guid=guid, name=name, id=name)
        codebook_el = _el(root, ns, "CodeBook")
        _add_codes(codebook_el, ns, self.books, guids, self.with_valence, self.note_refs)
        cases = [p for p in self.participants.values() if p.consent is not Consent.WITHDRAWN]
        variables = _variables(cases)
        if variables:
            vars_el = _el(root, ns, "Variables")
            for name in variables:
                _el(
                    vars_el,
                    ns,
                    "Variable",
                    guid=guids("variable", name),
                    name=name,
                    typeOfVariable="Text",
                )
        if cases:
            cases_el = _el(root, ns, "Cases")
            for person in cases:
                case = _el(
                    cases_el,
                    ns,
                    "Case",
                    guid=guids("participant", person.id),
                    name=person.pseudonym,
                )
                for name, value in _case_values(person):
                    vv = _el(case, ns, "VariableValue")
                    _el(vv, ns, "VariableRef", targetGUID=guids("variable", name))
                    _text_el(vv, ns, "TextValue", self.redactor.redact(value))
                for src in self.case_sources.get(person.id, []):
                    _el(case, ns, "SourceRef", targetGUID=src)
                for sel in self.case_selections.get(person.id, []):
                    _el(case, ns, "SelectionRef", targetGUID=sel)
        if self.sources:
            _el(root, ns, "Sources").extend(self.sources)
        if self.notes:
            notes_el = _el(root, ns, "Notes")
            for note in self.notes:
                note_el = _el(
                    notes_el,
                    ns,
                    "Note",
                    guid=note.guid,
                    name=note.name,
                    creatingUser=self.user(note.coder),
                    creationDateTime=_datetime(note.created),
                )
                _text_el(note_el, ns, "PlainTextContent", note.text)
        if self.sets:
            sets_el = _el(root, ns, "Sets")
            for kommun, members in sorted(self.sets.items()):
                set_el = _el(sets_el, ns, "Set", guid=guids("kommun", kommun), name=kommun)
                _text_el(set_el, ns, "Description", KOMMUN_SET)
                for member in members:
                    _el(set_el, ns, "MemberSource", targetGUID=member)
        for ref in self.note_refs.get("project", []):
            _el(root, ns, "NoteRef", targetGUID=ref)
        return root


def _case_values(person: Participant) -> list[tuple[str, str]]:
    # Pseudonym, role, actor, kommun and free attributes: never the real name.
    out = [
        ("roll", person.role),
        ("aktör", person.actor.value if person.actor else ""),
        ("kommun", person.kommun or ""),
    ]
    out.extend((k, v) for k, v in sorted(person.attributes.items()))
    return [(k, str(v)) for k, v in out if str(v)]


def _variables(cases: Sequence[Participant]) -> list[str]:
    names: list[str] = []
    for person in cases:
        for name, _ in _case_values(person):
            if name not in names:
                names.append(name)
    return names


def _audio_source(project: Project, audio_path: str | None) -> Path | None:
    if not audio_path:
        return None
    path = Path(audio_path)
    if not path.is_absolute():
        path = project.root / path
    return path if path.is_file() else None


def _write_zip(target: Path, qde: bytes, pkg: _Package) -> None:
    """Write the archive to a temporary file beside the target, then rename it into place."""
    with (
        atomic.open_for_write(target) as fh,
        zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf,
    ):
        zf.writestr(_info("project.qde"), qde, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in sorted(pkg.blobs.items()):
            zf.writestr(_info(f"sources/{name}"), data, compress_type=zipfile.ZIP_DEFLATED)
        for name, src in sorted(pkg.files.items()):
            # Audio is compressed already; store it as is.
            info = _info(f"sources/{name}")
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = src.stat().st_size
            with src.open("rb") as fin, zf.open(info, "w", force_zip64=True) as fout:
                shutil.copyfileobj(fin, fout, 1 << 20)


def _info(name: str) -> zipfile.ZipInfo:
    # A fixed timestamp keeps re-exports byte-identical when nothing changed.
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    return info


# ---------------------------------------------------------------- import (API faces)
def read_qdpx(path: Path | str) -> RefiProject:
    """Parse a .qdpx (or bare .qde) file without touching any project."""
    from qualkit.export.refi_read import read_qdpx as _read

    return _read(path)


def import_qdpx(project: Project, path: Path | str) -> ImportSummary:
    """Import a .qdpx project: sources become recordings, codes a codebook, users coders."""
    from qualkit.export.refi_import import import_qdpx as _import

    return _import(project, path)


def import_qdc(project: Project, path: Path | str) -> ImportSummary:
    """Import a .qdc codebook as a new qualkit codebook."""
    from qualkit.export.refi_import import import_qdc as _import

    return _import(project, path)


def check_codebooks(project: Project, codebook_ids: Sequence[str]) -> None:
    known = set(project.codebook_ids())
    missing = [c for c in codebook_ids if c not in known]
    if missing:
        raise InputError(
            f"No codebook {', '.join(missing)} in this project "
            f"(codebooks: {', '.join(sorted(known))})."
        )
