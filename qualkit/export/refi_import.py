"""Reading REFI-QDA files from other tools (.qdpx, .qde, .qdc), leniently and safely.

`read_qdpx` parses without side effects; `import_qdpx` / `import_qdc` write into a project.

Lenient: project.qde and sources/ in any letter case, BOM and CRLF in text files, GUIDs in
any case or in braces, empty containers, paths without a scheme, missing source files, plain
text left empty beside a .docx (NVivo for Mac), and offsets counted in UTF-16 units (NVivo
for Windows) instead of code points (detected per source).

Safe: XML through defusedxml (no entity expansion, no DTD-driven external fetches), archive
members named outside the archive refused, member sizes capped on the declared and on the
actual size, the number of entries capped. Each refusal is one ImportFormatError naming the
file. Only internal:// members are read: a hostile file cannot make us read local files.
"""

from __future__ import annotations

import bisect
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from qualkit import codebook as codebooks
from qualkit.errors import ImportFormatError, InputError
from qualkit.export.refi_qda import VALENCES
from qualkit.model import Code, Codebook, Valence
from qualkit.project import Project


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
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportSummary:
    path: Path
    codebook: str
    codes: int
    recordings: tuple[str, ...] = ()
    segments: int = 0
    codings: int = 0
    skipped_codings: int = 0
    coders: tuple[str, ...] = ()
    participants: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------- XML helpers
def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c.tag) == name]


def _child(el: Any, name: str) -> Any | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _text_of(el: Any, name: str) -> str:
    c = _child(el, name)
    return (c.text or "") if c is not None else ""


def _items(root: Any, container: str, item: str) -> list[Any]:
    box = _child(root, container)
    return _children(box, item) if box is not None else []


def _guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").upper()


def _parse_xml(data: bytes, label: str) -> Any:
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ImportFormatError(
            f"{label}: refused: the XML declares entities or external references "
            f"({type(exc).__name__}); REFI-QDA files never need them."
        ) from exc
    except SafeET.ParseError as exc:
        raise ImportFormatError(f"{label}: not well-formed XML ({exc}).") from exc


# ------------------------------------------------------------------- safe archive
class _Archive:
    """Read-only, capped access to the members of a .qdpx."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.label = path.name
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportFormatError(
                f"{self.label}: not a readable .qdpx (zip) file ({exc})."
            ) from exc
        infos = self.zf.infolist()
        if len(infos) > limits.max_entries:
            raise ImportFormatError(
                f"{self.label}: refused: {len(infos)} entries in the archive "
                f"(at most {limits.max_entries})."
            )
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if (
                name.startswith(("/", "\\"))
                or ".." in parts
                or re.match(r"^[A-Za-z]:", name)
                or "\x00" in name
            ):
                raise ImportFormatError(
                    f"{self.label}: refused: the archive names a file outside itself ({name!r})."
                )
            self.members[name.replace("\\", "/").lower()] = info
        self.read_total = 0

    def close(self) -> None:
        self.zf.close()

    def find(self, *names: str) -> zipfile.ZipInfo | None:
        for name in names:
            info = self.members.get(name.lower())
            if info is not None:
                return info
        return None

    def read(self, info: zipfile.ZipInfo, cap: int) -> bytes:
        if info.file_size > cap:
            raise ImportFormatError(
                f"{self.label}: refused: {info.filename} would unpack to {info.file_size} bytes "
                f"(at most {cap})."
            )
        buf = io.BytesIO()
        try:
            with self.zf.open(info) as fh:
                while True:
                    block = fh.read(1 << 20)
                    if not block:
                        break
                    buf.write(block)
                    if buf.tell() > cap:
                        raise ImportFormatError(
                            f"{self.label}: refused: {info.filename} unpacks to more than "
                            f"{cap} bytes."
                        )
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise ImportFormatError(f"{self.label}: {info.filename} is damaged ({exc}).") from exc
        self.read_total += buf.tell()
        if self.read_total > self.limits.max_total_bytes:
            raise ImportFormatError(
                f"{self.label}: refused: more than {self.limits.max_total_bytes} bytes unpacked."
            )
        return buf.getvalue()

    def qde(self) -> bytes:
        roots = [i for n, i in self.members.items() if "/" not in n and n.endswith(".qde")]
        if not roots:
            roots = [i for n, i in self.members.items() if n.endswith(".qde")]
        if not roots:
            raise ImportFormatError(f"{self.label}: no project.qde inside; is this a .qdpx?")
        info = self.find("project.qde") or roots[0]
        return self.read(info, self.limits.max_xml_bytes)

    def source(self, ref: str) -> bytes | None:
        """The bytes behind an internal:// (or scheme-less) path; None when absent."""
        if ref.startswith(("relative://", "absolute://")):
            return None  # outside the archive: never read local files named by a file
        name = ref[len("internal://") :] if ref.startswith("internal://") else ref
        name = name.lstrip("/").replace("\\", "/")
        info = self.find(f"sources/{name}", name)
        if info is None:
            return None
        return self.read(info, self.limits.max_text_bytes)


# ---------------------------------------------------------------------- text utils
def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def docx_text(data: bytes, label: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """The paragraphs of a .docx, one per line (for sources with rich text only)."""
    try:
        # A .docx is a zip too: check its declared sizes before python-docx unpacks it
        # (Python's zipfile never inflates a member beyond its declared size).
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            infos = inner.infolist()
    except zipfile.BadZipFile as exc:
        raise ImportFormatError(f"{label}: a .docx source is not a readable zip ({exc}).") from exc
    if len(infos) > limits.max_entries or sum(i.file_size for i in infos) > limits.max_text_bytes:
        raise ImportFormatError(f"{label}: refused: a .docx source unpacks to too much data.")
    try:
        import docx

        # python-docx reads XML with lxml, which does not expand external entities.
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # a broken docx is one bad source, not a failed import
        raise ImportFormatError(f"{label}: a .docx source cannot be read ({exc}).") from exc
    return "\n".join(p.text for p in document.paragraphs)


def _utf16_index(text: str) -> list[int]:
    """For each UTF-16 unit offset, the code point offset (astral characters take two units)."""
    out: list[int] = []
    for i, ch in enumerate(text):
        out.append(i)
        if ord(ch) > 0xFFFF:
            out.append(i)
    out.append(len(text))
    return out


def _boundary_score(text: str, spans: list[tuple[int, int]]) -> int:
    score = 0
    n = len(text)
    for start, end in spans:
        if 0 <= start <= n and (start == 0 or not text[start - 1].isalnum()):
            score += 1
        if 0 <= end <= n and (end == n or not text[end].isalnum()):
            score += 1
    return score


def _prefers_utf16(text: str, spans: list[tuple[int, int]]) -> bool:
    """Whether offsets look like UTF-16 units: only possible when the text has astral chars."""
    if not spans or not any(ord(ch) > 0xFFFF for ch in text):
        return False
    units = _utf16_index(text)
    if max(e for _, e in spans) > len(text):
        return True
    as_units = [(units[min(s, len(units) - 1)], units[min(e, len(units) - 1)]) for s, e in spans]
    return _boundary_score(text, as_units) > _boundary_score(text, spans)


# ------------------------------------------------------------------------- parsing
def _codes(codes_el: Any) -> list[RefiCode]:
    out: list[RefiCode] = []

    def walk(el: Any, parent: str | None) -> None:
        for code in _children(el, "Code"):
            guid = _guid(code.get("guid"))
            colour = code.get("color")
            out.append(
                RefiCode(
                    guid=guid,
                    name=(code.get("name") or "").strip() or guid,
                    parent=parent,
                    codable=(code.get("isCodable") or "true").strip().lower() in ("true", "1"),
                    colour=colour
                    if colour and re.match(r"^#(?:[0-9a-fA-F]{3}){1,2}$", colour)
                    else None,
                    description=_text_of(code, "Description").strip(),
                )
            )
            walk(code, guid)

    if codes_el is not None:
        walk(codes_el, None)
    return out


def _notes(root: Any) -> dict[str, str]:
    notes_el = _child(root, "Notes")
    out: dict[str, str] = {}
    for note in _children(notes_el, "Note") if notes_el is not None else []:
        out[_guid(note.get("guid"))] = _text_of(note, "PlainTextContent")
    return out


def _parse_project(
    root: Any, label: str, archive: _Archive | None, limits: Limits = DEFAULT_LIMITS
) -> RefiProject:
    if _local(root.tag) != "Project":
        raise ImportFormatError(
            f"{label}: the root element is <{_local(root.tag)}>, not <Project>; "
            "is this a REFI-QDA project file?"
        )
    warnings: list[str] = []
    users_el = _child(root, "Users")
    users = [
        RefiUser(_guid(u.get("guid")), (u.get("name") or u.get("id") or "").strip())
        for u in (_children(users_el, "User") if users_el is not None else [])
    ]
    user_names = {u.guid: u.name or f"refi-{u.guid[:8].lower()}" for u in users}
    codebook_el = _child(root, "CodeBook")
    codes = _codes(_child(codebook_el, "Codes") if codebook_el is not None else None)
    notes = _notes(root)

    sources: list[RefiSource] = []
    codings: list[RefiCoding] = []
    selections: list[RefiSelection] = []
    utf16: list[str] = []
    skipped_media = 0

    def read_text(el: Any, name: str) -> tuple[str, bool, bool]:
        inline = _child(el, "PlainTextContent")
        if inline is not None:
            return inline.text or "", False, False
        text = ""
        missing = False
        plain = el.get("plainTextPath")
        if plain:
            data = archive.source(plain) if archive is not None else None
            if data is None:
                missing = True
            else:
                text = decode_text(data)
        rich = el.get("richTextPath")
        if not text.strip() and rich and rich.lower().endswith(".docx"):
            data = archive.source(rich) if archive is not None else None
            if data is not None:
                return docx_text(data, f"{label}: {name}", limits), False, True
        if missing:
            warnings.append(f"source {name!r}: its text file {plain} is not in the archive")
        return text, missing, False

    def text_source(el: Any) -> None:
        guid = _guid(el.get("guid"))
        name = (el.get("name") or "").strip() or guid
        text, missing, from_docx = read_text(el, name)
        raw: list[tuple[int, int, Any]] = []
        for sel in _children(el, "PlainTextSelection"):
            try:
                start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            except (TypeError, ValueError):
                warnings.append(f"source {name!r}: a selection without valid positions skipped")
                continue
            if end < start:
                start, end = end, start
            raw.append((start, end, sel))
        spans = [(s, e) for s, e, _ in raw]
        units = None
        if text and _prefers_utf16(text, spans):
            units = _utf16_index(text)
            utf16.append(guid)
        limit = len(text)
        for start, end, sel in raw:
            if units is not None:
                start = units[min(start, len(units) - 1)]
                end = units[min(end, len(units) - 1)]
            if not missing:
                start, end = max(0, min(start, limit)), max(0, min(end, limit))
            selections.append(RefiSelection(_guid(sel.get("guid")), guid, start, end))
            sel_notes = [
                notes.get(_guid(n.get("targetGUID")), "") for n in _children(sel, "NoteRef")
            ]
            for coding in _children(sel, "Coding"):
                codings.append(_coding(coding, guid, start, end, user_names, notes, sel_notes))
        for coding in _children(el, "Coding"):
            codings.append(_coding(coding, guid, 0, len(text), user_names, notes, []))
        sync = transcripts.get((el.get("plainTextPath") or "").lower(), [])
        if units is not None:
            sync = [(units[min(p, len(units) - 1)], ms) for p, ms in sync]
        source_notes = tuple(
            notes[g] for n in _children(el, "NoteRef") if (g := _guid(n.get("targetGUID"))) in notes
        )
        sources.append(
            RefiSource(guid, name, text, missing, from_docx, tuple(sorted(sync)), source_notes)
        )

    sources_el = _child(root, "Sources")
    # Audio/video transcripts that share a text file with a TextSource carry its timing.
    transcripts: dict[str, list[tuple[int, int]]] = {}
    for media in sources_el if sources_el is not None else []:
        for tr in _children(media, "Transcript"):
            key = (tr.get("plainTextPath") or "").lower()
            points = []
            for sp in _children(tr, "SyncPoint"):
                try:
                    points.append((int(sp.get("position")), int(sp.get("timeStamp"))))
                except (TypeError, ValueError):
                    continue
            if key and points:
                transcripts[key] = points
    for el in sources_el if sources_el is not None else []:
        kind = _local(el.tag)
        if kind == "TextSource":
            text_source(el)
        elif kind == "PDFSource":
            rep = _child(el, "Representation")
            if rep is not None:
                if not rep.get("name"):
                    rep.set("name", el.get("name") or "")
                text_source(rep)
            skipped_media += sum(len(_children(s, "Coding")) for s in _children(el, "PDFSelection"))
        elif kind in ("PictureSource", "AudioSource", "VideoSource"):
            for sel in el:
                skipped_media += len(_children(sel, "Coding"))
            skipped_media += len(_children(el, "Coding"))
    if skipped_media:
        warnings.append(
            f"{skipped_media} codings on pictures, PDF regions, audio or video were not imported "
            "(qualkit codes text)"
        )

    variables = {
        _guid(v.get("guid")): (v.get("name") or "").strip()
        for v in _items(root, "Variables", "Variable")
    }
    cases = []
    for case in _items(root, "Cases", "Case"):
        values = []
        for vv in _children(case, "VariableValue"):
            ref = _child(vv, "VariableRef")
            var = variables.get(_guid(ref.get("targetGUID")) if ref is not None else "", "")
            value = next((c.text or "" for c in vv if _local(c.tag).endswith("Value")), "")
            if var:
                values.append((var, value.strip()))
        cases.append(
            RefiCase(
                _guid(case.get("guid")),
                (case.get("name") or "").strip(),
                tuple(values),
                tuple(_guid(s.get("targetGUID")) for s in _children(case, "SourceRef")),
                tuple(_guid(s.get("targetGUID")) for s in _children(case, "SelectionRef")),
            )
        )
    sets = [
        RefiSet(
            _guid(s.get("guid")),
            (s.get("name") or "").strip(),
            tuple(_guid(m.get("targetGUID")) for m in _children(s, "MemberSource")),
        )
        for s in _items(root, "Sets", "Set")
    ]
    return RefiProject(
        name=(root.get("name") or "").strip(),
        origin=(root.get("origin") or "").strip(),
        users=tuple(users),
        codes=tuple(codes),
        sources=tuple(sources),
        codings=tuple(codings),
        cases=tuple(cases),
        sets=tuple(sets),
        selections=tuple(selections),
        utf16_sources=tuple(utf16),
        notes=tuple(
            notes[g]
            for n in _children(root, "NoteRef")
            if (g := _guid(n.get("targetGUID"))) in notes
        ),
        warnings=tuple(warnings),
    )


def _coding(
    el: Any,
    source: str,
    start: int,
    end: int,
    users: dict[str, str],
    notes: dict[str, str],
    extra_notes: list[str],
) -> RefiCoding:
    ref = _child(el, "CodeRef")
    user = _guid(el.get("creatingUser"))
    texts = [
        *extra_notes,
        *(notes.get(_guid(n.get("targetGUID")), "") for n in _children(el, "NoteRef")),
    ]
    return RefiCoding(
        source=source,
        start=start,
        end=end,
        code=_guid(ref.get("targetGUID")) if ref is not None else "",
        user=users.get(user, f"refi-{user[:8].lower()}" if user else ""),
        guid=_guid(el.get("guid")),
        created=el.get("creationDateTime") or "",
        note="\n\n".join(t for t in texts if t),
    )


def read_qdpx(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> RefiProject:
    """Parse a .qdpx archive (or a bare .qde file) without touching any project."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file.")
    if zipfile.is_zipfile(path):
        archive = _Archive(path, limits)
        try:
            root = _parse_xml(archive.qde(), path.name)
            return _parse_project(root, path.name, archive, limits)
        finally:
            archive.close()
    if path.stat().st_size > limits.max_xml_bytes:
        raise ImportFormatError(f"{path.name}: refused: larger than {limits.max_xml_bytes} bytes.")
    return _parse_project(_parse_xml(path.read_bytes(), path.name), path.name, None)


def read_qdc(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> tuple[str, list[RefiCode]]:
    """Parse a .qdc codebook: (origin, codes)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file.")
    if path.stat().st_size > limits.max_xml_bytes:
        raise ImportFormatError(f"{path.name}: refused: larger than {limits.max_xml_bytes} bytes.")
    root = _parse_xml(path.read_bytes(), path.name)
    if _local(root.tag) == "Project":
        book = _child(root, "CodeBook")
        return (
            root.get("origin") or "",
            _codes(_child(book, "Codes") if book is not None else None),
        )
    if _local(root.tag) != "CodeBook":
        raise ImportFormatError(
            f"{path.name}: the root element is <{_local(root.tag)}>, not <CodeBook>; "
            "is this a REFI-QDA codebook (.qdc)?"
        )
    return (root.get("origin") or "", _codes(_child(root, "Codes")))


# ---------------------------------------------------------------------- to project
_VALENCE_NAME = re.compile(
    r"^(?P<label>.*?)\s*[–—:-]\s*(?P<valence>främjande|hindrande|förslag)$", re.IGNORECASE
)


def slug(text: str, fallback: str = "code") -> str:
    """A qualkit id from a name: ASCII, lower case, '_' between words."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:60].strip("_")
    return out or fallback


@dataclass(frozen=True, slots=True)
class _CodeMap:
    book: Codebook
    by_guid: dict[str, tuple[str, Valence]]  # REFI code GUID -> (qualkit key, valence)


def _valence_child(code: RefiCode, by_guid: dict[str, RefiCode]) -> Valence | None:
    """A qualkit valence sub-code ('<parent label> – hindrande') folds back into its parent."""
    if code.parent is None or code.parent not in by_guid:
        return None
    m = _VALENCE_NAME.match(code.name)
    bare = code.name.strip().casefold()
    parent = by_guid[code.parent]
    if m and m.group("label").strip().casefold() == parent.name.strip().casefold():
        return Valence.parse(m.group("valence"))
    if bare in {v.value for v in VALENCES}:
        return Valence.parse(bare)
    return None


def code_targets(codes: Sequence[RefiCode]) -> dict[str, tuple[str, Valence]]:
    """Each code GUID -> (GUID of the code it stands for, valence).

    qualkit's valence sub-codes fold into their parent; every other code maps to itself."""
    by_guid = {c.guid: c for c in codes}
    out: dict[str, tuple[str, Valence]] = {}
    for code in codes:
        valence = _valence_child(code, by_guid)
        if valence is not None and code.parent is not None:
            out[code.guid] = (code.parent, valence)
        else:
            out[code.guid] = (code.guid, Valence.NONE)
    return out


def _build_codebook(codes: list[RefiCode], book_id: str, name: str, description: str) -> _CodeMap:
    by_guid = {c.guid: c for c in codes}
    keys: dict[str, str] = {}
    used: set[str] = set()
    out: list[Code] = []
    mapping: dict[str, tuple[str, Valence]] = {}
    folded: list[tuple[RefiCode, Valence]] = []
    for code in codes:
        valence = _valence_child(code, by_guid)
        if valence is not None:
            folded.append((code, valence))
            continue
        key = base = slug(code.name)
        n = 2
        while key in used:
            key = f"{base}_{n}"
            n += 1
        used.add(key)
        keys[code.guid] = key
        desc, label_en = code.description, ""
        m = re.search(r"\n*\(en\) (?P<en>[^\n]+)$", desc)
        if m:
            desc, label_en = desc[: m.start()].strip(), m.group("en").strip()
        out.append(
            Code(
                codebook=book_id,
                key=key,
                label_sv=code.name,
                label_en=label_en,
                description=desc,
                parent=None,  # set below, once every key is known
                colour=code.colour,
            )
        )
        mapping[code.guid] = (key, Valence.NONE)
    fixed = [
        replace(code, parent=keys.get(refi.parent) if refi.parent else None)
        for code, refi in zip(out, [c for c in codes if c.guid in mapping], strict=True)
    ]
    for code, valence in folded:
        assert code.parent is not None
        mapping[code.guid] = (keys[code.parent], valence)
    return _CodeMap(
        Codebook(id=book_id, name=name, codes=tuple(fixed), description=description), mapping
    )


def _free_codebook_id(project: Project, base: str) -> str:
    existing = set(project.codebook_ids())
    existing |= {p.stem for p in project.codebook_dir.glob("*.yaml")}
    book_id, n = base, 2
    while book_id in existing:
        book_id = f"{base}_{n}"
        n += 1
    return book_id


def _save_codebook(project: Project, book: Codebook) -> None:
    path = project.codebook_dir / f"{book.id}.yaml"
    codebooks.save_codebook(book, path)
    project.store.upsert_codebook(book, codebooks.file_sha256(path))


@contextmanager
def _removed_on_error(path: Path) -> Iterator[None]:
    """The codebook file is written inside the import's transaction: a failed import must
    not leave it behind, or the next open would load a codebook the database rolled back."""
    try:
        yield
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _free_recording_name(project: Project, name: str) -> str:
    candidate, n = name, 2
    while project.store.recording_by_name(candidate) is not None:
        candidate = f"{name} ({n})"
        n += 1
    return candidate


def split_segments(text: str) -> list[tuple[int, str]]:
    """Non-empty lines of a text as (offset, stripped line): each becomes one segment."""
    out: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            out.append((pos + (len(line) - len(line.lstrip())), stripped))
        pos += len(line) + 1
    return out


def import_qdpx(
    project: Project,
    path: Path | str,
    *,
    codebook_id: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportSummary:
    """Sources become recordings (one segment per line), codes a codebook, users coders."""
    path = Path(path)
    refi = read_qdpx(path, limits)
    book_id = codebook_id or _free_codebook_id(project, f"refi_{slug(path.stem, 'projekt')}")
    label = refi.name or path.stem
    cmap = _build_codebook(
        list(refi.codes), book_id, label, f"Importerad från {path.name} ({refi.origin})".strip()
    )
    by_source: dict[str, list[Any]] = defaultdict(list)
    for coding in refi.codings:
        by_source[coding.source].append(coding)
    kommun_of = {m: s.name for s in refi.sets for m in s.sources if s.name}
    recordings: list[str] = []
    n_segments = n_codings = skipped = 0
    coders: set[str] = set()
    warnings = list(refi.warnings)
    turn_speakers = _turn_speakers(refi)
    with project.action(), _removed_on_error(project.codebook_dir / f"{book_id}.yaml"):
        _save_codebook(project, cmap.book)
        n_people = _import_cases(project, refi)
        people = {p.pseudonym: p.id for p in project.store.participants()}
        for source in refi.sources:
            lines = split_segments(source.text)
            if not lines:
                skipped += len(by_source.get(source.guid, []))
                if not source.missing:
                    warnings.append(f"source {source.name!r} has no text; not imported")
                continue
            name = _free_recording_name(project, source.name)
            rec = project.store.add_recording(
                name,
                transcript_path=f"{path.name}#{source.guid}",
                kommun=kommun_of.get(source.guid),
            )
            times = dict(source.sync)
            speaker = turn_speakers.get(source.guid, {})
            project.store.replace_segments(
                rec.id,
                (
                    (
                        _speaker_of(speaker, o, o + len(text)),
                        text,
                        _seconds(times.get(o)),
                        _seconds(times.get(o + len(text))),
                        (),
                        False,
                    )
                    for o, text in lines
                ),
            )
            for note in source.notes:
                project.store.add_memo("recording", str(rec.id), note, "refi")
            segments = project.store.segments(rec.id)
            starts = [offset for offset, _ in lines]
            for voice in project.store.speakers(rec.id):
                if voice.label in people:
                    project.store.assign_speaker(voice.id, people[voice.label])
            recordings.append(name)
            n_segments += len(segments)
            for coding in by_source.get(source.guid, []):
                target = cmap.by_guid.get(coding.code)
                if target is None:
                    skipped += 1
                    continue
                key, valence = target
                coder = coding.user or "refi"
                placed = False
                first = max(bisect.bisect_right(starts, coding.start) - 1, 0)
                for (offset, text), seg in zip(lines[first:], segments[first:], strict=True):
                    if offset >= coding.end:
                        break
                    a, b = max(coding.start, offset), min(coding.end, offset + len(text))
                    if a >= b:
                        continue
                    span = (
                        None if (a, b) == (offset, offset + len(text)) else (a - offset, b - offset)
                    )
                    project.store.add_coding(
                        seg.id,
                        book_id,
                        key,
                        valence=valence,
                        coder=coder,
                        memo=coding.note or None,
                        span=span,
                        created=coding.created or None,
                    )
                    n_codings += 1
                    placed = True
                if placed:
                    coders.add(coder)
                else:
                    skipped += 1
        for user in refi.users:
            if user.name:
                project.store.ensure_coder(user.name)
                coders.add(user.name)
        for note in refi.notes:
            project.store.add_memo("project", "", note, "refi")
    if skipped:
        warnings.append(f"{skipped} codings could not be placed on any text")
    return ImportSummary(
        path=path,
        codebook=book_id,
        codes=len(cmap.book.codes),
        recordings=tuple(recordings),
        segments=n_segments,
        codings=n_codings,
        skipped_codings=skipped,
        coders=tuple(sorted(coders)),
        participants=n_people,
        warnings=tuple(warnings),
    )


def _turn_speakers(refi: RefiProject) -> dict[str, dict[tuple[int, int], str]]:
    """Per source: span -> case name, from the selections each Case refers to."""
    by_guid = {s.guid: s for s in refi.selections}
    out: dict[str, dict[tuple[int, int], str]] = defaultdict(dict)
    for case in refi.cases:
        for ref in case.selections:
            sel = by_guid.get(ref)
            if sel is not None and case.name:
                out[sel.source][(sel.start, sel.end)] = case.name
    return out


def _speaker_of(spans: dict[tuple[int, int], str], start: int, end: int) -> str | None:
    """The case whose selection covers this segment (the turn), if any."""
    exact = spans.get((start, end))
    if exact is not None or not spans:
        return exact
    ordered = sorted(spans)
    i = bisect.bisect_right(ordered, (start, end))
    for a, b in reversed(ordered[max(0, i - 4) : i]):
        if a <= start and end <= b:
            return spans[(a, b)]
    return None


def _seconds(ms: int | None) -> float | None:
    return ms / 1000 if ms is not None else None


def _import_cases(project: Project, refi: RefiProject) -> int:
    """Cases become participants (pseudonym = case name); known pseudonyms are left alone."""
    from qualkit.model import Actor

    known = {p.pseudonym for p in project.store.participants()}
    n = 0
    for case in refi.cases:
        if not case.name or case.name in known:
            continue
        values = dict(case.values)
        actor = None
        actor_text = values.pop("aktör", values.pop("actor", ""))
        if actor_text:
            try:
                actor = Actor.parse(actor_text)
            except InputError:
                values["aktör"] = actor_text
        project.store.add_participant(
            case.name,
            role=values.pop("roll", values.pop("role", "")),
            actor=actor,
            kommun=values.pop("kommun", None) or None,
            attributes=values,
        )
        known.add(case.name)
        n += 1
    return n


def import_qdc(
    project: Project,
    path: Path | str,
    *,
    codebook_id: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportSummary:
    """A .qdc codebook becomes a qualkit codebook (YAML in codebook/ and in the store)."""
    path = Path(path)
    origin, codes = read_qdc(path, limits)
    book_id = codebook_id or _free_codebook_id(project, f"refi_{slug(path.stem, 'kodbok')}")
    cmap = _build_codebook(
        codes, book_id, path.stem, f"Importerad från {path.name} ({origin})".strip()
    )
    with project.action():
        _save_codebook(project, cmap.book)
    return ImportSummary(path=path, codebook=book_id, codes=len(cmap.book.codes))
